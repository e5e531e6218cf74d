import { test } from "node:test";
import assert from "node:assert/strict";
import { CommandScheduler } from "./command_scheduler.js";

test("writes pipeline behind writes; reads wait for writes; writes wait for reads", () => {
  const scheduler = new CommandScheduler();
  const started: string[] = [];
  scheduler.submit("write", () => started.push("w1"));
  scheduler.submit("write", () => started.push("w2"));
  scheduler.submit("read", () => started.push("r1"));
  scheduler.submit("read", () => started.push("r2"));
  scheduler.submit("write", () => started.push("w3"));
  assert.deepEqual(started, ["w1", "w2"]);
  scheduler.settled("write");
  assert.deepEqual(started, ["w1", "w2"]);
  scheduler.settled("write");
  assert.deepEqual(started, ["w1", "w2", "r1", "r2"]);
  scheduler.settled("read");
  assert.deepEqual(started, ["w1", "w2", "r1", "r2"]);
  scheduler.settled("read");
  assert.deepEqual(started, ["w1", "w2", "r1", "r2", "w3"]);
});

test("a read queued behind a waiting write does not overtake it", () => {
  const scheduler = new CommandScheduler();
  const started: string[] = [];
  scheduler.submit("read", () => started.push("r1"));
  scheduler.submit("write", () => started.push("w1"));
  scheduler.submit("read", () => started.push("r2"));
  assert.deepEqual(started, ["r1"]);
  scheduler.settled("read");
  assert.deepEqual(started, ["r1", "w1"]);
});
