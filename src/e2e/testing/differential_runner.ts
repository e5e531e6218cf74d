/**
 * Test support: runs one seeded sequence of steps against two Redis-protocol servers (raftkv
 * and the reference redis-server), one action at a time on both, and records every reply that
 * differs beyond the deliberate differences: the first `detailsMax` in full (seed, step, command,
 * both replies), and a count per command for all of them. It never stops at the first.
 */
import { isDeliberate } from "./deliberate_differences.js";
import type { Action, Family } from "./differential_mix.js";
import { Choices, Vocabulary } from "./differential_random.js";
import { compareReplies, elementsOf, type Compare } from "./reply_compare.js";
import { FrameClient, type Frame } from "../../server/testing/resp_frames.js";

/** One server under test: a RESP2 connection and a RESP3 connection (HELLO 3 sent). */
export interface Target {
  readonly conns: readonly [FrameClient, FrameClient];
  close(): void;
}

export async function connectTarget(port: number): Promise<Target> {
  const resp2 = await FrameClient.connect(port);
  const resp3 = await FrameClient.connect(port);
  const hello = await resp3.call(["HELLO", "3"]);
  if (hello.kind !== "%") throw new Error(`HELLO 3 on port ${port}: ${hello.raw.toString("latin1")}`);
  return { conns: [resp2, resp3], close: () => { resp2.close(); resp3.close(); } };
}

export interface Mismatch {
  readonly seed: number;
  readonly step: number;
  readonly conn: number;
  readonly argv: readonly string[];
  readonly reason: string;
  readonly ours: string;
  readonly theirs: string;
}

export interface RunOptions {
  readonly seed: number;
  /** Stop after this many commands (actions) have been sent to each server. */
  readonly commands: number;
  readonly families: readonly Family[];
  /** Families drawn with probability `rareChance` per step (FLUSHALL, ...). */
  readonly rare?: readonly Family[];
  readonly rareChance?: number;
  /** Families drawn with probability `transactionChance` per step. */
  readonly transactions?: readonly Family[];
  readonly transactionChance?: number;
  readonly detailsMax?: number;
  /** A reply slower than this fails the run (a hung server must not hang the test). */
  readonly replyTimeoutMs?: number;
}

export interface RunResult {
  readonly commands: number;
  readonly mismatchCount: number;
  /** The first `detailsMax` mismatches. */
  readonly mismatches: readonly Mismatch[];
  /** Mismatches per command name. */
  readonly byCommand: ReadonlyMap<string, number>;
  /** Commands sent per command name. */
  readonly sent: ReadonlyMap<string, number>;
}

const show = (frame: Frame): string => JSON.stringify(frame.raw.toString("latin1").slice(0, 300));

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new Error(`no reply to ${what} within ${ms} ms`)); }, ms);
  });
  return Promise.race([promise, late]).finally(() => { clearTimeout(timer); });
}

/** The texts of a key's members (or field/value pairs) as a universe for `sample`. */
function universeOf(frame: Frame, pairs: boolean): Set<string> {
  if (pairs) return new Set(elementsOf(frame, true) ?? []);
  return new Set((frame.items ?? []).map((item) => item.text ?? ""));
}

function readUniverse(action: Action): string[] | null {
  const sample = action.sample;
  if (sample === undefined) return null;
  switch (sample.read) {
    case "set": return ["SMEMBERS", sample.key];
    case "hash": return ["HGETALL", sample.key];
    case "zset": return ["ZRANGE", sample.key, "0", "-1", ...(sample.pairs ? ["WITHSCORES"] : [])];
    case "keys": return ["KEYS", "*"];
  }
}

export class DifferentialRun {
  readonly #ours: Target;
  readonly #theirs: Target;
  readonly #options: RunOptions;
  readonly #mismatches: Mismatch[] = [];
  readonly #byCommand = new Map<string, number>();
  readonly #sent = new Map<string, number>();
  #mismatchCount = 0;
  #commands = 0;
  #step = 0;

  constructor(ours: Target, theirs: Target, options: RunOptions) {
    this.#ours = ours;
    this.#theirs = theirs;
    this.#options = options;
  }

  async run(): Promise<RunResult> {
    const v = new Vocabulary(new Choices(this.#options.seed));
    const { families, rare = [], transactions = [] } = this.#options;
    while (this.#commands < this.#options.commands) {
      this.#step += 1;
      const conn = v.c.chance(0.5) ? 0 : 1;
      let family: Family;
      if (rare.length > 0 && v.c.chance(this.#options.rareChance ?? 0.003)) family = v.c.pick(rare);
      else if (transactions.length > 0 && v.c.chance(this.#options.transactionChance ?? 0.08)) {
        family = v.c.pick(transactions);
      } else family = v.c.pick(families);
      for (const action of family.draw(v, conn)) await this.#perform(action);
    }
    return {
      commands: this.#commands, mismatchCount: this.#mismatchCount, mismatches: this.#mismatches,
      byCommand: this.#byCommand, sent: this.#sent,
    };
  }

  async #both(conn: 0 | 1, argv: readonly string[]): Promise<[Frame, Frame]> {
    const timeoutMs = this.#options.replyTimeoutMs ?? 15_000;
    const what = `step ${this.#step} ${argv.join(" ")}`;
    return Promise.all([
      withTimeout(this.#ours.conns[conn].call(argv), timeoutMs, `raftkv: ${what}`),
      withTimeout(this.#theirs.conns[conn].call(argv), timeoutMs, `redis: ${what}`),
    ]);
  }

  async #perform(action: Action): Promise<void> {
    let compare: Compare = action.compare;
    const read = readUniverse(action);
    if (read !== null && compare.kind === "sample") {
      const [ours, theirs] = await this.#both(action.conn, read);
      const pairs = read[0] === "HGETALL" || read.includes("WITHSCORES");
      this.#check({ ...action, argv: read, compare: { kind: "unordered", pairs } }, ours, theirs);
      compare = { ...compare, universe: universeOf(theirs, compare.pairs) };
    }
    const name = (action.argv[0] ?? "").toUpperCase();
    this.#sent.set(name, (this.#sent.get(name) ?? 0) + 1);
    this.#commands += 1;
    if (compare.kind === "scan") {
      await this.#scanAll(action, compare.cursorAt, compare.pairs);
      return;
    }
    const [ours, theirs] = await this.#both(action.conn, action.argv);
    this.#check({ ...action, compare }, ours, theirs);
    if (action.sample?.resync === true) await this.#resync(action, ours, theirs);
  }

  #check(action: Action, ours: Frame, theirs: Frame): void {
    let reason = compareReplies(action.compare, ours, theirs);
    if (reason === null || isDeliberate(action.argv)) return;
    if (ours.kind === "-" && (ours.text ?? "").startsWith("ERR unknown command") &&
      !(theirs.text ?? "").startsWith("ERR unknown command")) {
      reason = "raftkv does not know this command";
    }
    this.#record(action, reason, show(ours), show(theirs));
  }

  #record(action: Action, reason: string, ours: string, theirs: string): void {
    this.#mismatchCount += 1;
    const name = (action.argv[0] ?? "").toUpperCase();
    this.#byCommand.set(name, (this.#byCommand.get(name) ?? 0) + 1);
    if (this.#mismatches.length < (this.#options.detailsMax ?? 20)) {
      this.#mismatches.push({
        seed: this.#options.seed, step: this.#step, conn: action.conn, argv: action.argv, reason,
        ours, theirs,
      });
    }
  }

  /** Iterates a SCAN-like command to cursor 0 on both sides; compares what each returned. */
  async #scanAll(action: Action, cursorAt: number, pairs: boolean): Promise<void> {
    const timeoutMs = this.#options.replyTimeoutMs ?? 15_000;
    const iterate = async (target: Target): Promise<{ first: Frame; elements: Set<string> }> => {
      const client = target.conns[action.conn];
      const argv = [...action.argv];
      const elements = new Set<string>();
      let first: Frame | null = null;
      for (let page = 0; page < 10_000; page++) {
        const reply = await withTimeout(client.call(argv), timeoutMs, `step ${this.#step} ${argv.join(" ")}`);
        first ??= reply;
        const [cursor, items] = reply.items ?? [];
        if (reply.kind === "-" || cursor?.text === undefined || items === undefined) break;
        for (const element of elementsOf(items, pairs) ?? []) elements.add(element);
        if (cursor.text === "0") break;
        argv[cursorAt] = cursor.text ?? "0";
      }
      if (first === null) throw new Error("no SCAN reply");
      return { first, elements };
    };
    const [ours, theirs] = await Promise.all([iterate(this.#ours), iterate(this.#theirs)]);
    if (ours.first.kind === "-" || theirs.first.kind === "-") {
      this.#check({ ...action, compare: { kind: "exact" } }, ours.first, theirs.first);
      return;
    }
    const a = [...ours.elements].sort();
    const b = [...theirs.elements].sort();
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      this.#record(action, "a full iteration returned other elements",
        JSON.stringify(a).slice(0, 300), JSON.stringify(b).slice(0, 300));
    }
  }

  /** SPOP popped different members on each side: make Redis's set what raftkv's is. */
  async #resync(action: Action, ours: Frame, theirs: Frame): Promise<void> {
    const key = action.sample?.key ?? "";
    const texts = (frame: Frame): string[] =>
      frame.items === null ? (frame.text === null ? [] : [frame.text])
        : frame.items.map((item) => item.text ?? "");
    if (ours.kind === "-" || theirs.kind === "-") return;
    const popped = new Set(texts(ours));
    const theirsPopped = new Set(texts(theirs));
    const putBack = [...theirsPopped].filter((m) => !popped.has(m));
    const take = [...popped].filter((m) => !theirsPopped.has(m));
    const redis = this.#theirs.conns[action.conn];
    if (putBack.length > 0) await redis.call(["SADD", key, ...putBack]);
    if (take.length > 0) await redis.call(["SREM", key, ...take]);
  }
}

/** A readable report of a run's mismatches (the test's failure message). */
export function formatMismatches(result: RunResult): string {
  const lines = [`${result.mismatchCount} of ${result.commands} commands differ from Redis; ` +
    `by command: ${JSON.stringify(Object.fromEntries(result.byCommand))}`];
  for (const m of result.mismatches) {
    lines.push(`seed ${m.seed} step ${m.step} conn ${m.conn} (RESP${m.conn === 0 ? 2 : 3}): ` +
      `${JSON.stringify(m.argv)}: ${m.reason}\n  raftkv: ${m.ours}\n  redis:  ${m.theirs}`);
  }
  return lines.join("\n");
}
