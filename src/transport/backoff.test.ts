import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, SeededRng } from "../core/index.js";
import { Backoff } from "./backoff.js";

test("delays double from initialMs within [ceiling/2, ceiling], cap at maxMs, and reset", () => {
  const backoff = new Backoff({ initialMs: 10, maxMs: 100 }, new SeededRng(42));
  const ceilings = [10, 20, 40, 80, 100, 100, 100];
  for (const ceiling of ceilings) {
    const delay = backoff.nextDelayMs();
    assert.ok(delay >= ceiling / 2 && delay <= ceiling, `${delay} out of range ${ceiling}`);
  }
  backoff.reset();
  assert.ok(backoff.nextDelayMs() <= 10);
});

test("jitter comes from the injected source: its extremes give the extremes of the range", () => {
  const options = { initialMs: 100, maxMs: 100 };
  assert.equal(new Backoff(options, { nextFloat: () => 0 }).nextDelayMs(), 50);
  assert.equal(new Backoff(options, { nextFloat: () => 0.999999 }).nextDelayMs(), 100);
});

test("the same seed gives the same delays; different seeds spread redials apart", () => {
  const run = (seed: number): number[] => {
    const b = new Backoff({ initialMs: 1000, maxMs: 1000 }, new SeededRng(seed));
    return [1, 2, 3, 4].map(() => b.nextDelayMs());
  };
  assert.deepEqual(run(7), run(7));
  assert.notDeepEqual(run(7), run(8));
});

test("invalid options are refused up front", () => {
  assert.throws(() => new Backoff({ initialMs: 0, maxMs: 10 }, new SeededRng(1)), ConfigError);
  assert.throws(() => new Backoff({ initialMs: 20, maxMs: 10 }, new SeededRng(1)), ConfigError);
});
