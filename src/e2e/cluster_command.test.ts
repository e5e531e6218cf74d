/**
 * The `raftkv cluster` command as a user runs it: endpoints table with pids, client commands
 * and status against it, a killed node reported while the others serve, and Ctrl-C (SIGINT)
 * stopping every node with no process left behind.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { ENTRY_PATH } from "../cli/entry.js";
import { EXIT_NO } from "../cli/kv_commands.js";
import { freePortBase } from "./testing/testing_cluster.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "raftkv-cluster-cmd-"));
let parent: ChildProcess | null = null;
const pids: number[] = [];

after(() => {
  if (parent?.exitCode === null) parent.kill("SIGKILL");
  for (const pid of pids) {
    try { process.kill(pid, "SIGKILL"); } catch { /* already gone */ }
  }
  rmSync(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function raftkv(endpoints: string, ...args: string[]): Promise<Ran> {
  try {
    const argv = [ENTRY_PATH, ...args, "--endpoints", endpoints];
    const { stdout, stderr } = await run(process.execPath, argv, { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

test("raftkv cluster: serves, reports a dead node, and Ctrl-C leaves no process behind",
  { timeout: 60_000 }, async () => {
  const base = await freePortBase(3);
  const child = spawn(process.execPath, [ENTRY_PATH, "cluster", "--nodes", "3", "--data-dir", dir,
    "--redis-port-base", String(base), "--http-port-base", String(base + 10),
    "--peer-port-base", String(base + 20)],
  { stdio: ["ignore", "pipe", "inherit"] });
  parent = child;
  const lines: string[] = [];
  const waiters: { pattern: RegExp; done: (line: string) => void }[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.done(line);
    }
  });
  const exited = once(child, "exit").then(([code]) => {
    const tail = lines.slice(-30).join("\n");
    throw new Error(`raftkv cluster exited early (${String(code)}):\n${tail}`);
  });
  exited.catch(() => undefined);
  const waitFor = (pattern: RegExp): Promise<string> => {
    const seen = lines.find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return Promise.race([new Promise<string>((done) => waiters.push({ pattern, done })), exited]);
  };

  await waitFor(/^Config: /);
  for (let i = 1; i <= 3; i++) {
    const row = lines.find((line) => line.startsWith(`n${i} `) && line.includes("redis-cli"));
    assert.ok(row, `endpoint row for n${i}`);
    pids.push(Number(row.split(/\s+/)[1]));
  }
  assert.ok(pids.every((pid) => Number.isSafeInteger(pid) && alive(pid)));
  const endpoints = [1, 2, 3].map((i) => `127.0.0.1:${base + 10 + i}`).join(",");

  assert.equal((await raftkv(endpoints, "put", "colour", "blue")).stdout.trim(), "OK");
  assert.equal((await raftkv(endpoints, "get", "colour")).stdout.trim(), "blue");
  assert.equal((await raftkv(endpoints, "cas", "colour", "red", "green")).code, EXIT_NO);
  const swapped = await raftkv(endpoints, "cas", "colour", "blue", "green");
  assert.equal(swapped.stdout.trim(), "swapped");
  const statusOut = (await raftkv(endpoints, "status", "--json")).stdout;
  const status = JSON.parse(statusOut) as { status: { role: string } | null }[];
  assert.equal(status.filter((s) => s.status?.role === "leader").length, 1);

  const victim = pids[1] ?? 0;
  process.kill(victim, "SIGKILL");
  await waitFor(new RegExp(`n2 \\(pid ${victim}\\) exited by signal SIGKILL`));
  assert.equal((await raftkv(endpoints, "get", "colour")).stdout.trim(), "green");
  assert.equal((await raftkv(endpoints, "del", "colour")).stdout.trim(), "deleted");
  assert.equal((await raftkv(endpoints, "get", "colour")).code, EXIT_NO);

  child.kill("SIGINT");
  await assert.rejects(exited, /exited early \(0\)/);
  assert.ok(lines.some((line) => line.includes("All nodes stopped")));
  assert.deepEqual(pids.filter(alive), []);
});
