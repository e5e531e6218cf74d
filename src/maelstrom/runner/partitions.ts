/**
 * The partition nemesis's four shapes, with the geometry of jepsen.nemesis.combined and
 * jepsen.nemesis as Maelstrom uses them (docs/maelstrom.md §3). A partition is a "grudge":
 * a map from a destination to the set of sources whose messages it ignores.
 */
import type { Rng } from "../../core/rng.js";

export const partitionShapes = ["one", "minority-third", "majority", "majorities-ring"] as const;
export type PartitionShape = (typeof partitionShapes)[number];

/** dest -> sources it ignores. */
export type Grudge = ReadonlyMap<string, ReadonlySet<string>>;

export function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** Each node of a component ignores every node outside its component (n/complete-grudge). */
export function completeGrudge(components: readonly (readonly string[])[]): Grudge {
  const grudge = new Map<string, Set<string>>();
  const all = components.flat();
  for (const component of components) {
    const inside = new Set(component);
    for (const node of component) {
      const blocked = new Set(all.filter((other) => !inside.has(other)));
      if (blocked.size > 0) grudge.set(node, blocked);
    }
  }
  return grudge;
}

/**
 * jepsen.nemesis/majorities-ring-perfect (N <= 5): shuffle the nodes into a ring; each window of
 * `majority` consecutive nodes belongs to its middle node, which ignores everyone outside it. For
 * N = 3 this yields one-way links; for N = 5 each node hears exactly its two ring neighbours.
 */
export function majoritiesRingPerfect(nodes: readonly string[], rng: Rng): Grudge {
  const ring = shuffle(nodes, rng);
  const n = ring.length;
  const m = majority(n);
  const grudge = new Map<string, Set<string>>();
  for (let start = 0; start < n; start++) {
    const window: string[] = [];
    for (let k = 0; k < m; k++) window.push(ring[(start + k) % n] as string);
    const owner = window[Math.floor(window.length / 2)] as string;
    const blocked = new Set(nodes.filter((node) => !window.includes(node)));
    if (blocked.size > 0) grudge.set(owner, blocked);
  }
  return grudge;
}

/**
 * N > 5 (jepsen.nemesis/majorities-ring-stochastic, simplified): every node hears a random
 * majority that includes itself, redrawn until no two nodes hear the same majority.
 */
function majoritiesRingStochastic(nodes: readonly string[], rng: Rng): Grudge {
  const m = majority(nodes.length);
  const attemptsMax = 1000;
  for (let attempt = 0; attempt < attemptsMax; attempt++) {
    const seen = new Set<string>();
    const grudge = new Map<string, Set<string>>();
    for (const node of nodes) {
      const others = shuffle(nodes.filter((other) => other !== node), rng).slice(0, m - 1);
      const heard = [node, ...others].sort();
      seen.add(heard.join(","));
      grudge.set(node, new Set(nodes.filter((other) => !heard.includes(other))));
    }
    if (seen.size === nodes.length) return grudge;
  }
  return majoritiesRingPerfect(nodes, rng);
}

/** Builds the grudge of one start-partition of shape `shape` over `nodes`. */
export function partitionGrudge(shape: PartitionShape, nodes: readonly string[], rng: Rng): Grudge {
  switch (shape) {
    case "one": {
      const isolated = nodes[rng.nextInt(nodes.length)] as string;
      return completeGrudge([[isolated], nodes.filter((node) => node !== isolated)]);
    }
    case "minority-third": {
      // util/minority-third: floor((N - 1) / 3) nodes, so nobody at all for N = 3.
      const count = Math.floor((nodes.length - 1) / 3);
      const shuffled = shuffle(nodes, rng);
      return completeGrudge([shuffled.slice(0, count), shuffled.slice(count)]);
    }
    case "majority": {
      // n/bisect: the first half is the smaller one, floor(N / 2).
      const shuffled = shuffle(nodes, rng);
      const half = Math.floor(shuffled.length / 2);
      return completeGrudge([shuffled.slice(0, half), shuffled.slice(half)]);
    }
    case "majorities-ring":
      return nodes.length <= 5 ? majoritiesRingPerfect(nodes, rng) : majoritiesRingStochastic(nodes, rng);
    default:
      return assertNeverShape(shape);
  }
}

function assertNeverShape(shape: never): never {
  throw new Error(`Unknown partition shape ${JSON.stringify(shape)}`);
}

/** A grudge as a plain JSON object for the history and results: {dest: [sources...]}. */
export function grudgeToJson(grudge: Grudge): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [dest, sources] of [...grudge.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out[dest] = [...sources].sort();
  }
  return out;
}
