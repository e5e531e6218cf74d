/**
 * Helpers shared by the transport's tests and compliance suite: one sample of every message
 * type, an inbox that can be awaited, and a logger that records entries and can be awaited.
 */
import { createServer } from "node:net";
import type { Entry, Message, NodeId } from "../core/index.js";
import { logIndex, term } from "../core/index.js";
import type { Logger } from "../core/logger.js";
import type { MessageHandler } from "./transport.js";

/** A term-1 heartbeat carrying `commit` (and a read context, if given). */
export function heartbeat(from: NodeId, to: NodeId, commit: number, context?: string): Message {
  return {
    type: "Heartbeat", from, to, term: term(1), commit: logIndex(commit), context: context ?? null,
  };
}

export function bytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export function entry(index: number, data: Uint8Array, kind: Entry["kind"] = "normal"): Entry {
  return { term: term(3), index: logIndex(index), kind, data };
}

/** One message of every type in the union, from `from` to `to`. */
export function sampleMessages(from: NodeId, to: NodeId): Message[] {
  const e = { from, to, term: term(7) };
  const i = logIndex;
  const confState = { voters: [from, to], learners: [], votersOutgoing: [from] };
  return [
    { type: "PreVote", ...e, lastLogIndex: i(10), lastLogTerm: term(6) },
    { type: "PreVoteResponse", ...e, reject: true },
    { type: "RequestVote", ...e, lastLogIndex: i(10), lastLogTerm: term(6), transfer: false },
    { type: "RequestVoteResponse", ...e, reject: false },
    {
      type: "AppendEntries", ...e, prevLogIndex: i(9), prevLogTerm: term(6), commit: i(8),
      entries: [
        entry(10, bytes(5)), entry(11, new Uint8Array(0), "noop"), entry(12, bytes(3), "config"),
      ],
    },
    {
      type: "AppendEntriesResponse", ...e,
      reject: true, index: i(9), hintIndex: i(4), hintTerm: term(2),
    },
    { type: "Heartbeat", ...e, commit: i(8), context: null },
    { type: "Heartbeat", ...e, commit: i(8), context: "read-1" },
    { type: "HeartbeatResponse", ...e, context: "read-1" },
    {
      type: "InstallSnapshot", ...e,
      snapshot: { metadata: { index: i(100), term: term(5), confState }, data: bytes(64) },
    },
    { type: "Propose", ...e, data: bytes(17) },
    { type: "ReadIndexRequest", ...e, context: "ctx" },
    { type: "ReadIndexResponse", ...e, context: "ctx", index: i(2 ** 40) },
    { type: "TimeoutNow", ...e },
  ];
}

/** Collects delivered messages; `waitFor(n)` resolves once `n` have arrived. */
export class Inbox {
  readonly messages: Message[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  readonly handler: MessageHandler = (message) => {
    this.messages.push(message);
    this.waiters = this.waiters.filter((w) => {
      if (this.messages.length < w.count) return true;
      w.resolve();
      return false;
    });
  };

  waitFor(count: number): Promise<void> {
    if (this.messages.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

export interface LogEntry {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly obj: Readonly<Record<string, unknown>>;
  readonly msg: string;
}

/** A logger that records entries; `waitFor` resolves on the first entry matching a predicate. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  private waiters: { match: (e: LogEntry) => boolean; resolve: (e: LogEntry) => void }[] = [];

  debug(obj: object, msg: string): void { this.record("debug", obj, msg); }
  info(obj: object, msg: string): void { this.record("info", obj, msg); }
  warn(obj: object, msg: string): void { this.record("warn", obj, msg); }
  error(obj: object, msg: string): void { this.record("error", obj, msg); }

  /** The first entry matching `match`, at or after position `since` (default: any). */
  waitFor(match: (e: LogEntry) => boolean, since = 0): Promise<LogEntry> {
    const found = this.entries.slice(since).find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  private record(level: LogEntry["level"], obj: object, msg: string): void {
    const e: LogEntry = { level, obj: obj as Record<string, unknown>, msg };
    this.entries.push(e);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(e)) return true;
      w.resolve(e);
      return false;
    });
  }
}

/** An error entry carrying `code`. */
export function errorWithCode(code: string): (e: LogEntry) => boolean {
  return (e) => e.level === "error" && e.obj["code"] === code;
}

/** A loopback port free right now, outside the kernel's ephemeral range. */
export async function freePort(): Promise<number> {
  // Below the ephemeral range (32768+): a port the kernel handed out as ephemeral can be taken
  // again by any outgoing connection before the test listens on it (EADDRINUSE). The CLI's
  // multi-process tests use 20000-32767, so this stays in 10000-19999.
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * 10_000);
    if (await canListen(port)) return port;
  }
  throw new Error("no free port found in 10000-19999");
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => { resolve(false); });
    server.listen({ host: "127.0.0.1", port }, () => {
      server.close(() => { resolve(true); });
    });
  });
}
