/**
 * Debug and trace lines for what the node does, one line per event:
 *   debug: every Raft message handed to the transport and every one received (type, from, to,
 *          term, index, entry count, reject and hint), and every Ready (entries persisted,
 *          messages, commit index, entries applied);
 *   trace: the same lines with payload sizes and timings, plus each synced WAL save.
 * Nothing here is installed unless the logger writes debug lines when the node starts, so a
 * level that is off costs nothing on the hot path (not even a level check per message).
 */
import type { Message, Ready } from "../core/index.js";
import { levelEnabled, type Logger } from "../core/logger.js";
import type { Transport } from "../transport/index.js";
import type { NodeObserver } from "./observer.js";

/** Whether the message and Ready lines are wanted at all, and with trace detail. */
export function messageLogLevel(logger: Logger): "off" | "debug" | "trace" {
  if (levelEnabled(logger, "trace")) return "trace";
  return levelEnabled(logger, "debug") ? "debug" : "off";
}

/** "AppendEntries n1 -> n2 term 3 prev 40/3 entries 1 commit 40" and its fields. */
export function describeMessage(m: Message): { text: string; fields: Record<string, unknown> } {
  const head = `${m.type} ${m.from} -> ${m.to} term ${m.term}`;
  const fields: Record<string, unknown> = { type: m.type, from: m.from, to: m.to, term: m.term };
  switch (m.type) {
    case "AppendEntries":
      Object.assign(fields, { index: m.prevLogIndex, entries: m.entries.length, commit: m.commit });
      return { text: `${head} prev ${m.prevLogIndex}/${m.prevLogTerm} entries ${m.entries.length}`
        + ` commit ${m.commit}`, fields };
    case "AppendEntriesResponse":
      Object.assign(fields, { index: m.index, reject: m.reject },
        m.reject ? { hintIndex: m.hintIndex, hintTerm: m.hintTerm } : {});
      return { text: m.reject
        ? `${head} REJECT index ${m.index} hint ${m.hintIndex}/${m.hintTerm}`
        : `${head} ack index ${m.index}`, fields };
    case "PreVote":
    case "RequestVote":
      Object.assign(fields, { index: m.lastLogIndex, lastLogTerm: m.lastLogTerm });
      return { text: `${head} last ${m.lastLogIndex}/${m.lastLogTerm}`, fields };
    case "PreVoteResponse":
    case "RequestVoteResponse":
      fields.reject = m.reject;
      return { text: `${head} ${m.reject ? "REJECT" : "grant"}`, fields };
    case "Heartbeat":
      fields.commit = m.commit;
      return { text: `${head} commit ${m.commit}`, fields };
    case "InstallSnapshot":
      fields.index = m.snapshot.metadata.index;
      return { text: `${head} snapshot at ${m.snapshot.metadata.index}`, fields };
    case "ReadIndexResponse":
      fields.index = m.index;
      return { text: `${head} index ${m.index}`, fields };
    case "HeartbeatResponse":
    case "Propose":
    case "ReadIndexRequest":
    case "TimeoutNow":
      return { text: head, fields };
  }
}

/** Payload bytes a message carries (entries, snapshot or proposal data). */
function payloadBytes(m: Message): number {
  switch (m.type) {
    case "AppendEntries": {
      let bytes = 0;
      for (const entry of m.entries) bytes += entry.data.byteLength;
      return bytes;
    }
    case "InstallSnapshot":
      return m.snapshot.data.byteLength;
    case "Propose":
      return m.data.byteLength;
    case "AppendEntriesResponse":
    case "Heartbeat":
    case "HeartbeatResponse":
    case "PreVote":
    case "PreVoteResponse":
    case "ReadIndexRequest":
    case "ReadIndexResponse":
    case "RequestVote":
    case "RequestVoteResponse":
    case "TimeoutNow":
      return 0;
  }
}

type Write = (fields: object, message: string) => void;

/** The writer for `level`: trace lines go to debug on a logger without trace. */
function writerOf(logger: Logger, trace: boolean): Write {
  if (trace && logger.trace !== undefined) {
    return (fields, message) => { logger.trace?.(fields, message); };
  }
  return (fields, message) => { logger.debug(fields, message); };
}

function logMessage(write: Write, trace: boolean, direction: "send" | "recv", m: Message): void {
  const { text, fields } = describeMessage(m);
  fields.dir = direction;
  if (!trace) {
    write(fields, `${direction} ${text}`);
    return;
  }
  const bytes = payloadBytes(m);
  fields.bytes = bytes;
  write(fields, `${direction} ${text} (${bytes} payload bytes)`);
}

/**
 * `inner`, logging every message sent and received at `level` (see messageLogLevel); `inner`
 * itself when the level is off.
 */
export function withMessageLog(inner: Transport, logger: Logger, level: "off" | "debug" | "trace"): Transport {
  if (level === "off") return inner;
  const trace = level === "trace";
  const write = writerOf(logger, trace);
  const send = (message: Message): boolean => {
    logMessage(write, trace, "send", message);
    return inner.send(message);
  };
  const onMessage: Transport["onMessage"] = (handler) => {
    inner.onMessage((message) => {
      logMessage(write, trace, "recv", message);
      handler(message);
    });
  };
  return new Proxy(inner, {
    get(target, property): unknown {
      if (property === "send") return send;
      if (property === "onMessage") return onMessage;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** One line per finished Ready (and, at trace, per synced WAL save), added to `observer`. */
export function withReadyLog(
  observer: NodeObserver,
  logger: Logger,
  level: "off" | "debug" | "trace",
): NodeObserver {
  if (level === "off") return observer;
  const trace = level === "trace";
  const write = writerOf(logger, trace);
  let taken: Ready | null = null;
  return {
    ...observer,
    readyTaken: (ready) => {
      taken = ready;
      observer.readyTaken?.(ready);
    },
    readyFinished: (seconds) => {
      observer.readyFinished?.(seconds);
      const rd = taken;
      taken = null;
      if (rd === null) return;
      const first = rd.entries[0]?.index;
      const last = rd.entries[rd.entries.length - 1]?.index;
      const applied = rd.committedEntries;
      const fields: Record<string, unknown> = {
        entries: rd.entries.length, messages: rd.messages.length, committed: applied.length,
        commit: rd.hardState?.commit,
      };
      const parts = [
        rd.entries.length === 0 ? "persisted no entries" : `persisted ${rd.entries.length} entries (${first}..${last})`,
        rd.hardState === null ? null : `hard state term ${rd.hardState.term} commit ${rd.hardState.commit}`,
        rd.snapshot === null ? null : `snapshot at ${rd.snapshot.metadata.index}`,
        `${rd.messages.length} messages`,
        applied.length === 0 ? null
          : `applied ${applied.length} (${applied[0]?.index}..${applied[applied.length - 1]?.index})`,
        rd.softState === null ? null : `role ${rd.softState.role}`,
      ].filter((part) => part !== null);
      if (trace) fields.ms = seconds * 1000;
      write(fields, `Ready: ${parts.join(", ")}${trace ? ` in ${(seconds * 1000).toFixed(2)} ms` : ""}`);
    },
    ...(trace ? {
      saveDurable: (seconds: number, entryBytes: number) => {
        observer.saveDurable?.(seconds, entryBytes);
        write({ ms: seconds * 1000, entryBytes },
          `WAL save durable after ${(seconds * 1000).toFixed(2)} ms (${entryBytes} entry bytes)`);
      },
    } : {}),
  };
}
