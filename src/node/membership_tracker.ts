/**
 * The runtime's view of membership, fed by the Ready loop: the configuration at the applied
 * index (the latest in the log is the core's, §4.1), the addresses carried by config entries,
 * the transport's peer set, and this node's own removal.
 *
 * Links: the transport knows every member of the latest and of the applied configuration, so a
 * leader can reach a node from the moment the entry adding it is appended. A node that left the
 * configuration keeps its link for `lingerTicks` after its removal is applied, so the leader's
 * last AppendEntries (carrying the commit of the removal) still reaches it and it learns that
 * it was removed (§4.2.2) instead of campaigning.
 *
 * Removal: once this node applies a configuration without itself it emits "removed", and after
 * `lingerTicks` (and once it no longer leads: a removed leader hands over first) it halts.
 */
import {
  decodeConfEntry, type ConfChange, type ConfState, type Entry, type LogIndex, type NodeId,
  type RaftNode, type Ready, type Term,
} from "../core/index.js";
import type { Transport } from "../transport/index.js";
import { parsePeerAddress, toMemberAddresses, type AddressBook } from "./address_book.js";
import type { NodeEventEmitter } from "./events.js";
import type { Logger } from "../core/logger.js";

/** Applied config entries remembered for the operations waiting on them (one is in flight). */
const appliedConfigsMax = 16;

export interface TrackerParts {
  readonly id: NodeId;
  readonly raft: RaftNode;
  readonly transport: Transport;
  readonly book: AddressBook;
  readonly logger: Logger;
  readonly events: NodeEventEmitter;
  /** How long a removed peer keeps its link, and a removed node keeps running. */
  readonly lingerTicks: number;
  /** The configuration of the snapshot the node starts from. */
  readonly snapshotConf: ConfState;
  readonly snapshotIndex: LogIndex;
  /** Stops the node (its Raft activity and transport). */
  readonly halt: () => void;
}

export function membersOf(cs: ConfState): Set<NodeId> {
  return new Set([...cs.voters, ...cs.learners, ...cs.votersOutgoing]);
}

export class MembershipTracker {
  /** The configuration in effect at the applied index. */
  appliedConf: ConfState;
  /** The index of the last snapshot installed from a leader (0: none). */
  snapshotIndex: LogIndex;
  private readonly appliedConfigs = new Map<LogIndex, Term>();
  /** Peers the transport knows, with the peer address it was given ("" when unknown). */
  private readonly linked = new Map<NodeId, string>();
  private readonly unlinkAtTick = new Map<NodeId, number>();
  private readonly warnedNoAddress = new Set<NodeId>();
  private ticks = 0;
  private removal: { readonly index: LogIndex; haltAtTick: number; told: boolean } | null = null;

  constructor(private readonly parts: TrackerParts) {
    this.appliedConf = parts.snapshotConf;
    this.snapshotIndex = parts.snapshotIndex;
    for (const { peer } of parts.transport.stats().peers) {
      this.linked.set(peer, parts.book.get(peer)?.peer ?? "");
    }
    const latest = parts.raft.status().confState;
    if (membersOf(this.appliedConf).size > 0 && !this.isMember(this.appliedConf)
      && !this.isMember(latest)) {
      // Restarted after its removal was applied and snapshotted.
      this.removal = { index: parts.snapshotIndex, haltAtTick: parts.lingerTicks, told: false };
    }
    this.syncPeers();
  }

  /** The term of the config entry applied at `index`, if it was applied recently. */
  appliedConfigTerm(index: LogIndex): Term | null {
    return this.appliedConfigs.get(index) ?? null;
  }

  /** Start of each Ready: learn addresses from new config entries, link new members. */
  noteReady(rd: Ready): void {
    let changed = rd.confState !== null;
    for (const entry of rd.entries) {
      if (entry.kind !== "config") continue;
      this.learn(decodeConfEntry(entry.data).changes);
      changed = true;
    }
    if (rd.snapshot !== null) {
      this.appliedConf = rd.snapshot.metadata.confState;
      this.snapshotIndex = rd.snapshot.metadata.index;
      changed = true;
    }
    if (changed) this.syncPeers();
  }

  /** A config entry was applied: its configuration is now the applied one. */
  noteAppliedConfig(entry: Entry): void {
    const { changes, confState } = decodeConfEntry(entry.data);
    const wasMember = this.isMember(this.appliedConf);
    this.appliedConf = confState;
    this.appliedConfigs.set(entry.index, entry.term);
    for (const index of this.appliedConfigs.keys()) {
      if (this.appliedConfigs.size <= appliedConfigsMax) break;
      this.appliedConfigs.delete(index);
    }
    this.learn(changes);
    const keep = new Set([...membersOf(confState), ...membersOf(this.latest()), this.parts.id]);
    this.parts.book.retain(keep);
    if (wasMember && !this.isMember(confState)) this.noteRemoved(entry.index);
    if (this.isMember(confState)) this.removal = null;
    this.syncPeers();
  }

  /** One tick: drop links of departed members, halt a removed node in time. */
  tick(): void {
    this.ticks++;
    for (const [peer, atTick] of this.unlinkAtTick) {
      if (this.ticks < atTick) continue;
      this.unlinkAtTick.delete(peer);
      this.linked.delete(peer);
      this.parts.transport.removePeer?.(peer).catch((error: unknown) => {
        this.parts.logger.warn({ peer, err: error }, `Cannot close the link to ${peer}`);
      });
    }
    this.maybeHalt();
  }

  private isMember(cs: ConfState): boolean {
    return membersOf(cs).has(this.parts.id);
  }

  private latest(): ConfState {
    return this.parts.raft.status().confState;
  }

  private learn(changes: ConfChange): void {
    for (const { type, nodeId: id, context } of changes) {
      if (type === "removeNode" || context === undefined) continue;
      try {
        this.parts.book.set(id, toMemberAddresses(JSON.parse(context) as unknown, "context"));
      } catch (error) {
        this.parts.logger.warn({ member: id, err: error }, `Ignored bad addresses for ${id}`);
      }
    }
  }

  /** Links every member of the latest and applied configurations; unlinks others later. */
  private syncPeers(): void {
    const { transport, book, id: self, logger } = this.parts;
    const want = new Set([...membersOf(this.latest()), ...membersOf(this.appliedConf)]);
    want.delete(self);
    if (want.size === 0) return; // joining: keep the seed links until a configuration arrives
    for (const peer of want) {
      this.unlinkAtTick.delete(peer);
      const address = book.get(peer)?.peer;
      if (address === undefined) {
        if (!this.linked.has(peer) && !this.warnedNoAddress.has(peer)) {
          this.warnedNoAddress.add(peer);
          logger.warn({ peer }, `No address known for member ${peer}; it cannot be reached`);
        }
        continue;
      }
      if (this.linked.get(peer) === address || transport.setPeer === undefined) continue;
      transport.setPeer(peer, parsePeerAddress(address));
      this.linked.set(peer, address);
      logger.info({ peer, address }, `Linked member ${peer} at ${address}`);
    }
    for (const peer of this.linked.keys()) {
      if (!want.has(peer) && !this.unlinkAtTick.has(peer)) {
        this.unlinkAtTick.set(peer, this.ticks + this.parts.lingerTicks);
      }
    }
  }

  private noteRemoved(index: LogIndex): void {
    this.removal = { index, haltAtTick: this.ticks + this.parts.lingerTicks, told: false };
    this.tellRemoved();
  }

  private tellRemoved(): void {
    const removal = this.removal;
    if (removal === null || removal.told) return;
    removal.told = true;
    const { id, logger, events } = this.parts;
    logger.info({ id, index: removal.index },
      `Removed from the cluster by the configuration at ${removal.index}; no longer campaigning`);
    events.emit("removed", { index: removal.index });
  }

  private maybeHalt(): void {
    const removal = this.removal;
    if (removal === null) return;
    this.tellRemoved();
    if (this.ticks < removal.haltAtTick) return;
    if (this.isMember(this.latest())) {
      this.removal = null; // added back before we stopped
      return;
    }
    // A removed leader hands over first (§4.2.2); the core steps it down within a timeout.
    if (this.parts.raft.status().role === "leader") return;
    this.removal = null;
    this.parts.logger.info({ id: this.parts.id },
      "Stopping Raft activity: removed from the cluster");
    this.parts.halt();
  }
}
