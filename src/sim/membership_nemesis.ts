/**
 * The membership nemesis's choices: a random valid cluster operation for the current leader's
 * configuration, as an operator (or an automated controller) would issue them. Every change is
 * valid against the leader's configuration (§4.1, §4.3), so a refusal means the core's own rules
 * (one change in flight, none before the leader committed an entry of its term, none during a
 * transfer) said no, which is what the simulator wants to exercise.
 *
 * Availability rules, so the liveness phase can demand progress: a change never leaves fewer
 * than `votersMin` voters (nor a joint half below it), and a node is wiped (a fresh, empty disk)
 * only once its removal is committed and it is in no configuration the leader knows of.
 */
import type { ConfChange, ConfChangeItem } from "../core/conf_change.js";
import type { ConfState } from "../core/messages.js";
import type { SeededRng } from "../core/rng.js";
import type { NodeId } from "../core/types.js";

/** Never fewer voters than this: a quorum survives one crashed or partitioned voter. */
export const VOTERS_MIN = 3;

export type MembershipAction =
  | { readonly kind: "change"; readonly what: string; readonly change: ConfChange }
  | { readonly kind: "transfer"; readonly to: NodeId | null }
  | { readonly kind: "wipe"; readonly node: NodeId };

export interface MembershipView {
  /** The leader's configuration (its latest config entry, committed or not). */
  readonly conf: ConfState;
  readonly leader: NodeId;
  /** Every id of the simulation's pool, in order. */
  readonly pool: readonly NodeId[];
  /** Non-members whose removal is committed and whose disks hold data: wiping is safe. */
  readonly wipeable: readonly NodeId[];
}

interface Candidate {
  readonly weight: number;
  readonly make: () => MembershipAction;
}

const add = (nodeId: NodeId): ConfChangeItem => ({ type: "addVoter", nodeId });
const learner = (nodeId: NodeId): ConfChangeItem => ({ type: "addLearner", nodeId });
export const removeNode = (nodeId: NodeId): ConfChangeItem => ({ type: "removeNode", nodeId });
const remove = removeNode;

function pick<T>(rng: SeededRng, items: readonly T[]): T {
  const item = items[rng.nextInt(items.length)];
  if (item === undefined) throw new RangeError("pick from an empty list");
  return item;
}

/** Two distinct items, or null when there are fewer than two. */
function pickTwo<T>(rng: SeededRng, items: readonly T[]): [T, T] | null {
  if (items.length < 2) return null;
  const first = rng.nextInt(items.length);
  const second = (first + 1 + rng.nextInt(items.length - 1)) % items.length;
  const a = items[first];
  const b = items[second];
  return a === undefined || b === undefined ? null : [a, b];
}

/** A random action valid in `view`, or null when none is (then the nemesis waits). */
export function chooseMembershipAction(
  rng: SeededRng,
  view: MembershipView,
): MembershipAction | null {
  const candidates = [...changeCandidates(rng, view), ...otherCandidates(rng, view)];
  const total = candidates.reduce((sum, c) => sum + c.weight, 0);
  if (total === 0) return null;
  let roll = rng.nextFloat() * total;
  for (const candidate of candidates) {
    roll -= candidate.weight;
    if (roll < 0) return candidate.make();
  }
  return candidates[candidates.length - 1]?.make() ?? null;
}

function changeCandidates(rng: SeededRng, view: MembershipView): Candidate[] {
  const { conf, leader } = view;
  // §4.3: while joint, the only change is leaving, which the leader makes on its own.
  if (conf.votersOutgoing.length > 0) return [];
  const voters = conf.voters;
  const learners = conf.learners;
  const members = new Set([...voters, ...learners]);
  const outsiders = view.pool.filter((id) => !members.has(id));
  const others = voters.filter((id) => id !== leader);
  const incoming = [...outsiders, ...learners];
  const spare = voters.length - VOTERS_MIN;
  const out: Candidate[] = [];
  const change = (what: string, items: ConfChange) => (): MembershipAction =>
    ({ kind: "change", what, change: items });
  if (outsiders.length > 0) {
    const x = pick(rng, outsiders);
    out.push({ weight: 4, make: change(`add-learner ${x}`, [learner(x)]) });
    out.push({ weight: 1, make: change(`add-voter ${x}`, [add(x)]) });
  }
  if (learners.length > 0) {
    const x = pick(rng, learners);
    out.push({ weight: 4, make: change(`promote ${x}`, [add(x)]) });
    out.push({ weight: 1, make: change(`remove-learner ${x}`, [remove(x)]) });
  }
  if (spare >= 1 && others.length > 0) {
    const y = pick(rng, others);
    out.push({ weight: 3, make: change(`remove ${y}`, [remove(y)]) });
    out.push({ weight: 2, make: change(`remove-leader ${leader}`, [remove(leader)]) });
  }
  if (incoming.length > 0 && voters.length > 0) {
    const x = pick(rng, incoming);
    const y = pick(rng, voters); // possibly the leader itself
    out.push({ weight: 3, make: change(`replace ${y} by ${x}`, [add(x), remove(y)]) });
  }
  const two = pickTwo(rng, incoming);
  if (two !== null) {
    out.push({ weight: 1, make: change(`grow ${two.join(",")}`, [add(two[0]), add(two[1])]) });
  }
  const gone = pickTwo(rng, voters);
  if (spare >= 2 && gone !== null) {
    out.push({
      weight: 1, make: change(`shrink ${gone.join(",")}`, [remove(gone[0]), remove(gone[1])]),
    });
  }
  return out;
}

function otherCandidates(rng: SeededRng, view: MembershipView): Candidate[] {
  const out: Candidate[] = [];
  const others = view.conf.voters.filter((id) => id !== view.leader);
  if (others.length > 0) {
    const to = pick(rng, others);
    out.push({ weight: 2, make: () => ({ kind: "transfer", to }) });
  }
  out.push({ weight: 1, make: () => ({ kind: "transfer", to: null }) });
  if (view.wipeable.length > 0) {
    const node = pick(rng, view.wipeable);
    out.push({ weight: 2, make: () => ({ kind: "wipe", node }) });
  }
  return out;
}

/** "n1,n2 / n3 +l n4" style summary of a configuration, for the trace and the history. */
export function describeConf(conf: ConfState): string {
  const outgoing = conf.votersOutgoing;
  const joint = outgoing.length > 0 ? ` (joint with ${outgoing.join(",")})` : "";
  const learners = conf.learners.length > 0 ? ` learners ${conf.learners.join(",")}` : "";
  return `voters ${conf.voters.join(",")}${joint}${learners}`;
}
