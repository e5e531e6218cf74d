/**
 * ListValue (a ring buffer) against a plain array: pushes and pops at both ends that wrap the
 * ring, grow it and shrink it, plus set, at, slice and replaceAll.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ListValue } from "./list_value.js";
import { CommandRandom } from "./random.js";

const item = (n: number): Uint8Array => Buffer.from(`item-${n}`);

test("ListValue behaves as an array under random pushes and pops at both ends", () => {
  const random = new CommandRandom(3);
  const list = new ListValue();
  const model: Uint8Array[] = [];
  for (let step = 0; step < 20_000; step++) {
    const op = random.nextInt(10);
    // Phases of growth and of shrinking, so the ring grows and shrinks several times.
    const growing = Math.floor(step / 2500) % 2 === 0;
    if (op < (growing ? 7 : 3)) {
      const value = item(step);
      if (op % 2 === 0) {
        list.pushLeft(value);
        model.unshift(value);
      } else {
        list.pushRight(value);
        model.push(value);
      }
    } else if (op % 2 === 0) {
      assert.deepEqual(list.popLeft(), model.shift());
    } else {
      assert.deepEqual(list.popRight(), model.pop());
    }
    assert.equal(list.length, model.length);
    if (step % 97 === 0 && model.length > 0) {
      const index = random.nextInt(model.length);
      assert.deepEqual(list.at(index), model[index]);
      list.set(index, item(-step));
      model[index] = item(-step);
    }
  }
  assert.deepEqual(list.toArray(), model);
  assert.equal(list.at(model.length), undefined);
  assert.equal(list.at(-1), undefined);
  assert.deepEqual(list.slice(1, 3), model.slice(1, 4));
  list.replaceAll(model.slice(0, 5));
  assert.deepEqual(list.toArray(), model.slice(0, 5));
});

test("ListValue's memory estimate follows its items and returns to zero when emptied", () => {
  const list = ListValue.fromArray([item(1), item(22)]);
  const bytes = list.estimatedBytes();
  assert.ok(bytes > 0);
  list.set(0, item(333));
  assert.equal(list.estimatedBytes(), bytes + 2);
  list.popLeft();
  list.popRight();
  assert.equal(list.estimatedBytes(), 0);
  assert.equal(list.popLeft(), undefined);
  assert.throws(() => { list.set(0, item(1)); }, RangeError);
});
