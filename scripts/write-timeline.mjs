#!/usr/bin/env node
// Merges the `timeline` trace lines of a cluster's nodes (raftkv ... --log-level trace; see
// withWriteTrace in src/app/node_server.ts) into a per-write timeline: for every log index, each
// stage's time after the leader's `proposed`, then the median and p90 over all writes.
// Usage: node scripts/write-timeline.mjs LOG [LOG...]   (lines may carry a "n1  | " prefix)
import { readFileSync } from "node:fs";

const byIndex = new Map(); // index -> { leader: Map(stage -> us), follower: Map(stage -> us) }
const leaderOf = new Map(); // index -> node that proposed it
const raw = [];
for (const file of process.argv.slice(2)) {
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const at = line.indexOf("{");
    if (at < 0 || !line.includes('"timeline"')) continue;
    let parsed;
    try { parsed = JSON.parse(line.slice(at)); } catch { continue; }
    const ev = parsed.events ?? [];
    for (let i = 0; i + 2 < ev.length; i += 3) raw.push([parsed.node, ev[i], ev[i + 1], ev[i + 2]]);
  }
}
for (const [node, stage, index] of raw) if (stage === "proposed") leaderOf.set(index, node);
const LEADER = ["proposed", "appended", "fsyncStart", "sent", "fsyncEnd", "ackReceived", "committed", "applied"];
const FOLLOWER = ["appendReceived", "appended", "fsyncStart", "fsyncEnd", "ackSent"];
for (const [node, stage, index, us] of raw) {
  const leader = leaderOf.get(index);
  if (leader === undefined) continue;
  let rec = byIndex.get(index);
  if (rec === undefined) byIndex.set(index, rec = { leader: new Map(), follower: new Map() });
  const side = node === leader ? rec.leader : rec.follower;
  if (node === leader ? !LEADER.includes(stage) : !FOLLOWER.includes(stage)) continue;
  // first occurrence wins (the first follower's ack is the one that commits with 3 nodes)
  if (!side.has(stage) || side.get(stage) > us) side.set(stage, us);
}
const rows = [...LEADER.map((s) => ["leader", s]), ...FOLLOWER.map((s) => ["follower", s])];
const samples = new Map(rows.map(([w, s]) => [`${w} ${s}`, []]));
let writes = 0;
for (const rec of byIndex.values()) {
  const t0 = rec.leader.get("proposed");
  if (t0 === undefined || !rec.leader.has("applied")) continue;
  writes++;
  for (const [who, stage] of rows) {
    const t = (who === "leader" ? rec.leader : rec.follower).get(stage);
    if (t !== undefined) samples.get(`${who} ${stage}`).push(t - t0);
  }
}
const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const order = [...samples.entries()].filter(([, xs]) => xs.length > 0)
  .sort((a, b) => q(a[1], 0.5) - q(b[1], 0.5));
console.log(`writes: ${writes}; microseconds after the leader's "proposed" (median, p90)`);
for (const [name, xs] of order) console.log(`${name.padEnd(24)} ${String(q(xs, 0.5)).padStart(7)} ${String(q(xs, 0.9)).padStart(7)}`);
