import { test } from "node:test";
import assert from "node:assert/strict";
import { FdExhaustionLog, isFdExhaustion, parseOpenFilesLimit } from "./fd_exhaustion.js";
import type { Logger } from "./logger.js";

const limitsText = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

function acceptError(code: string): Error {
  return Object.assign(new Error(`accept ${code}`), { code, syscall: "accept" });
}

test("the soft open-files limit is read from /proc/self/limits text", () => {
  assert.equal(parseOpenFilesLimit(limitsText), 1024);
  assert.equal(parseOpenFilesLimit("Max open files  unlimited  unlimited  files\n"), null);
  assert.equal(parseOpenFilesLimit(""), null);
});

test("EMFILE and ENFILE are descriptor exhaustion; other errors are not", () => {
  assert.ok(isFdExhaustion(acceptError("EMFILE")));
  assert.ok(isFdExhaustion(acceptError("ENFILE")));
  assert.ok(!isFdExhaustion(acceptError("ECONNRESET")));
  assert.ok(!isFdExhaustion(null));
});

test("descriptor exhaustion is logged once per burst, with the limit and what to raise", () => {
  const errors: { fields: object; message: string }[] = [];
  const none = (): void => undefined;
  const logger: Logger = {
    debug: none, info: none, warn: none,
    error: (fields, message = "") => { errors.push({ fields, message }); },
  };
  let now = 0;
  const log = new FdExhaustionLog(logger, { burstMs: 1000, now: () => now, limit: () => 1024 });
  assert.equal(log.record(acceptError("ECONNRESET"), "RESP"), false);
  for (let i = 0; i < 50; i++) {
    assert.equal(log.record(acceptError("EMFILE"), "RESP"), true);
    now += 10;
  }
  assert.equal(errors.length, 1, "one line for the whole burst");
  assert.match(errors[0]?.message ?? "", /ulimit -n: 1024/);
  assert.match(errors[0]?.message ?? "", /LimitNOFILE/);
  now += 2000;
  log.record(acceptError("ENFILE"), "HTTP");
  assert.equal(errors.length, 2, "a new burst logs again");
  assert.deepEqual((errors[1]?.fields as { refusedSinceLastLog: number }).refusedSinceLastLog, 49);
  assert.match(errors[1]?.message ?? "", /system-wide/);
});
