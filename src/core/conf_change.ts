/**
 * Membership changes (§4 of Ongaro's dissertation, etcd-io/raft's ConfChangeV2): what a change
 * is, how it turns one configuration into the next, and how it travels in a "config" entry.
 *
 * A change that adds or removes at most one voter (any number of learners) is applied directly
 * (§4.1: any two majorities of configurations differing by one voter overlap). Anything else
 * enters the joint configuration C_old,new (§4.3): `votersOutgoing` = old voters, `voters` = new
 * voters, and every decision needs a majority of both until an empty "leave joint" change moves
 * to C_new. A config entry carries both the change and the configuration it produces, so any
 * node (and the runtime, for snapshots) can read the configuration from the last config entry
 * without replaying history.
 */
import { ConfChangeRefusedError } from "./errors.js";
import type { ConfState } from "./messages.js";
import { assert, nodeId, type NodeId } from "./types.js";

export type ConfChangeType = "addVoter" | "addLearner" | "removeNode";

export interface ConfChangeItem {
  readonly type: ConfChangeType;
  readonly nodeId: NodeId;
  /** Opaque to the core, carried in the log for the runtime (e.g. the new node's address). */
  readonly context?: string;
}

/** Any set of additions, promotions and removals, made as one step. Empty = leave joint. */
export type ConfChange = readonly ConfChangeItem[];

/** What a "config" entry's data encodes. */
export interface ConfEntryPayload {
  readonly changes: ConfChange;
  /** The configuration in effect from this entry on. */
  readonly confState: ConfState;
}

export const EMPTY_CONF_STATE: ConfState = { voters: [], learners: [], votersOutgoing: [] };

const sorted = (ids: Iterable<NodeId>): NodeId[] => [...ids].sort();

export function isJoint(cs: ConfState): boolean {
  return cs.votersOutgoing.length > 0;
}

export function sameConfState(a: ConfState, b: ConfState): boolean {
  if (a === b) return true;
  const same = (x: readonly NodeId[], y: readonly NodeId[]) =>
    x.length === y.length && x.every((id, i) => id === y[i]);
  return same(sorted(a.voters), sorted(b.voters)) && same(sorted(a.learners), sorted(b.learners))
    && same(sorted(a.votersOutgoing), sorted(b.votersOutgoing));
}

/**
 * The configuration `changes` lead to from `cs`. An empty change leaves a joint configuration.
 * @throws ConfChangeRefusedError when the change is invalid here: a change while joint (other
 *   than leaving), leaving when not joint, a node named twice, removing an absent node, adding a
 *   present one in the same role, demoting a voter, or leaving no voter.
 */
export function applyConfChange(cs: ConfState, changes: ConfChange): ConfState {
  if (changes.length === 0) {
    if (!isJoint(cs)) throw new ConfChangeRefusedError("not in a joint configuration to leave");
    return { voters: sorted(cs.voters), learners: sorted(cs.learners), votersOutgoing: [] };
  }
  if (isJoint(cs)) {
    throw new ConfChangeRefusedError("the joint configuration must be left first (§4.3)");
  }
  const voters = new Set(cs.voters);
  const learners = new Set(cs.learners);
  const seen = new Set<NodeId>();
  for (const { type, nodeId: id } of changes) {
    if (seen.has(id)) throw new ConfChangeRefusedError(`node ${id} appears twice in one change`);
    seen.add(id);
    applyItem(voters, learners, type, id);
  }
  if (voters.size === 0) throw new ConfChangeRefusedError("a configuration needs a voter");
  const changed = symmetricDifference(new Set(cs.voters), voters);
  const next = { voters: sorted(voters), learners: sorted(learners) };
  // §4.1: one voter in or out keeps every majority of old and new overlapping; else §4.3.
  return changed <= 1
    ? { ...next, votersOutgoing: [] }
    : { ...next, votersOutgoing: sorted(cs.voters) };
}

function applyItem(
  voters: Set<NodeId>,
  learners: Set<NodeId>,
  type: ConfChangeType,
  id: NodeId,
): void {
  switch (type) {
    case "addVoter":
      if (voters.has(id)) throw new ConfChangeRefusedError(`node ${id} is already a voter`);
      learners.delete(id); // promotion of a learner
      voters.add(id);
      return;
    case "addLearner":
      if (learners.has(id)) throw new ConfChangeRefusedError(`node ${id} is already a learner`);
      if (voters.has(id)) {
        throw new ConfChangeRefusedError(`node ${id} is a voter; remove it before re-adding`);
      }
      learners.add(id);
      return;
    case "removeNode":
      if (!voters.delete(id) && !learners.delete(id)) {
        throw new ConfChangeRefusedError(`node ${id} is not a member`);
      }
      return;
  }
}

function symmetricDifference(a: ReadonlySet<NodeId>, b: ReadonlySet<NodeId>): number {
  let n = 0;
  for (const id of a) if (!b.has(id)) n++;
  for (const id of b) if (!a.has(id)) n++;
  return n;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The data of a "config" entry: JSON, so it is readable in logs and WAL dumps. */
export function encodeConfEntry(payload: ConfEntryPayload): Uint8Array {
  return encoder.encode(JSON.stringify({ v: 1, ...payload }));
}

/** @throws AssertionError when `data` is not a config entry this code wrote (a bug). */
export function decodeConfEntry(data: Uint8Array): ConfEntryPayload {
  const parsed = JSON.parse(decoder.decode(data)) as unknown;
  assert(typeof parsed === "object" && parsed !== null, "config entry is not an object");
  const { v, changes, confState } = parsed as Record<string, unknown>;
  assert(v === 1 && Array.isArray(changes), "config entry has no version 1 change list");
  const items = changes.map((item: unknown): ConfChangeItem => {
    const { type, nodeId: id, context } = item as Record<string, unknown>;
    assert(type === "addVoter" || type === "addLearner" || type === "removeNode",
      `config entry has a bad change type ${String(type)}`);
    assert(typeof id === "string", "config entry has a change without a node id");
    assert(context === undefined || typeof context === "string", "config entry has a bad context");
    const base: ConfChangeItem = { type, nodeId: nodeId(id) };
    return context === undefined ? base : { ...base, context };
  });
  return { changes: items, confState: parseConfState(confState) };
}

function parseConfState(value: unknown): ConfState {
  assert(typeof value === "object" && value !== null, "config entry has no confState");
  const ids = (field: string): NodeId[] => {
    const list = (value as Record<string, unknown>)[field];
    assert(Array.isArray(list), `config entry confState.${field} is not a list`);
    return list.map((id: unknown) => {
      assert(typeof id === "string", `config entry confState.${field} has a non-string id`);
      return nodeId(id);
    });
  };
  return {
    voters: ids("voters"), learners: ids("learners"), votersOutgoing: ids("votersOutgoing"),
  };
}
