/**
 * Logs worth reading (message_log.ts and the core's step-down lines): at debug, one write shows
 * as its messages (append, ack, commit) and Readys on the leader and a follower; at info the
 * same write writes nothing and builds no line; every step-down says why.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Message, NodeId } from "../core/index.js";
import type { Logger } from "../core/logger.js";
import type { Transport } from "../transport/index.js";
import { TestCluster } from "./testing/cluster.js";

const LEVELS = ["trace", "debug", "info", "warn", "error"] as const;
type Level = (typeof LEVELS)[number];

/** Records each line as "level message"; `built` counts lines handed to it at all. */
class CaptureLogger implements Logger {
  readonly lines: string[] = [];
  built = 0;
  constructor(private readonly level: Level) {}
  isLevelEnabled(level: string): boolean {
    return LEVELS.indexOf(level as Level) >= LEVELS.indexOf(this.level);
  }
  private write(level: Level, message = ""): void {
    this.built++;
    if (this.isLevelEnabled(level)) this.lines.push(`${level} ${message}`);
  }
  trace(_fields: object, message?: string): void { this.write("trace", message); }
  debug(_fields: object, message?: string): void { this.write("debug", message); }
  info(_fields: object, message?: string): void { this.write("info", message); }
  warn(_fields: object, message?: string): void { this.write("warn", message); }
  error(_fields: object, message?: string): void { this.write("error", message); }
}

async function clusterLoggingAt(level: Level, wrapTransport?: (t: Transport) => Transport): Promise<{
  cluster: TestCluster; logs: Map<NodeId, CaptureLogger>;
}> {
  const logs = new Map<NodeId, CaptureLogger>();
  const cluster = await TestCluster.start({
    size: 3,
    logger: (id) => {
      const logger = new CaptureLogger(level);
      logs.set(id, logger);
      return logger;
    },
    ...(wrapTransport === undefined ? {} : { wrapTransport }),
  });
  return { cluster, logs };
}

function has(lines: readonly string[], pattern: RegExp, who: string): void {
  assert.ok(lines.some((line) => pattern.test(line)),
    `${who} logged no line matching ${String(pattern)}; it logged:\n${lines.join("\n")}`);
}

test("debug: one write shows as append, ack and commit on the leader and a follower", async () => {
  const { cluster, logs } = await clusterLoggingAt("debug");
  try {
    const leader = await cluster.waitForLeader();
    await cluster.propose("warm-up"); // the term's first entry is committed
    const follower = cluster.ids.find((id) => id !== leader)!;
    for (const log of logs.values()) log.lines.length = 0;
    const { index } = await cluster.propose("x");
    await cluster.waitFor(() => (cluster.node(follower).status().applied >= index ? true : null),
      5000, `${follower} to apply ${index}`);
    const onLeader = logs.get(leader)!.lines;
    const onFollower = logs.get(follower)!.lines;
    const [l, f] = [leader, follower];
    has(onLeader, new RegExp(`^debug send AppendEntries ${l} -> ${f} term \\d+ prev ${index - 1}/\\d+ entries 1 `), l);
    has(onLeader, new RegExp(`^debug recv AppendEntriesResponse ${f} -> ${l} term \\d+ ack index ${index}$`), l);
    has(onLeader, new RegExp(`^debug Ready: persisted 1 entries \\(${index}..${index}\\)`), l);
    has(onLeader, new RegExp(`^debug Ready: .*hard state term \\d+ commit ${index}.*applied 1 \\(${index}..${index}\\)`), l);
    has(onFollower, new RegExp(`^debug recv AppendEntries ${l} -> ${f} term \\d+ prev ${index - 1}/\\d+ entries 1 `), f);
    has(onFollower, new RegExp(`^debug send AppendEntriesResponse ${f} -> ${l} term \\d+ ack index ${index}$`), f);
    has(onFollower, new RegExp(`^debug recv (AppendEntries|Heartbeat) ${l} -> ${f} .*commit ${index}$`), f);
    has(onFollower, new RegExp(`^debug Ready: .*applied 1 \\(${index}..${index}\\)`), f);
    // No payload sizes below trace.
    assert.ok(!onLeader.some((line) => line.includes("payload bytes")));
  } finally {
    await cluster.stop();
  }
});

test("trace adds payload sizes and timings", async () => {
  const { cluster, logs } = await clusterLoggingAt("trace");
  try {
    const leader = await cluster.waitForLeader();
    await cluster.propose("12345");
    const lines = logs.get(leader)!.lines;
    has(lines, /^trace send AppendEntries .* entries 1 .*\(\d+ payload bytes\)$/, leader);
    has(lines, /^trace Ready: .* in \d+\.\d\d ms$/, leader);
  } finally {
    await cluster.stop();
  }
});

test("info: a write in a steady cluster writes nothing and builds no debug line", async () => {
  const { cluster, logs } = await clusterLoggingAt("info");
  try {
    await cluster.waitForLeader();
    await cluster.propose("warm-up");
    for (const log of logs.values()) {
      log.lines.length = 0;
      log.built = 0;
    }
    await cluster.propose("x");
    for (const [id, log] of logs) {
      assert.deepEqual(log.lines, [], `${id} wrote lines in a steady state`);
      assert.equal(log.built, 0, `${id} built lines for a level that is off`);
    }
  } finally {
    await cluster.stop();
  }
});

test("a leader cut off from its followers says why it steps down", async () => {
  let isolated: NodeId | null = null;
  const wrap = (inner: Transport): Transport => {
    const send = inner.send.bind(inner);
    inner.send = (m: Message): boolean => (m.from === isolated || m.to === isolated ? true : send(m));
    return inner;
  };
  const { cluster, logs } = await clusterLoggingAt("info", wrap);
  try {
    const leader = await cluster.waitForLeader();
    isolated = leader;
    await cluster.waitFor(() => (cluster.node(leader).status().role === "leader" ? null : true),
      5000, `${leader} to step down`);
    has(logs.get(leader)!.lines,
      new RegExp(`^info ${leader} steps down as leader of term \\d+: check-quorum: fewer than a quorum`), leader);
  } finally {
    await cluster.stop();
  }
});
