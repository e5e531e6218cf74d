/**
 * Architecture rules that a reviewer should not have to check by hand (ARCHITECTURE.md):
 * `src/core/` is pure and imports nothing outside itself, imports between layers point one way,
 * and `src/node/` and `src/kv/` reach clocks, timers and randomness only through the host.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const srcRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../src");

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out;
}

function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const pattern = /(?:import|export)\s[^'";]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
  for (const match of source.matchAll(pattern)) specifiers.push(match[1] ?? match[2] ?? "");
  return specifiers;
}

/** Which top-level folders each layer may import (ARCHITECTURE.md, "Layers"). */
const allowed: Record<string, readonly string[]> = {
  core: ["core"],
  storage: ["storage", "core"],
  transport: ["transport", "core"],
  node: ["node", "core", "storage", "transport"],
  kv: ["kv", "core", "node"],
  check: ["check", "core"],
  sim: ["sim", "core", "storage", "transport", "node", "kv", "check"],
  maelstrom: ["maelstrom", "core", "storage", "transport", "kv", "check", "node"],
  server: ["server", "core", "node", "kv", "storage"],
  app: ["app", "core", "storage", "transport", "node", "kv", "check", "sim", "maelstrom", "server"],
  cli: ["cli", "app", "core", "storage", "transport", "node", "kv", "check", "sim", "maelstrom", "server"],
  e2e: ["e2e", "cli", "app", "core", "storage", "transport", "node", "kv", "check", "sim", "maelstrom", "server"],
};

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

function layerOf(path: string): string {
  const rel = relative(srcRoot, path);
  return rel.includes("/") ? (rel.split("/")[0] ?? "") : "";
}

test("src/core imports nothing from Node.js or from other folders, and uses no clocks or randomness", () => {
  const offences: string[] = [];
  for (const file of sourceFiles(join(srcRoot, "core"))) {
    if (file.endsWith(".test.ts")) continue;
    const source = withoutComments(readFileSync(file, "utf8"));
    for (const spec of importsOf(source)) {
      const inCore = spec.startsWith(".") && layerOf(resolve(dirname(file), spec)) === "core";
      if (!inCore) offences.push(`${relative(srcRoot, file)} imports ${spec}`);
    }
    for (const banned of [/\bDate\b/, /Math\.random/, /\bsetTimeout\b/, /\bsetInterval\b/, /\bprocess\./, /\basync\b/, /\brequire\(/]) {
      if (banned.test(source)) offences.push(`${relative(srcRoot, file)} uses ${String(banned)}`);
    }
  }
  assert.deepEqual(offences, []);
});

test("imports between layers point one way", () => {
  const offences: string[] = [];
  for (const file of sourceFiles(srcRoot)) {
    const layer = layerOf(file);
    if (layer === "" || file.endsWith(".test.ts")) continue;
    const permitted = allowed[layer];
    assert.ok(permitted, `unknown layer folder src/${layer}: add it to the table in tidy.test.ts`);
    for (const spec of importsOf(readFileSync(file, "utf8"))) {
      if (!spec.startsWith(".")) continue;
      const target = layerOf(resolve(dirname(file), spec));
      if (target !== "" && !permitted.includes(target)) {
        offences.push(`${relative(srcRoot, file)} (${layer}) imports ${spec} (${target})`);
      }
    }
  }
  assert.deepEqual(offences, []);
});

test("the purity check can fail: it sees imports and ignores comments", () => {
  assert.deepEqual(importsOf('import { readFileSync } from "node:fs";'), ["node:fs"]);
  assert.equal(withoutComments("// Math.random\n/* Date */ x").trim(), "x");
});

/** Clock, timer and random globals: node/ and kv/ take them from the host (node/host.ts). */
const hostOnly: readonly RegExp[] = [
  /\bperformance\.now\b/, /\bDate\b/, /\bprocess\.hrtime\b/, /\bsetTimeout\b/,
  /\bsetInterval\b/, /\bsetImmediate\b/, /\bclearTimeout\b/, /\bclearInterval\b/,
  /\bclearImmediate\b/, /\bMath\.random\b/, /\bgetRandomValues\b/,
  // node:crypto's functions (the host draws through `host.drawInt` and `host.drawBytes`).
  /(?<!\.)\brandomInt\b/, /(?<!\.)\brandomBytes\b/, /(?<!\.)\brandomUUID\b/,
];

function hostOffences(source: string): string[] {
  const code = withoutComments(source);
  return hostOnly.filter((banned) => banned.test(code)).map(String);
}

test("src/node and src/kv use clocks, timers and randomness only through the host", () => {
  const offences: string[] = [];
  for (const layer of ["node", "kv"]) {
    for (const file of sourceFiles(join(srcRoot, layer))) {
      const rel = relative(srcRoot, file);
      if (file.endsWith(".test.ts") || rel === "node/host.ts" || rel.includes("/testing/")) continue;
      for (const banned of hostOffences(readFileSync(file, "utf8"))) offences.push(`${rel} uses ${banned}`);
    }
  }
  assert.deepEqual(offences, []);
});

test("the host check can fail: it sees each kind of global and ignores comments", () => {
  const bad = [
    "const t = performance.now();", "setInterval(tick, 10);", "setImmediate(run);",
    'import { randomInt } from "node:crypto";', "const id = randomBytes(8);", "Date.now()",
  ];
  for (const line of bad) assert.notDeepEqual(hostOffences(line), [], line);
  assert.deepEqual(hostOffences("host.drawInt(10); host.drawBytes(8);"), []);
  assert.deepEqual(hostOffences("// performance.now() in a comment\nhost.nowMs();"), []);
});
