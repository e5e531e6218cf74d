/**
 * Which configuration a node is in. §4.1 of the dissertation: a server uses the latest
 * configuration in its log, whether or not that entry is committed; so a config entry takes
 * effect when it is appended (on the leader and on every follower), and when a conflicting
 * AppendEntries truncates it away the node falls back to the previous config entry in its log,
 * or to the snapshot's configuration when there is none.
 */
import { decodeConfEntry } from "./conf_change.js";
import type { ConfState, Entry } from "./messages.js";
import type { Raft } from "./raft.js";
import { ClusterConfig } from "./tracker.js";
import { logIndex, type LogIndex, type Term } from "./types.js";

/** Entries read per step while scanning the log backwards for a config entry. */
const scanChunkEntriesMax = 256;

/** Makes `confState`, from the entry at (`index`, `term`), the node's configuration. */
export function setConfig(
  r: Raft,
  confState: ConfState,
  at: { index: LogIndex; term: Term },
): void {
  const wasVoter = r.cluster.isVoter(r.id);
  r.cluster = new ClusterConfig(confState);
  r.removedByConfig = wasVoter && !r.cluster.isVoter(r.id);
  r.configIndex = at.index;
  r.configTerm = at.term;
  const role = r.role;
  if (role.kind !== "leader") return;
  pruneTracker(r, at.index <= r.log.committed);

  // A transfer to a node that is no longer a voter can never finish (§3.10).
  if (role.transfer !== null && !r.cluster.isVoter(role.transfer.to)) role.transfer = null;
}

/**
 * Whether an election timeout (or TimeoutNow) may start a campaign here. Voters may. §4.2.2: a
 * server removed by a configuration that is not yet committed may still be needed to elect the
 * leader that commits it (it has the entry, others may not), so it still campaigns, without
 * counting its own vote; once its removal is committed it never campaigns again. Learners and
 * nodes not yet added never campaign, nor does a node whose runtime holds it back.
 */
export function mayCampaign(r: Raft): boolean {
  if (r.campaignsHeld) return false;
  if (r.cluster.isVoter(r.id)) return true;
  return r.removedByConfig && r.configIndex > r.log.committed;
}

/** Leader only: align the tracker with the configuration; `prune` once it is committed. */
export function pruneTracker(r: Raft, prune: boolean): void {
  if (r.role.kind !== "leader") return;
  r.role.tracker.setConfig(r.cluster, {
    self: r.id, lastIndex: r.log.lastIndex(), inflightMessagesMax: r.config.inflightMessagesMax,
    prune,
  });
}

/**
 * Recomputes the configuration from the log: the last config entry at or below the last index,
 * else `base` (the snapshot's configuration). Bounded by the log's length.
 */
export function loadConfig(r: Raft, base: ConfState): void {
  const first = r.log.firstIndex();
  for (let hi: number = r.log.lastIndex(); hi >= first; hi -= scanChunkEntriesMax) {
    const lo = Math.max(first, hi - scanChunkEntriesMax + 1);
    const chunk = r.log.slice(logIndex(lo), logIndex(hi + 1), Number.MAX_SAFE_INTEGER);
    for (let i = chunk.length - 1; i >= 0; i--) {
      const entry = chunk[i];
      if (entry?.kind === "config") {
        setConfig(r, decodeConfEntry(entry.data).confState, entry);
        return;
      }
    }
  }
  const snap = r.log.snapshot().metadata;
  setConfig(r, base, { index: snap.index, term: snap.term });
}

/**
 * After a follower appended `entries` (some of which may already have been in its log): if the
 * entry our configuration came from was truncated away, fall back to the log's (§4.1); then
 * adopt the newest config entry among those appended.
 */
export function noteAppended(r: Raft, entries: readonly Entry[]): void {
  const at = r.log.termOrNull(r.configIndex);
  const truncated = r.configIndex > r.log.lastIndex() || (at !== null && at !== r.configTerm);
  if (truncated) loadConfig(r, r.log.snapshot().metadata.confState);
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry === undefined || entry.kind !== "config") continue;
    if (entry.index > r.configIndex && r.log.matchTerm(entry.index, entry.term)) {
      setConfig(r, decodeConfEntry(entry.data).confState, entry);
    }
    return;
  }
}

/** §7: a restored snapshot brings its configuration. */
export function noteSnapshotRestored(r: Raft, confState: ConfState): void {
  const { index, term } = r.log.snapshot().metadata;
  setConfig(r, confState, { index, term });
}
