/** Membership change arithmetic (§4.1 single-server changes, §4.3 joint consensus) and encoding. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  applyConfChange, decodeConfEntry, encodeConfEntry, isJoint, sameConfState, type ConfChange,
} from "./conf_change.js";
import { ConfChangeRefusedError } from "./errors.js";
import type { ConfState } from "./messages.js";
import { nodeId } from "./types.js";

const ids = (...names: string[]) => names.map(nodeId);
const conf = (voters: string[], learners: string[] = [], outgoing: string[] = []): ConfState =>
  ({ voters: ids(...voters), learners: ids(...learners), votersOutgoing: ids(...outgoing) });
const add = (id: string) => ({ type: "addVoter", nodeId: nodeId(id) }) as const;
const learner = (id: string) => ({ type: "addLearner", nodeId: nodeId(id) }) as const;
const remove = (id: string) => ({ type: "removeNode", nodeId: nodeId(id) }) as const;

test("§4.1 adding or removing one voter is applied directly, without a joint configuration", () => {
  assert.deepEqual(applyConfChange(conf(["n1", "n2", "n3"]), [add("n4")]),
    conf(["n1", "n2", "n3", "n4"]));
  assert.deepEqual(applyConfChange(conf(["n1", "n2", "n3"]), [remove("n2")]), conf(["n1", "n3"]));
  // Learners never count, so any number of them may change alongside one voter.
  assert.deepEqual(applyConfChange(conf(["n1"]), [learner("n2"), learner("n3"), add("n4")]),
    conf(["n1", "n4"], ["n2", "n3"]));
});

test("§4.1 promoting a learner to voter is a one-voter change", () => {
  assert.deepEqual(applyConfChange(conf(["n1", "n2"], ["n3"]), [add("n3")]),
    conf(["n1", "n2", "n3"]));
});

test("§4.3 replacing a node (two voters change) enters the joint configuration C_old,new", () => {
  const next = applyConfChange(conf(["n1", "n2", "n3"]), [add("n4"), remove("n3")]);
  assert.deepEqual(next, conf(["n1", "n2", "n4"], [], ["n1", "n2", "n3"]));
  assert.equal(isJoint(next), true);
  // The empty change leaves it, to C_new.
  assert.deepEqual(applyConfChange(next, []), conf(["n1", "n2", "n4"]));
});

test("§4.3 no other change is accepted while joint; leaving is refused when not joint", () => {
  const joint = conf(["n1", "n2", "n4"], [], ["n1", "n2", "n3"]);
  assert.throws(() => applyConfChange(joint, [add("n5")]), ConfChangeRefusedError);
  assert.throws(() => applyConfChange(conf(["n1"]), []), ConfChangeRefusedError);
});

test("invalid changes are refused with ConfChangeRefusedError (definite)", () => {
  const base = conf(["n1", "n2"], ["n3"]);
  const bad: ConfChange[] = [
    [add("n1")], [learner("n3")], [learner("n1")], [remove("n9")], [add("n4"), remove("n4")],
    [remove("n1"), remove("n2")],
  ];
  for (const change of bad) {
    const message = JSON.stringify(change);
    assert.throws(() => applyConfChange(base, change), ConfChangeRefusedError, message);
  }
  const error = new ConfChangeRefusedError("x");
  assert.deepEqual([error.code, error.definite], ["CONF_CHANGE_REFUSED", true]);
});

test("a config entry's data round-trips the change and the configuration it produces", () => {
  const changes: ConfChange = [{ ...add("n4"), context: "10.0.0.4:7000" }, remove("n3")];
  const confState = applyConfChange(conf(["n1", "n2", "n3"]), changes);
  const decoded = decodeConfEntry(encodeConfEntry({ changes, confState }));
  assert.deepEqual(decoded, { changes, confState });
  assert.throws(() => decodeConfEntry(new TextEncoder().encode("{\"v\":2}")), /version 1/);
});

test("sameConfState ignores order and tells different configurations apart", () => {
  assert.equal(sameConfState(conf(["n2", "n1"]), conf(["n1", "n2"])), true);
  assert.equal(sameConfState(conf(["n1", "n2"]), conf(["n1", "n2"], ["n3"])), false);
  assert.equal(sameConfState(conf(["n1"]), conf(["n1"], [], ["n1", "n2"])), false);
});
