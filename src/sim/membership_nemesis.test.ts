/** The membership nemesis only chooses valid changes that keep a quorum of voters possible. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyConfChange } from "../core/conf_change.js";
import type { ConfState } from "../core/messages.js";
import { SeededRng } from "../core/rng.js";
import { nodeId, type NodeId } from "../core/types.js";
import {
  chooseMembershipAction, describeConf, VOTERS_MIN, type MembershipView,
} from "./membership_nemesis.js";

const pool: NodeId[] = ["n1", "n2", "n3", "n4", "n5", "n6", "n7"].map(nodeId);

test("from any reachable configuration, every chosen change is valid and keeps 3 voters", () => {
  const rng = new SeededRng(11);
  let conf: ConfState = { voters: pool.slice(0, 5), learners: [], votersOutgoing: [] };
  const kinds = new Map<string, number>();
  for (let step = 0; step < 2000; step++) {
    const leader = conf.voters[rng.nextInt(conf.voters.length)] ?? pool[0] ?? nodeId("n1");
    const members = new Set([...conf.voters, ...conf.learners, ...conf.votersOutgoing]);
    const wipeable = pool.filter((id) => !members.has(id));
    const view: MembershipView = { conf, leader, pool, wipeable };
    const action = chooseMembershipAction(rng, view);
    assert.notEqual(action, null);
    if (action === null) return;
    const what = action.kind === "change" ? (action.what.split(" ")[0] ?? "") : action.kind;
    kinds.set(what, (kinds.get(what) ?? 0) + 1);
    if (action.kind === "wipe") assert.ok(wipeable.includes(action.node), action.node);
    if (action.kind === "transfer" && action.to !== null) {
      assert.ok(conf.voters.includes(action.to) && action.to !== leader, describeConf(conf));
    }
    if (action.kind !== "change") continue;
    assert.equal(conf.votersOutgoing.length, 0, "no change is chosen while joint");
    conf = applyConfChange(conf, action.change); // throws if the change is invalid
    assert.ok(conf.voters.length >= VOTERS_MIN, `${action.what}: ${describeConf(conf)}`);
    if (conf.votersOutgoing.length > 0) conf = applyConfChange(conf, []); // the leader leaves
  }
  const expected = [
    "add-learner", "add-voter", "promote", "remove-learner", "remove", "remove-leader", "replace",
    "grow", "shrink", "transfer", "wipe",
  ];
  for (const kind of expected) assert.ok((kinds.get(kind) ?? 0) > 0, `never chose ${kind}`);
});

test("while joint, only transfers and wipes are chosen", () => {
  const rng = new SeededRng(3);
  const conf: ConfState = {
    voters: pool.slice(0, 3), learners: [], votersOutgoing: pool.slice(1, 4),
  };
  const leader = pool[1] ?? nodeId("n2");
  for (let i = 0; i < 200; i++) {
    const action = chooseMembershipAction(rng, { conf, leader, pool, wipeable: [] });
    assert.equal(action?.kind, "transfer");
  }
});
