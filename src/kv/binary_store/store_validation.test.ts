/**
 * StoreMachine.validate: unknown commands and malformed arguments are refused at both stages;
 * the configured size limits only when proposed (replicas' configurations may differ, so the
 * apply-time verdict depends on the format alone).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ValueTooLargeError } from "../errors.js";
import { encodeStoreCommand, packStore, StoreCommandDecodeError } from "./store_commands.js";
import { StoreMachine } from "./store_machine.js";

const enc = new TextEncoder();
const limits = { keyBytesMax: 8, valueBytesMax: 16, commandBytesMax: 128 };
const session = { clientId: "c", seq: 1 };

test("a well-formed command within the limits passes at both stages", () => {
  const machine = new StoreMachine({ limits });
  const bytes = encodeStoreCommand({ op: "set", ...session, key: enc.encode("k"),
    value: enc.encode("v"), condition: null });
  assert.equal(machine.validate(bytes, "propose"), null);
  assert.equal(machine.validate(bytes, "apply"), null);
  assert.deepEqual(machine.apply(bytes, 1), { kind: "written", written: true });
});

const malformed: readonly [string, Uint8Array][] = [
  ["garbage bytes", new Uint8Array([0xde, 0xad])],
  ["an unknown command", packStore(["x", "c", 1, enc.encode("k")])],
  ["a SET with a bad condition", packStore(["s", "c", 1, enc.encode("k"), enc.encode("v"), 9])],
  ["an INCRBY past 64 bits", packStore(["i", "c", 1, enc.encode("k"), "9".repeat(30)])],
  ["a DEL whose keys are not a list", packStore(["d", "c", 1, "k"])],
  ["a negative session seq", packStore(["d", "c", -1, []])],
];

for (const [what, bytes] of malformed) {
  test(`${what} is refused at both stages`, () => {
    const machine = new StoreMachine({ limits });
    for (const stage of ["propose", "apply"] as const) {
      assert.ok(machine.validate(bytes, stage) instanceof StoreCommandDecodeError, stage);
    }
  });
}

const oversized: readonly [string, Uint8Array, "key" | "value"][] = [
  ["a key",
    encodeStoreCommand({ op: "del", ...session, keys: [enc.encode("k"), new Uint8Array(9)] }), "key"],
  ["a SET value", encodeStoreCommand({ op: "set", ...session, key: enc.encode("k"),
    value: new Uint8Array(17), condition: null }), "value"],
  ["a CAS expected value", encodeStoreCommand({ op: "cas", ...session, key: enc.encode("k"),
    expected: new Uint8Array(17), next: enc.encode("n") }), "value"],
  ["a whole command", encodeStoreCommand({ op: "del", ...session,
    keys: Array.from({ length: 40 }, () => enc.encode("kk")) }), "value"],
];

for (const [what, bytes, kind] of oversized) {
  test(`${what} over the configured limit is refused when proposed, not when applied`, () => {
    const machine = new StoreMachine({ limits });
    const refused = machine.validate(bytes, "propose");
    assert.ok(refused instanceof ValueTooLargeError, String(refused));
    assert.equal(refused.what, kind);
    assert.equal(machine.validate(bytes, "apply"), null);
  });
}
