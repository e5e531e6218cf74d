import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkExitCodes, runCheck, type CheckOutput } from "./check_command.js";

const dir = mkdtempSync(join(tmpdir(), "raftkv-check-"));

function historyFile(name: string, lines: readonly object[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((line) => JSON.stringify(line)).join("\n") + "\n");
  return path;
}

function capture(): CheckOutput & { readonly stdout: string[]; readonly stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

const staleRead = historyFile("stale.jsonl", [
  { process: 0, type: "invoke", f: "write", key: "x", value: 1, time: 0 },
  { process: 0, type: "ok", f: "write", key: "x", value: 1, time: 1 },
  { process: 0, type: "invoke", f: "write", key: "x", value: 2, time: 2 },
  { process: 0, type: "ok", f: "write", key: "x", value: 2, time: 3 },
  { process: 1, type: "invoke", f: "read", key: "x", value: null, time: 4 },
  { process: 1, type: "ok", f: "read", key: "x", value: 1, time: 5 },
]);
const good = historyFile("good.jsonl", [
  { process: 0, type: "invoke", f: "write", key: "x", value: 1, time: 0 },
  { process: 1, type: "invoke", f: "write", key: "x", value: 2, time: 1 },
  { process: 2, type: "invoke", f: "write", key: "x", value: 3, time: 2 },
  { process: 4, type: "invoke", f: "read", key: "x", value: null, time: 3 },
  { process: 5, type: "invoke", f: "read", key: "x", value: null, time: 3 },
  { process: 4, type: "ok", f: "read", key: "x", value: 2, time: 9 },
  { process: 5, type: "ok", f: "read", key: "x", value: 3, time: 9 },
  { process: 0, type: "ok", f: "write", key: "x", value: 1, time: 10 },
  { process: 1, type: "ok", f: "write", key: "x", value: 2, time: 11 },
  { process: 2, type: "ok", f: "write", key: "x", value: 3, time: 12 },
  { process: 3, type: "invoke", f: "read", key: "x", value: null, time: 13 },
  { process: 3, type: "ok", f: "read", key: "x", value: 1, time: 14 },
]);

test("exit 0 and `linearizable` for a linearizable history, with stats on stderr", async () => {
  const output = capture();
  assert.equal(await runCheck(good, 2_000_000, output), checkExitCodes.linearizable);
  assert.deepEqual(output.stdout, ["linearizable"]);
  assert.match(output.stderr[0] ?? "", /^6 ops on 1 keys checked in \d+ ms$/);
});

test("exit 1, the key and a counterexample for a stale read", async () => {
  const output = capture();
  assert.equal(await runCheck(staleRead, 2_000_000, output), checkExitCodes.notLinearizable);
  assert.equal(output.stdout[0], "NOT linearizable");
  assert.equal(output.stdout[1], `key: "x"`);
  assert.match(output.stdout[2] ?? "", /completed before write 2/);
  assert.ok(output.stdout.some((line) => line.includes("process 1: read 1 -> ok (t=4..5)")));
});

test("exit 2 and the reason when the budget runs out", async () => {
  const output = capture();
  assert.equal(await runCheck(good, 2, output), checkExitCodes.unknown);
  assert.equal(output.stdout[0], "unknown");
  assert.match(output.stdout[1] ?? "", /budget of 2 steps exhausted on key "x"/);
});

test("exit 3 naming the file if it is missing, and the line if it is malformed", async () => {
  const missing = capture();
  const path = join(dir, "missing.jsonl");
  assert.equal(await runCheck(path, 10, missing), checkExitCodes.badInput);
  assert.match(missing.stderr[0] ?? "", new RegExp(`^Cannot read history file ${path}: .*ENOENT`));
  const broken = join(dir, "broken.jsonl");
  const orphan = { process: 0, type: "ok", f: "read", key: "x", value: 1, time: 1 };
  writeFileSync(broken, JSON.stringify(orphan) + "\n");
  const malformed = capture();
  assert.equal(await runCheck(broken, 10, malformed), checkExitCodes.badInput);
  assert.match(malformed.stderr[0] ?? "", /^Malformed history file .*broken\.jsonl, line 1: /);
  assert.match(malformed.stderr[0] ?? "", /no open invocation/);
});

/** Runs `raftkv ARGS` through the compiled main, as bin/raftkv does. */
interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function raftkv(...args: readonly string[]): RunResult {
  const mainUrl = new URL("./main.js", import.meta.url).href;
  const script = `const { main } = await import(${JSON.stringify(mainUrl)});` +
    `await main(["node", "raftkv", ...process.argv.slice(1)]);`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script, "--", ...args], {
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("the `raftkv check` command sets the exit status and documents it", () => {
  const bad = raftkv("check", staleRead);
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stdout, /^NOT linearizable\n/);
  const fine = raftkv("check", "--budget", "100000", good);
  assert.equal(fine.status, 0, fine.stderr);
  assert.equal(fine.stdout, "linearizable\n");
  const usage = raftkv("check", "--budget", "lots", good);
  assert.equal(usage.status, 3);
  assert.match(usage.stderr, /--budget/);
  const help = raftkv("check", "--help");
  assert.equal(help.status, 0);
  assert.match(help.stdout, /3 {2}the file is missing or unreadable, the history is/);
});
