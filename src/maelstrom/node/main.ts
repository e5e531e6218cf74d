/**
 * The process around `LinKvNode` (bin/raftkv-maelstrom): reads one Maelstrom message per stdin
 * line, answers `init`, drives the core's ticks from a timer, and writes one JSON envelope per
 * line to stdout. Logs go to stderr (pino; level from LOG_LEVEL, default "info"). Messages that
 * arrive before our own `init` are dropped: Raft tolerates loss, and Maelstrom initialises nodes
 * in parallel.
 */
import { createInterface } from "node:readline";
import { pino } from "pino";
import { AssertionError } from "../../core/types.js";
import { isRecord, type Body, type Envelope, type OutgoingBody } from "../protocol.js";
import { LinKvNode } from "./lin_kv_node.js";
import { DEFAULT_TIMINGS, type NodeTimings } from "./timings.js";

function timingsFromEnv(env: NodeJS.ProcessEnv): NodeTimings {
  const tickMs = Number(env.RAFTKV_MAELSTROM_TICK_MS ?? DEFAULT_TIMINGS.tickMs);
  const usable = Number.isFinite(tickMs) && tickMs > 0;
  return { ...DEFAULT_TIMINGS, tickMs: usable ? tickMs : DEFAULT_TIMINGS.tickMs };
}

/** Runs the node until stdin closes. */
export function runMaelstromNode(): void {
  const log = pino({ level: process.env.LOG_LEVEL ?? "info" }, pino.destination(2));
  const timings = timingsFromEnv(process.env);
  let selfId: string | null = null;
  let node: LinKvNode | null = null;
  let nextMsgId = 1;
  let drainScheduled = false;
  const startNs = process.hrtime.bigint();
  const nowMs = (): number => Number(process.hrtime.bigint() - startNs) / 1e6;

  const write = (dest: string, body: OutgoingBody, inReplyTo?: number): void => {
    if (selfId === null) return;
    const reply = inReplyTo === undefined ? {} : { in_reply_to: inReplyTo };
    const stamped: Body = { ...body, msg_id: nextMsgId++, ...reply };
    const envelope: Envelope = { src: selfId, dest, body: stamped };
    process.stdout.write(`${JSON.stringify(envelope)}\n`);
  };

  const drain = (): void => {
    drainScheduled = false;
    guarded(() => node?.drain());
  };
  const scheduleDrain = (): void => {
    if (drainScheduled) return;
    drainScheduled = true;
    setImmediate(drain);
  };

  // A failed assertion is a bug: log it and exit, never carry on (STYLE.md rule 9).
  const guarded = (work: () => void): void => {
    try {
      work();
    } catch (error: unknown) {
      const what = error instanceof AssertionError ? "assertion failed" : "unexpected error";
      log.fatal({ err: error }, what);
      process.exit(1);
    }
  };

  const handleInit = (message: Envelope): void => {
    const { node_id: id, node_ids: ids } = message.body;
    const idsOk = Array.isArray(ids) && ids.every((peer) => typeof peer === "string");
    if (typeof id !== "string" || !idsOk) {
      log.error({ body: message.body }, "malformed init");
      return;
    }
    selfId = id;
    node = new LinKvNode({
      id,
      nodeIds: ids,
      timings,
      seed: hashSeed(id),
      readsThroughLog: process.env.RAFTKV_MAELSTROM_READS === "log",
      send: write,
      nowMs,
      log,
    });
    write(message.src, { type: "init_ok" }, message.body.msg_id);
    log.info({ id, nodes: ids, timings }, "initialised");
    setInterval(() => {
      guarded(() => node?.tick());
      scheduleDrain();
    }, timings.tickMs).unref();
  };

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      log.warn({ line }, "ignoring a stdin line that is not JSON");
      return;
    }
    if (!isRecord(message) || !isRecord(message.body) || typeof message.src !== "string") return;
    const envelope = message as unknown as Envelope;
    if (envelope.body.type === "init") {
      if (node === null) handleInit(envelope);
      return;
    }
    if (node === null) return;
    const current = node;
    guarded(() => {
      current.receive(envelope);
    });
    scheduleDrain();
  });
  lines.on("close", () => {
    log.info({}, "stdin closed; exiting");
    process.exit(0);
  });
}

/** A per-node seed, so nodes draw different election timeouts. */
function hashSeed(id: string): number {
  let hash = 2166136261;
  for (const char of id) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return hash ^ (process.pid << 8);
}
