import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  FdExhaustionLog, FdWatch, isFdExhaustion, parseOpenFilesLimit,
} from "./fd_exhaustion.js";
import type { Logger } from "../core/logger.js";

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

test("FdWatch reports EMFILE only when the descriptors in use reach the limit", () => {
  const errors: string[] = [];
  const none = (): void => undefined;
  const logger: Logger = {
    debug: none, info: none, warn: none,
    error: (_fields, message = "") => { errors.push(message); },
  };
  let now = 0;
  const log = new FdExhaustionLog(logger, { now: () => now, limit: () => 1024 });
  let open = 100;
  let clients = 50;
  const watch = new FdWatch(log, { clientCount: () => clients, openCount: () => open });
  assert.equal(watch.check(), false, "far from the limit: not even counted");
  clients = 900;
  open = 1000;
  assert.equal(watch.check(), false, "close, but descriptors remain");
  open = 1023;
  assert.equal(watch.check(), true);
  const full = new FdWatch(log, {
    clientCount: () => 1000,
    openCount: () => { throw Object.assign(new Error("EMFILE"), { code: "EMFILE" }); },
  });
  now += 60_000;
  assert.equal(full.check(), true, "no descriptor left even to list them");
  assert.equal(errors.length, 2);
});

test("a server process out of descriptors logs EMFILE with its ulimit", { timeout: 30_000 },
  async () => {
    const script = fileURLToPath(new URL("./testing/fd_limited_server.js", import.meta.url));
    // 128: low enough to run out quickly, high enough for the ES module loader, which opens
    // the program's module files concurrently at startup.
    const child = spawn("bash", ["-c", `ulimit -n 128 && exec "${process.execPath}" "${script}"`],
      { stdio: ["pipe", "pipe", "inherit"] });
    const sockets: Socket[] = [];
    try {
      const lines = createInterface({ input: child.stdout });
      let logged = "";
      for await (const line of lines) {
        const port = /^PORT (\d+)$/.exec(line)?.[1];
        if (port !== undefined) {
          for (let i = 0; i < 200; i++) {
            const socket = connect(Number(port), "127.0.0.1");
            socket.on("error", () => undefined);
            sockets.push(socket);
          }
        }
        if (line.startsWith("ERROR")) {
          logged = line;
          break;
        }
      }
      assert.match(logged, /"code":"EMFILE"/);
      assert.match(logged, /ulimit -n: 128/);
    } finally {
      for (const socket of sockets) socket.destroy();
      child.stdin.end();
      child.kill();
    }
  });
