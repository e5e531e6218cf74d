/**
 * The checks a proposal passes before the core sees it (proposal_validation.ts), each fed a
 * known-bad input, and the envelope decoder that never throws on foreign bytes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { nodeId, term, type ConfState, type Propose } from "../core/index.js";
import { RecordingLogger } from "../transport/test_support.js";
import { checkEnvelope, encodeEnvelope, envelopeOverheadBytes } from "./envelope.js";
import { InvalidProposalError } from "./errors.js";
import { ProposalValidator } from "./proposal_validation.js";
import type { StateMachine, ValidationStage } from "./state_machine.js";

const [n1, n2, n3, n4, n9] = ["n1", "n2", "n3", "n4", "n9"].map(nodeId) as
  [ReturnType<typeof nodeId>, ReturnType<typeof nodeId>, ReturnType<typeof nodeId>,
    ReturnType<typeof nodeId>, ReturnType<typeof nodeId>];
const conf: ConfState = { voters: [n1, n2], learners: [n3], votersOutgoing: [n4] };
const enc = new TextEncoder();

/** Accepts commands that start with "ok"; records the stages it was asked at. */
class PickyMachine implements StateMachine<null> {
  readonly stages: ValidationStage[] = [];
  apply(): null { return null; }
  snapshot(): Uint8Array { return new Uint8Array(0); }
  restore(): void { /* stateless */ }
  validate(command: Uint8Array, stage: ValidationStage): Error | null {
    this.stages.push(stage);
    return new TextDecoder().decode(command).startsWith("ok") ? null : new Error("not ok");
  }
}

function setup(proposalBytesMax = 1024, skip = false) {
  const logger = new RecordingLogger();
  const machine = new PickyMachine();
  const validator = new ProposalValidator({
    id: n1, stateMachine: machine, proposalBytesMax, logger,
    testing: { skipProposalValidation: skip },
  });
  return { logger, machine, validator };
}

function propose(from: typeof n1, data: Uint8Array): Propose {
  return { type: "Propose", from, to: n1, term: term(0), data };
}

const wrapped = (text: string, proposer = n2): Uint8Array =>
  encodeEnvelope({ proposer, incarnation: 5, seq: 9 }, enc.encode(text));

test("a well-formed forwarded proposal from any member (voter, learner, outgoing) is admitted",
  () => {
    const { validator, machine, logger } = setup();
    for (const from of [n2, n3, n4]) {
      assert.equal(validator.admitForwarded(propose(from, wrapped("ok")), conf), true);
    }
    assert.deepEqual(machine.stages, ["propose", "propose", "propose"]);
    assert.equal(logger.entries.length, 0);
  });

const refusals: readonly [string, Propose, RegExp][] = [
  ["a non-member", propose(n9, wrapped("ok")), /n9 is not a member/],
  ["bytes that are not an envelope", propose(n2, new Uint8Array([0xde, 0xad])),
    /not a proposal envelope: 2 bytes/],
  ["an unknown envelope version", propose(n2, new Uint8Array(40).fill(9)),
    /unknown envelope version 9/],
  ["a command the state machine refuses", propose(n2, wrapped("evil")), /not ok/],
  ["more than proposalBytesMax", propose(n2, wrapped(`ok${"x".repeat(2000)}`)),
    /more than proposalBytesMax \(1024\)/],
];

for (const [what, m, reason] of refusals) {
  test(`a forwarded proposal from ${what} is dropped and logged with the sender`, () => {
    const { validator, logger } = setup();
    assert.equal(validator.admitForwarded(m, conf), false);
    const entry = logger.entries.at(-1);
    assert.ok(entry !== undefined);
    assert.equal(entry.obj["from"], m.from);
    assert.equal(entry.obj["code"], "INVALID_PROPOSAL");
    assert.match(entry.msg, reason);
  });
}

test("a local command is checked for size (with its envelope) and by the state machine", () => {
  const { validator } = setup(64);
  assert.equal(validator.checkLocal(enc.encode("ok")), null);
  const refused = validator.checkLocal(enc.encode("bad"));
  assert.ok(refused instanceof InvalidProposalError);
  assert.equal(refused.code, "INVALID_PROPOSAL");
  assert.equal(refused.definite, true);
  assert.ok(refused.cause instanceof Error);
  const fits = 64 - envelopeOverheadBytes(n1);
  assert.equal(validator.checkLocal(enc.encode(`ok${"x".repeat(fits - 2)}`)), null);
  assert.match(validator.checkLocal(enc.encode(`ok${"x".repeat(fits - 1)}`))?.message ?? "",
    /65 bytes is more than proposalBytesMax/);
});

test("the testing hook lets everything through (how tests commit undecodable entries)", () => {
  const { validator } = setup(16, true);
  assert.equal(validator.admitForwarded(propose(n9, new Uint8Array([1])), conf), true);
  assert.equal(validator.checkLocal(enc.encode("evil".repeat(100))), null);
});

test("checkEnvelope decodes what encodeEnvelope wrote and never throws on foreign bytes", () => {
  const decoded = checkEnvelope(wrapped("ok"));
  assert.ok(typeof decoded !== "string");
  assert.deepEqual(decoded.tag, { proposer: n2, incarnation: 5, seq: 9 });
  assert.equal(new TextDecoder().decode(decoded.command), "ok");
  const good = wrapped("ok");
  const badId = Uint8Array.from(good);
  badId[2] = 0x20; // a space: not a node id
  const badUtf8 = Uint8Array.from(good);
  badUtf8[2] = 0xff;
  const hugeSeq = Uint8Array.from(good);
  hugeSeq.fill(0xff, 2 + 2 + 8, 2 + 2 + 16);
  const truncated = Uint8Array.from(good);
  truncated[1] = 200;
  for (const [bytes, reason] of [
    [new Uint8Array(0), /shorter than an envelope/], [badId, /is not a node id/],
    [badUtf8, /not UTF-8/], [hugeSeq, /out of range/], [truncated, /truncated/],
  ] as const) {
    const result = checkEnvelope(bytes);
    assert.ok(typeof result === "string", String(reason));
    assert.match(result, reason);
  }
});
