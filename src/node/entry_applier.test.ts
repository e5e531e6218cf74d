/**
 * entry_applier.ts: an entry that does not decode is an error no-op (counted, logged, the
 * proposer told); everything else that goes wrong while applying still fails the node.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { logIndex, nodeId, term, type Entry } from "../core/index.js";
import { RecordingLogger } from "../transport/test_support.js";
import { EntryApplier } from "./entry_applier.js";
import { encodeEnvelope } from "./envelope.js";
import type { StateMachine } from "./state_machine.js";

const n2 = nodeId("n2");

class Machine implements StateMachine<string> {
  applied: string[] = [];
  apply(command: Uint8Array): string {
    const text = new TextDecoder().decode(command);
    if (text === "boom") throw new Error("a bug in apply");
    this.applied.push(text);
    return text.toUpperCase();
  }
  snapshot(): Uint8Array { return new Uint8Array(0); }
  restore(): void { this.applied = []; }
  validate(command: Uint8Array): Error | null {
    return command[0] === 0xff ? new Error("unknown command 0xff") : null;
  }
}

function entry(index: number, data: Uint8Array): Entry {
  return { term: term(2), index: logIndex(index), kind: "normal", data };
}

function setup() {
  const machine = new Machine();
  const logger = new RecordingLogger();
  let failures = 0;
  const applier = new EntryApplier({
    id: nodeId("n1"), stateMachine: machine, logger,
    observer: { entryApplyFailed: () => { failures += 1; } },
  });
  return { machine, logger, applier, failures: () => failures };
}

const tag = { proposer: n2, incarnation: 3, seq: 4 };

test("a decodable entry is applied and its result returned with its tag", () => {
  const { applier, machine } = setup();
  const applied = applier.apply(entry(1, encodeEnvelope(tag, new TextEncoder().encode("hi"))));
  assert.deepEqual(applied, { kind: "applied", tag, result: "HI" });
  assert.deepEqual(machine.applied, ["hi"]);
});

test("an entry that is not an envelope is a counted, logged no-op with no proposer", () => {
  const { applier, machine, logger, failures } = setup();
  const applied = applier.apply(entry(7, new Uint8Array([0xde, 0xad])));
  assert.equal(applied.kind, "invalid");
  assert.equal(applied.tag, null);
  assert.equal(machine.applied.length, 0);
  assert.equal(failures(), 1);
  const [logged, ...more] = logger.entries;
  assert.ok(logged !== undefined && more.length === 0, "logged once");
  assert.equal(logged.obj["code"], "ENTRY_APPLY_FAILED");
  assert.match(logged.msg, /entry 7 \(term 2\) as a no-op: not a proposal/);
});

test("a command the state machine cannot decode is a no-op that tells its proposer", () => {
  const { applier, machine, failures } = setup();
  const applied = applier.apply(entry(8, encodeEnvelope(tag, new Uint8Array([0xff]))));
  assert.ok(applied.kind === "invalid");
  assert.deepEqual(applied.tag, tag);
  assert.equal(applied.error.code, "INVALID_PROPOSAL");
  assert.match(applied.error.message, /index 8 .*unknown command 0xff/);
  assert.equal(machine.applied.length, 0);
  assert.equal(failures(), 1);
});

test("known-bad: a throw from apply is a bug and still propagates (fail-stop)", () => {
  const { applier, failures } = setup();
  const boom = encodeEnvelope(tag, new TextEncoder().encode("boom"));
  assert.throws(() => applier.apply(entry(9, boom)), /a bug in apply/);
  assert.equal(failures(), 0);
});
