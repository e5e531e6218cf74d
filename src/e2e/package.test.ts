/**
 * The library as a package, tested as a user meets it: `npm pack`, install the tarball into a
 * scratch project, compile TypeScript that imports "raftkv" and run it; run the lock-service
 * example (examples/) and the README's library example, as written, against the packed package.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  REPO_ROOT, codeBlockAfter, compile, forbiddenReason, freePortRange, installTarball, packPackage,
  runProgram, type PackResult,
} from "./scratch_project.js";

const run = promisify(execFile);
const timeout = 10 * 60_000; // npm pack runs the package build: slow on a loaded machine
const scratch = mkdtempSync(join(tmpdir(), "raftkv-package-"));
let packed: PackResult;
let project: string;

const program = `
import { ClusterNode, MemoryNetwork, MemoryStorage, nodeId, NotLeaderError, type LogIndex,
  type StateMachine } from "raftkv";
import { ReplicatedKv } from "raftkv/kv";
import { checkHistory } from "raftkv/check";
import { RespServer } from "raftkv/server";

class Journal implements StateMachine<LogIndex> {
  readonly lines: string[] = [];
  apply(command: Uint8Array, index: LogIndex): LogIndex {
    this.lines.push(new TextDecoder().decode(command));
    return index;
  }
  snapshot(): Uint8Array { return new TextEncoder().encode(JSON.stringify(this.lines)); }
  restore(image: Uint8Array): void {
    this.lines.splice(0, Infinity, ...(JSON.parse(new TextDecoder().decode(image)) as string[]));
  }
}

const ids = ["n1", "n2", "n3"].map(nodeId);
const network = new MemoryNetwork();
const journals = new Map(ids.map((id) => [id, new Journal()]));
const nodes = await Promise.all(ids.map((id) => ClusterNode.start({
  id, peers: ids, transport: network.endpoint(id, ids), stateMachine: journals.get(id) ?? new Journal(),
  storage: new MemoryStorage({ voters: ids, learners: [], votersOutgoing: [] }),
})));
const leader = await Promise.all(nodes.map((node) => node.waitForLeader({ timeoutMs: 30_000 })));
const index = await nodes[2]?.propose(new TextEncoder().encode("hello"));
await nodes[0]?.readBarrier();
console.log(JSON.stringify({
  leaders: new Set(leader).size, index, line: journals.get(ids[0] ?? nodeId("n1"))?.lines.at(-1),
  exports: [ReplicatedKv, checkHistory, RespServer, NotLeaderError].map((f) => typeof f),
}));
await Promise.all(nodes.map((node) => node.stop()));
`;

before(async () => {
  packed = await packPackage(scratch);
  project = await installTarball(packed.tarball, join(scratch, "project"));
  writeFileSync(join(project, "program.ts"), program);
  copyFileSync(join(REPO_ROOT, "examples", "lock_service.ts"), join(project, "lock_service.ts"));
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  writeFileSync(join(project, "readme_example.ts"), codeBlockAfter(readme, "## Library API"));
  await compile(project);
}, { timeout });

after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

test("the tarball holds the package build and no tests, test support or e2e tests", () => {
  const forbidden = packed.files.flatMap((path) => {
    const reason = forbiddenReason(path);
    return reason === null ? [] : [`${path} (${reason})`];
  });
  assert.deepEqual(forbidden, []);
  for (const entry of ["lib/index.js", "lib/index.d.ts", "lib/kv/index.js", "lib/server/index.js",
    "lib/check/index.js", "bin/raftkv", "package.json"]) {
    assert.ok(packed.files.includes(entry), `${entry} is missing from the tarball`);
  }
  assert.ok(!packed.files.some((path) => path.startsWith("dist/") || path.startsWith("src/")));
});

test("the forbidden-file rule catches tests and test support", () => {
  for (const path of ["lib/node/cluster_node.test.js", "lib/node/testing_cluster.js",
    "lib/server/testing/memory_kv_service.js", "lib/transport/test_support.d.ts",
    "lib/e2e/scratch_project.js", "lib/server/http/routes_admin_testing.js",
    "lib/storage/storage_compliance.js"]) {
    assert.notEqual(forbiddenReason(path), null, path);
  }
  assert.equal(forbiddenReason("lib/node/cluster_node.js"), null);
});

test("TypeScript imports { ClusterNode } from \"raftkv\" (and the subpaths) and runs a cluster", async () => {
  const output = JSON.parse(await runProgram(project, "program.js")) as Record<string, unknown>;
  assert.deepEqual(output, {
    leaders: 1, index: output.index, line: "hello", exports: ["function", "function", "function", "function"],
  });
  assert.equal(typeof output.index, "number");
});

test("only the exports map's entry points resolve", async () => {
  const deep = "import('raftkv/lib/node/cluster_node.js').then(() => process.exit(3), " +
    "(e) => { console.log(e.code); })";
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", deep], { cwd: project });
  assert.equal(stdout.trim(), "ERR_PACKAGE_PATH_NOT_EXPORTED");
});

test("the lock-service example runs against the packed package", async () => {
  const output = await runProgram(project, "lock_service.js");
  assert.match(output, /fenced off/);
  assert.match(output, /the lock service works/);
});

test("the README's library example runs as written", async () => {
  const port = await freePortRange(3);
  const output = await runProgram(project, "readme_example.js", { RAFTKV_PORT: String(port) });
  assert.match(output, /total 5, n2 reads 5/);
});

test("bin/raftkv runs from the installed package (the package build, lib/)", async () => {
  const bin = join(project, "node_modules", "raftkv", "bin", "raftkv");
  const { stdout } = await run(process.execPath, [bin, "--help"], { cwd: project });
  assert.match(stdout, /Usage: raftkv/);
});
