#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): busy share of wall time, self time grouped by
// area (raftkv layer, fastify, pino, TLS/net, GC, idle) and the top functions by self time.
// Usage: node scripts/cpu-profile-summary.mjs FILE.cpuprofile [TOP=15]
import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
for (let i = 0; i < prof.samples.length; i++) {
  const dt = prof.timeDeltas[i + 1] ?? 0;
  self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt);
}
function area(cf) {
  const url = cf.url ?? "";
  if (cf.functionName === "(idle)") return "idle";
  if (cf.functionName === "(garbage collector)") return "gc";
  if (cf.functionName === "(program)") return "program (native, not JS)";
  const m = /\/dist\/([a-z_]+)(?:\/([a-z_]+))?\//.exec(url);
  if (m) return `raftkv ${m[1]}${m[1] === "server" && m[2] ? "/" + m[2] : ""}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith("node:")) return url.replace(/^node:(internal\/)?/, "node:").split("/")[0];
  return url === "" ? "native/builtin" : "other";
}
const areas = new Map(); const fns = new Map(); let total = 0;
for (const [id, us] of self) {
  const cf = byId.get(id).callFrame; total += us;
  const a = area(cf); areas.set(a, (areas.get(a) ?? 0) + us);
  const key = `${cf.functionName || "(anon)"} ${(cf.url ?? "").replace(/^.*\/(dist|node_modules)\//, "$1/")}:${cf.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
}
const idle = areas.get("idle") ?? 0;
const pct = (x) => `${(100 * x / total).toFixed(1)}%`.padStart(6);
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled, busy ${pct(total - idle)}`);
for (const [a, us] of [...areas].sort((x, y) => y[1] - x[1]).slice(0, 14)) console.log(`  ${pct(us)}  ${a}`);
console.log("  top functions by self time:");
for (const [f, us] of [...fns].filter(([f]) => !f.startsWith("(idle)")).sort((x, y) => y[1] - x[1]).slice(0, Number(topArg ?? 15))) console.log(`  ${pct(us)}  ${f}`);
