/**
 * The one partition vocabulary of raftkv, shared by the simulator, the Maelstrom runner and the
 * end-to-end tests. A partition is a "grudge" (Maelstrom's model, docs/maelstrom.md §3): for each
 * destination, the sources whose messages it discards, consulted when a message would be
 * delivered, so messages sent before the partition began are lost too, never delayed.
 *
 * Shapes follow jepsen.nemesis.combined: one node isolated, the smaller third cut off, the
 * cluster bisected, a majorities ring (each node hears a majority, no two the same one; one-way
 * links where N is even or 3), plus random one-way links. The choice of nodes is drawn from a
 * seeded generator, so a run replays from its seed.
 */
import type { Rng } from "../core/rng.js";

/** The four shapes of jepsen.nemesis.combined, as Maelstrom's partition nemesis draws them. */
export const combinedShapes = ["one", "minority-third", "majority", "majorities-ring"] as const;
/** Every shape: the combined four plus random one-way links (the simulator's addition). */
export const partitionShapes = [...combinedShapes, "one-way"] as const;
export type PartitionShape = (typeof partitionShapes)[number];

/** dest -> sources it ignores. Nodes that ignore nobody are absent. */
export type Grudge = ReadonlyMap<string, ReadonlySet<string>>;

/** blocked[to][from] by node position: the same grudge for a hot path that counts nodes. */
export type LinkMatrix = boolean[][];

/** Fisher-Yates from the end, one draw per position (the order every shape depends on). */
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
 * Builds the grudge of one partition of `shape` over `nodes`. With `target` (the leader, say),
 * that node is the one isolated or lands in the smaller side, as Jepsen's "primaries" targeting.
 */
export function partitionGrudge(
  shape: PartitionShape,
  nodes: readonly string[],
  rng: Rng,
  options: { readonly target?: string | null } = {},
): Grudge {
  const order = shuffle(nodes, rng);
  const target = options.target ?? null;
  if (target !== null && order.includes(target)) {
    order.splice(order.indexOf(target), 1);
    order.unshift(target);
  }
  switch (shape) {
    case "one":
      return completeGrudge([order.slice(0, 1), order.slice(1)]);
    case "minority-third": {
      // util/minority-third: floor((N - 1) / 3) nodes, so nobody at all for N = 3.
      const count = Math.floor((nodes.length - 1) / 3);
      return completeGrudge([order.slice(0, count), order.slice(count)]);
    }
    case "majority": {
      // n/bisect: the first half is the smaller one, floor(N / 2).
      const half = Math.floor(nodes.length / 2);
      return completeGrudge([order.slice(0, half), order.slice(half)]);
    }
    case "majorities-ring":
      return ringGrudge(order);
    case "one-way":
      return oneWayGrudge(nodes, rng);
    default:
      return assertNeverShape(shape);
  }
}

/**
 * Majorities ring (jepsen.nemesis/majorities-ring-perfect): nodes on a shuffled ring; each hears
 * itself and the next `majority - 1` nodes around it (centred when that count is even), so every
 * node sees a majority and no two see the same one. With an odd count the links are symmetric;
 * otherwise some are one-way.
 */
function ringGrudge(order: readonly string[]): Grudge {
  const n = order.length;
  const others = Math.floor(n / 2);
  const back = Math.floor(others / 2);
  const grudge = new Map<string, Set<string>>();
  for (let p = 0; p < n; p++) {
    const heard = new Set<string>();
    for (let k = -back; k <= others - back; k++) heard.add(order[(((p + k) % n) + n) % n] ?? "");
    const blocked = new Set(order.filter((from) => !heard.has(from)));
    if (blocked.size > 0) grudge.set(order[p] ?? "", blocked);
  }
  return grudge;
}

/** Between one and N random directed links cut (a link from a node to itself is never cut). */
function oneWayGrudge(nodes: readonly string[], rng: Rng): Grudge {
  const n = nodes.length;
  const grudge = new Map<string, Set<string>>();
  const links = 1 + rng.nextInt(Math.max(1, n));
  for (let k = 0; k < links; k++) {
    const to = nodes[rng.nextInt(n)] ?? "";
    const from = nodes[rng.nextInt(n)] ?? "";
    if (to === from) continue;
    const set = grudge.get(to) ?? new Set<string>();
    set.add(from);
    grudge.set(to, set);
  }
  return grudge;
}

function assertNeverShape(shape: never): never {
  throw new Error(`Unknown partition shape ${JSON.stringify(shape)}`);
}

/** True when `to` discards messages from `from`. */
export function isBlocked(grudge: Grudge, from: string, to: string): boolean {
  return grudge.get(to)?.has(from) === true;
}

/** How many of `nodes` `to` hears (itself included). */
export function heardCount(grudge: Grudge, nodes: readonly string[], to: string): number {
  return nodes.filter((from) => !isBlocked(grudge, from, to)).length;
}

/** The grudge by node position in `nodes`, for a network that numbers its nodes. */
export function linkMatrix(grudge: Grudge, nodes: readonly string[]): LinkMatrix {
  return nodes.map((to) => nodes.map((from) => isBlocked(grudge, from, to)));
}

/** A matrix with every link open. */
export function openLinks(n: number): LinkMatrix {
  return Array.from({ length: n }, () => Array.from({ length: n }, () => false));
}

/** A compact description in `nodes` order, such as "n1<-x{n2,n3} n2<-x{n1}", or "healed". */
export function describeGrudge(grudge: Grudge, nodes: readonly string[]): string {
  const parts: string[] = [];
  for (const to of nodes) {
    const from = nodes.filter((node) => isBlocked(grudge, node, to));
    if (from.length > 0) parts.push(`${to}<-x{${from.join(",")}}`);
  }
  return parts.length === 0 ? "healed" : parts.join(" ");
}

/** A grudge as a plain JSON object for histories and results: {dest: [sources...]}, sorted. */
export function grudgeToJson(grudge: Grudge): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [dest, sources] of [...grudge.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out[dest] = [...sources].sort();
  }
  return out;
}
