/**
 * TimeoutNow (§3.10 of the dissertation): obeyed only from the leader of the receiver's term,
 * by a follower that is a voter. The known-bad case is the attack that changed the leader five
 * times out of five: any member (or anyone who could speak for one) sent TimeoutNow to a
 * follower, which campaigned at once, bypassing pre-vote and, in lease mode, its lease promise.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryStorage } from "../storage/memory_storage.js";
import type { RaftConfig } from "./config.js";
import type { Logger } from "./logger.js";
import type { Message } from "./messages.js";
import { TestNetwork } from "./testing/testing_network.js";
import { nodeId, term, type NodeId } from "./types.js";

interface Logged { readonly obj: Record<string, unknown>; readonly msg: string }

/** A logger that keeps the warnings and errors it was told. */
function recorder(): Logger & { readonly warnings: Logged[] } {
  const warnings: Logged[] = [];
  return {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warn: (obj, msg = "") => { warnings.push({ obj: obj as Record<string, unknown>, msg }); },
    error: (obj, msg = "") => { warnings.push({ obj: obj as Record<string, unknown>, msg }); },
  };
}

type Config = Partial<Omit<RaftConfig, "id">>;

interface Elected {
  readonly net: TestNetwork;
  readonly leader: NodeId;
  /** The two voters that follow it. */
  readonly followers: readonly [NodeId, NodeId];
}

/** Three voters (and learner n4 when asked for) with a leader elected and a heartbeat round. */
function elected(config: Config, learners: readonly string[] = []): Elected {
  const ids = ["n1", "n2", "n3", ...learners];
  const net = new TestNetwork({ ids, learners, storage: (cs) => new MemoryStorage(cs), config });
  const leader = net.electLeader();
  net.tickAll();
  net.settle();
  const [a, b] = ["n1", "n2", "n3"].map(nodeId).filter((id) => id !== leader);
  assert.ok(a !== undefined && b !== undefined);
  return { net, leader, followers: [a, b] };
}

function timeoutNow(from: NodeId | string, to: NodeId | string, at: number): Message {
  return { type: "TimeoutNow", from: nodeId(from), to: nodeId(to), term: term(at) };
}

/** Steps a forged message into its recipient and settles; the leader and term must not move. */
function assertIgnored(c: Elected, m: Message, logger: { warnings: Logged[] }): void {
  const { net, leader } = c;
  const before = net.node(leader).status().term;
  const seen = logger.warnings.length;
  net.node(m.to).step(m);
  net.settle();
  assert.equal(net.leader(), leader, "the leader changed");
  assert.equal(net.node(leader).status().term, before, "the term moved");
  assert.equal(net.node(m.to).status().role, "follower");
  const logged = logger.warnings.slice(seen).find((w) => w.obj["code"] === "TIMEOUT_NOW_REFUSED");
  assert.ok(logged !== undefined, "the refusal was not logged");
  assert.equal(logged.obj["from"], m.from);
}

const termOf = (c: Elected): number => c.net.node(c.leader).status().term;

test("§3.10 a TimeoutNow from a follower (not the leader) is ignored and logged", () => {
  const logger = recorder();
  const c = elected({ logger });
  const [a, b] = c.followers;
  assertIgnored(c, timeoutNow(b, a, termOf(c)), logger);
  assert.match(logger.warnings.at(-1)?.msg ?? "", /is not the leader this node follows/);
});

test("§3.10 a TimeoutNow of another term, even naming the leader, is ignored", () => {
  const logger = recorder();
  const c = elected({ logger });
  const [a] = c.followers;
  assertIgnored(c, timeoutNow(c.leader, a, termOf(c) - 1), logger); // stale: answered, not obeyed
  assertIgnored(c, timeoutNow(c.leader, a, 0), logger);
});

test("§3.10 a TimeoutNow of a higher term moves the term (§5.1) but starts no campaign", () => {
  const logger = recorder();
  const c = elected({ logger });
  const [a, b] = c.followers;
  const at = termOf(c);
  c.net.node(a).step(timeoutNow(b, a, at + 5));
  assert.equal(c.net.node(a).status().term, at + 5);
  assert.equal(c.net.node(a).status().role, "follower", "campaigned on a forged TimeoutNow");
  assert.equal(logger.warnings.at(-1)?.obj["code"], "TIMEOUT_NOW_REFUSED");
});

test("§3.10 a learner never campaigns on TimeoutNow, even from the leader", () => {
  const logger = recorder();
  const c = elected({ logger }, ["n4"]);
  assertIgnored(c, timeoutNow(c.leader, "n4", termOf(c)), logger);
  assert.match(logger.warnings.at(-1)?.msg ?? "", /not a voter/);
});

test("§3.10 lease mode: a forged TimeoutNow no longer bypasses the lease promise", () => {
  const logger = recorder();
  const c = elected({ logger, readMode: "lease", leaseClockDriftTicks: 0 });
  const [a, b] = c.followers;
  assertIgnored(c, timeoutNow(b, a, termOf(c)), logger);
  assertIgnored(c, timeoutNow(a, b, termOf(c)), logger);
  assert.notEqual(c.net.node(c.leader).leaseReadIndex(), null, "the leader's lease was disturbed");
});

test("§3.10 the real transfer still works: the leader's own TimeoutNow is obeyed", () => {
  const logger = recorder();
  const c = elected({ logger });
  const [a] = c.followers;
  const at = termOf(c);
  c.net.node(c.leader).transferLeader(a);
  c.net.settle();
  assert.equal(c.net.leader(), a);
  assert.equal(c.net.node(a).status().term, at + 1);
  assert.ok(!logger.warnings.some((w) => w.obj["code"] === "TIMEOUT_NOW_REFUSED"));
});
