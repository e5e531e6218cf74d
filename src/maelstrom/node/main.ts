/**
 * The Maelstrom lin-kv node process (bin/raftkv-maelstrom): the shipped store (`ReplicatedKv`:
 * ClusterNode + StoreMachine) over in-memory storage and a stdio transport. It reads one
 * Maelstrom message per stdin line, answers `init` once the node has started, hands "raft"
 * bodies to the transport and client requests to the lin-kv handler, and writes one JSON
 * envelope per line to stdout. Logs go to stderr (pino; level from LOG_LEVEL, default "info").
 * Messages that arrive before our own `init` are dropped: Raft tolerates loss, and Maelstrom
 * initialises nodes in parallel. The node runs in real time, on the runtime's real clock.
 */
import { createInterface } from "node:readline";
import { pino, type Logger } from "pino";
import { nodeId, type NodeId } from "../../core/index.js";
import { ReplicatedKv } from "../../kv/index.js";
import { MemoryStorage } from "../../storage/index.js";
import { isRecord, ErrorCode, type Envelope } from "../protocol.js";
import { errorBody, isClientOp } from "./kv_adapter.js";
import { LinKvHandler } from "./lin_kv_handler.js";
import { MaelstromOutput } from "./output.js";
import { StdioTransport } from "./stdio_transport.js";
import { DEFAULT_TIMINGS, nodeLimitsOf, type NodeTimings } from "./timings.js";
import { RAFT_BODY_TYPE } from "./wire.js";

function timingsFromEnv(env: NodeJS.ProcessEnv): NodeTimings {
  const tickMs = Number(env.RAFTKV_MAELSTROM_TICK_MS ?? DEFAULT_TIMINGS.tickMs);
  const usable = Number.isFinite(tickMs) && tickMs > 0;
  return { ...DEFAULT_TIMINGS, tickMs: usable ? tickMs : DEFAULT_TIMINGS.tickMs };
}

/** A started node: what the stdin loop hands messages to. */
interface Running {
  readonly output: MaelstromOutput;
  readonly transport: StdioTransport;
  readonly handler: LinKvHandler;
}

/** Runs the node until stdin closes. */
export function runMaelstromNode(): void {
  const log = pino({ level: process.env.LOG_LEVEL ?? "info" }, pino.destination(2));
  const timings = timingsFromEnv(process.env);
  let running: Running | null = null;
  let initialising = false;

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    const envelope = parseLine(line, log);
    if (envelope === null) return;
    if (envelope.body.type === "init") {
      if (running !== null || initialising) return;
      initialising = true;
      start(envelope, timings, log).then((started) => {
        running = started;
      }, (error: unknown) => {
        log.fatal({ err: error }, "the node could not start");
        process.exit(1);
      });
      return;
    }
    if (running !== null) dispatch(running, envelope);
  });
  lines.on("close", () => {
    log.info({}, "stdin closed; exiting");
    running?.output.flush();
    process.exit(0);
  });
}

function parseLine(line: string, log: Logger): Envelope | null {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    log.warn({ line }, "ignoring a stdin line that is not JSON");
    return null;
  }
  if (!isRecord(message) || !isRecord(message.body) || typeof message.src !== "string") return null;
  if (typeof message.body.type !== "string") return null;
  return message as unknown as Envelope;
}

function dispatch(running: Running, envelope: Envelope): void {
  const { body } = envelope;
  if (body.type === RAFT_BODY_TYPE) {
    running.transport.deliver(envelope.src, body);
  } else if (isClientOp(body.type)) {
    running.handler.handle(envelope);
  } else if (body.in_reply_to === undefined) {
    const refusal = errorBody(ErrorCode.notSupported, `unsupported type ${body.type}`);
    running.output.send(envelope.src, refusal, body.msg_id);
  }
}

/**
 * Starts the store for the ids in `init` and answers it.
 * @throws ConfigError for ids the node cannot use.
 */
async function start(init: Envelope, timings: NodeTimings, log: Logger): Promise<Running> {
  const { node_id: id, node_ids: ids } = init.body;
  const idsOk = Array.isArray(ids) && ids.every((peer) => typeof peer === "string");
  if (typeof id !== "string" || !idsOk) {
    throw new Error(`malformed init: ${JSON.stringify(init.body)}`);
  }
  const self = nodeId(id);
  const voters: NodeId[] = ids.map(nodeId).sort();
  const output = new MaelstromOutput({
    selfId: id,
    write: (text) => process.stdout.write(text),
    defer: (flush) => setImmediate(flush),
  });
  const transport = new StdioTransport({
    nodeId: self, peers: voters, logger: log,
    send: (dest, body) => {
      output.send(dest, body);
    },
  });
  const kv = await ReplicatedKv.start({
    id, peers: voters, transport, logger: log, limits: nodeLimitsOf(timings),
    storage: new MemoryStorage({ voters, learners: [], votersOutgoing: [] }),
  });
  // A failed node is a bug or a broken invariant: log it and exit (STYLE.md rule 9).
  kv.node.on("fatal", ({ error }) => {
    log.fatal({ err: error }, "node failed");
    output.flush();
    process.exit(1);
  });
  const handler = new LinKvHandler({
    kv, log, leaderWaitMs: timings.leaderWaitMs, pendingRequestsMax: timings.pendingRequestsMax,
    reply: (request, body) => {
      output.send(request.src, body, request.body.msg_id);
    },
  });
  output.send(init.src, { type: "init_ok" }, init.body.msg_id);
  log.info({ id, nodes: voters, timings }, "initialised");
  return { output, transport, handler };
}
