/**
 * The Redis side of the simulated clients' mix: with some of their register operations they
 * send one command of the store's wider vocabulary (TTLs, counters, hashes, lists, sets with
 * SPOP, sorted sets) on keys of their own, outside the register history. Their replies are not
 * judged; what they do to the replicas is, by the divergence check (invariants.ts): TTLs on
 * the replicated clock, seeded randomness and iteration order all have to agree everywhere.
 */
import type { SeededRng } from "../core/rng.js";

const encoder = new TextEncoder();

/** One command's arguments, chosen by `rng`; `unique` makes values distinct across the run. */
export function auxCommand(rng: SeededRng, unique: number): Uint8Array[] {
  const k = String(rng.nextInt(4));
  const v = String(unique);
  const ttlMs = String(1 + rng.nextInt(300));
  const choices: readonly (readonly string[])[] = [
    ["SET", `t${k}`, v, "PX", ttlMs],
    ["GETEX", `t${k}`, "PX", ttlMs],
    ["PEXPIRE", `h${k}`, ttlMs],
    ["PERSIST", `h${k}`],
    ["INCR", `c${k}`],
    ["APPEND", `c${k}`, "x"],
    ["HSET", `h${k}`, `f${rng.nextInt(8)}`, v],
    ["HDEL", `h${k}`, `f${rng.nextInt(8)}`],
    ["SADD", `s${k}`, v, String(unique + 1)],
    ["SPOP", `s${k}`],
    ["SPOP", `s${k}`, "2"],
    ["RPUSH", `l${k}`, v],
    ["LPOP", `l${k}`],
    ["LMPOP", "2", `l${k}`, `l${(Number(k) + 1) % 4}`, "LEFT"],
    ["ZADD", `z${k}`, String(rng.nextInt(5)), v],
    ["ZPOPMIN", `z${k}`],
    ["RENAME", `t${k}`, `t${(Number(k) + 1) % 4}`],
    ["DEL", `t${k}`, `h${k}`],
  ];
  const chosen = choices[rng.nextInt(choices.length)] ?? ["PING"];
  return chosen.map((arg) => encoder.encode(arg));
}
