import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { pino } from "pino";
import { prettyStream } from "./logger.js";

test("--log-format pretty prints one line per event, fields included", () => {
  let out = "";
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done): void {
      out += chunk.toString();
      done();
    },
  });
  const logger = pino({ level: "info", base: null }, prettyStream(false, sink));
  logger.info({ id: "n1", term: 3, nested: { peer: "n2", lag: 4 } }, "Became leader");
  assert.equal(out.split("\n").filter((line) => line !== "").length, 1, out);
  assert.match(out, /Became leader .*"term":3.*"lag":4/);
});
