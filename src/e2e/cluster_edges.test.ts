/**
 * The edges of `raftkv cluster` and of a node's life, as an operator meets them: a bad flag is
 * one line, taken ports are named before anything starts, a node that fails at start is
 * reported while the others serve, a removed node answers 410 and exits, and a rerun keeps the
 * membership (the removed node is not started again).
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { ENTRY_PATH } from "../cli/entry.js";
import { freePortBase } from "./testing/testing_cluster.js";

const run = promisify(execFile);
const dirs: string[] = [];
const children: ChildProcess[] = [];

after(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "raftkv-edges-"));
  dirs.push(dir);
  return dir;
}

interface Ran { readonly code: number; readonly stdout: string; readonly stderr: string }

async function raftkv(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(process.execPath, [ENTRY_PATH, ...args], { timeout: 30_000, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

function portFlags(base: number): string[] {
  return ["--redis-port-base", String(base), "--http-port-base", String(base + 10),
    "--peer-port-base", String(base + 20)];
}

/** A running `raftkv cluster` whose output lines a test can wait for. */
function startCluster(dir: string, base: number, env: NodeJS.ProcessEnv = process.env): {
  child: ChildProcess; lines: string[]; waitFor: (pattern: RegExp) => Promise<string>;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [ENTRY_PATH, "cluster", "--nodes", "3", "--data-dir", dir,
    ...portFlags(base)], { stdio: ["ignore", "pipe", "pipe"], env });
  children.push(child);
  const lines: string[] = [];
  const waiters: { pattern: RegExp; done: (line: string) => void }[] = [];
  const exited = once(child, "exit").then(([code]) => code as number | null);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.done(line);
      }
    });
  }
  const waitFor = (pattern: RegExp): Promise<string> => {
    const seen = lines.find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return Promise.race([
      new Promise<string>((done) => waiters.push({ pattern, done })),
      exited.then((code) => {
        throw new Error(`raftkv cluster exited (${String(code)}) before ${String(pattern)}:\n`
          + lines.slice(-25).join("\n"));
      }),
    ]);
  };
  return { child, lines, waitFor, exited };
}

/** Sends one RESP command to 127.0.0.1:`port` and returns the first reply line. */
function respCommand(port: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const end = text.indexOf("\r\n");
      if (end < 0) return;
      socket.destroy();
      resolve(text.slice(0, end));
    });
    socket.on("error", reject);
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`);
  });
}

async function stopCluster(cluster: ReturnType<typeof startCluster>): Promise<void> {
  cluster.child.kill("SIGINT");
  assert.equal(await cluster.exited, 0);
}

test("a bad flag is one line and exit 1, never a stack trace", async () => {
  for (const args of [["--nodes", "0"], ["--nodes", "three"], ["--http-port-base", "70000"]]) {
    const ran = await raftkv(["cluster", "--data-dir", scratch(), ...args]);
    assert.equal(ran.code, 1, args.join(" "));
    const lines = ran.stderr.trim().split("\n");
    assert.equal(lines.length, 1, ran.stderr);
    assert.match(lines[0] ?? "", /^raftkv cluster: --(nodes|http-port-base) must be /);
  }
});

test("taken ports are all named before any node starts", async () => {
  const base = await freePortBase(3);
  const blocker = createServer();
  await new Promise<void>((done) => { blocker.listen(base + 12, "127.0.0.1", done); });
  try {
    const dir = scratch();
    const ran = await raftkv(["cluster", "--data-dir", dir, ...portFlags(base)]);
    assert.equal(ran.code, 1);
    assert.match(ran.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1: ${base + 12} in use \\(EADDRINUSE\\)`));
    assert.ok(!ran.stdout.includes("redis-cli"), "no ready table");
  } finally {
    blocker.close();
  }
});

test("a node failing at start is reported while the majority serves; a removed node answers 410, "
  + "exits, and stays removed on a rerun", { timeout: 120_000 }, async () => {
  const dir = scratch();
  const base = await freePortBase(3);
  const http = (i: number): string => `127.0.0.1:${base + 10 + i}`;
  const endpoints = [1, 2, 3].map(http).join(",");
  // First run: founds the cluster, then stops.
  let cluster = startCluster(dir, base);
  await cluster.waitFor(/^Config: /);
  await stopCluster(cluster);

  // n3's data directory now claims another cluster: n3 refuses to start (exit 78).
  const n3Identity = join(dir, "n3", "raftkv.json");
  writeFileSync(n3Identity, JSON.stringify({ clusterId: "other", nodeId: "n3", formatVersion: 1 }));
  cluster = startCluster(dir, base);
  await cluster.waitFor(/^\[cluster\] n3 failed to start: n3 exited before it was ready: .*holds data of cluster "other"/);
  await cluster.waitFor(/^\[cluster\] n1, n2 keep serving \(2 of 3, a majority\)/);
  await cluster.waitFor(/^Config: /);
  const put = await raftkv(["put", "k", "v", "--endpoints", endpoints]);
  assert.equal(put.stdout.trim(), "OK", put.stderr);
  await stopCluster(cluster);
  rmSync(join(dir, "n3"), { recursive: true, force: true }); // n3 rejoins empty, caught up by the others

  // Third run, with a short grace: remove n3; it answers 410, then exits.
  const env = { ...process.env, RAFTKV_REMOVED_GRACE_MS: "1500" };
  cluster = startCluster(dir, base, env);
  await cluster.waitFor(/^Config: /);
  const removed = await raftkv(["member", "remove", "n3", "--endpoints", endpoints]);
  assert.equal(removed.code, 0, removed.stderr);
  const gone = await fetch(`http://${http(3)}/v1/kv/k`);
  assert.equal(gone.status, 410);
  assert.match(await gone.text(), /n3 was removed from the cluster/);
  assert.equal((await fetch(`http://${http(3)}/healthz`)).status, 410);
  assert.match(await respCommand(base + 3, ["GET", "k"]), /^-ERR n3 was removed from the cluster/);
  assert.match(await respCommand(base + 3, ["SET", "k", "w"]), /^-ERR n3 was removed from the cluster/);
  await cluster.waitFor(/^\[cluster\] n3 \(pid \d+\) exited with code 0: it was removed from the cluster; n1, n2 keep serving \(2 of 2, a majority\)/);
  const list = await raftkv(["member", "list", "--json", "--endpoints", endpoints]);
  const ids = (JSON.parse(list.stdout) as { members: { id: string }[] }).members.map((m) => m.id);
  assert.deepEqual(ids.sort(), ["n1", "n2"]);
  await stopCluster(cluster);

  // A rerun keeps the membership it last ran with: n3 stays removed.
  cluster = startCluster(dir, base);
  await cluster.waitFor(/^\[cluster\] n3 was removed from the cluster \(configuration at index \d+\): not starting it/);
  await cluster.waitFor(/^Config: /);
  assert.equal((await raftkv(["get", "k", "--endpoints", endpoints])).stdout.trim(), "v");
  const status = JSON.parse((await raftkv(["status", "--json", "--endpoints", endpoints])).stdout) as
    { status: { id: string } | null }[];
  assert.deepEqual(status.flatMap((s) => (s.status === null ? [] : [s.status.id])).sort(), ["n1", "n2"]);
  await stopCluster(cluster);
});
