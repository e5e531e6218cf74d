/**
 * Partition shapes, as a "grudge": for each destination, the set of sources whose messages it
 * discards (Maelstrom's model: consulted when a message would be delivered, so messages sent
 * before the partition began are lost too, never delayed). Shapes follow jepsen.nemesis.combined:
 * one node isolated, random halves, a majorities ring (each node hears a majority, no two the
 * same one; one-way links where N is even or 3), plus random one-way links.
 */
import type { SeededRng } from "../core/rng.js";

export type PartitionShape = "one" | "halves" | "ring" | "oneway";

/** blocked[to][from] is true when `to` discards messages from `from`. */
export type Grudge = boolean[][];

export function noGrudge(n: number): Grudge {
  return Array.from({ length: n }, () => Array.from({ length: n }, () => false));
}

function shuffled(n: number, rng: SeededRng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = order[i] ?? 0;
    order[i] = order[j] ?? 0;
    order[j] = t;
  }
  return order;
}

function blockBothWays(g: Grudge, a: readonly number[], b: readonly number[]): void {
  for (const x of a) {
    for (const y of b) {
      setBlocked(g, x, y);
      setBlocked(g, y, x);
    }
  }
}

function setBlocked(g: Grudge, to: number, from: number): void {
  const row = g[to];
  if (row !== undefined && to !== from) row[from] = true;
}

/** Builds the grudge of one shape over `n` nodes, drawing node choices from `rng`. */
export function partitionGrudge(
  shape: PartitionShape,
  n: number,
  rng: SeededRng,
  target: number | null = null,
): Grudge {
  const g = noGrudge(n);
  const order = shuffled(n, rng);
  // Aim at a chosen node (the leader): it goes first, i.e. alone or in the smaller half.
  if (target !== null && target < n) {
    order.splice(order.indexOf(target), 1);
    order.unshift(target);
  }
  switch (shape) {
    case "one": {
      const [lonely, ...rest] = order;
      if (lonely !== undefined) blockBothWays(g, [lonely], rest);
      return g;
    }
    case "halves": {
      const small = Math.floor(n / 2);
      blockBothWays(g, order.slice(0, small), order.slice(small));
      return g;
    }
    case "ring":
      return ringGrudge(order);
    case "oneway": {
      const links = 1 + rng.nextInt(Math.max(1, n));
      for (let k = 0; k < links; k++) setBlocked(g, rng.nextInt(n), rng.nextInt(n));
      return g;
    }
  }
}

/**
 * Majorities ring: nodes on a shuffled ring; each hears itself and the next `majority - 1`
 * nodes around it (centred when that count is even), so every node sees a majority and no two
 * see the same one. With an odd count the links are symmetric; otherwise some are one-way.
 */
function ringGrudge(order: readonly number[]): Grudge {
  const n = order.length;
  const g = noGrudge(n);
  const majority = Math.floor(n / 2) + 1;
  const others = majority - 1;
  const back = Math.floor(others / 2);
  for (let p = 0; p < n; p++) {
    const heard = new Set<number>();
    for (let k = -back; k <= others - back; k++) heard.add(order[(((p + k) % n) + n) % n] ?? 0);
    const to = order[p] ?? 0;
    for (const from of order) if (!heard.has(from)) setBlocked(g, to, from);
  }
  return g;
}

/** How many nodes `to` hears (itself included): for tests and nemesis descriptions. */
export function heardCount(g: Grudge, to: number): number {
  return (g[to] ?? []).filter((blocked) => !blocked).length;
}

/** A compact description such as "n1<-x{n2,n3} n2<-x{n1}" for the history and the trace. */
export function describeGrudge(g: Grudge, names: readonly string[]): string {
  const parts: string[] = [];
  g.forEach((row, to) => {
    const from = row.flatMap((blocked, i) => (blocked ? [names[i] ?? String(i)] : []));
    if (from.length > 0) parts.push(`${names[to] ?? String(to)}<-x{${from.join(",")}}`);
  });
  return parts.length === 0 ? "healed" : parts.join(" ");
}
