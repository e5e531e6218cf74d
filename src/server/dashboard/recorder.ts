/**
 * What one node tells its dashboard about itself (`LocalView`, served at `/v1/dashboard/local`):
 * its status, its membership view, the votes of the last election, a timeline and sparkline
 * samples. The recorder listens to the node's events and wraps its observer hooks
 * (src/node/observer.ts) to learn what the events do not say: whom this node voted for, who voted
 * for it, whether it asked a peer to take over (TimeoutNow) and which higher-term message
 * deposed it. Step-down reasons are inferred from those, and say so when they are a guess.
 *
 * The hooks run inline in the Ready loop, so they only compare a type and a term per message.
 */
import type { Registry } from "prom-client";
import type { Message, Ready } from "../../core/index.js";
import type {
  MemberInfo, NodeEventListener, NodeEventName, NodeObserver, NodeStatus,
} from "../../node/index.js";
import type { PeerStatusJson } from "../http/routes_status.js";
import { readMetrics, Series, type SeriesSample } from "./series.js";
import { Timeline, type TimelineEvent } from "./timeline.js";

/** The parts of a `ClusterNode` the recorder reads. */
export interface DashboardNodeSource {
  readonly id: string;
  status(): NodeStatus;
  members(): readonly MemberInfo[];
  on<K extends NodeEventName>(name: K, listener: NodeEventListener<K>): () => void;
}

/** A follower's progress as the leader sees it: the same shape as GET /v1/status shows. */
export type PeerViewJson = PeerStatusJson;

export interface MemberViewJson {
  readonly id: string;
  readonly role: "voter" | "learner";
  readonly isLeader: boolean;
  readonly http: string | null;
}

export interface LocalView {
  readonly id: string;
  readonly atMs: number;
  /** follower, pre-candidate, candidate, leader, or learner (a non-voting follower). */
  readonly role: string;
  readonly term: number;
  readonly leaderId: string | null;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  readonly pendingProposals: number;
  readonly pendingReads: number;
  /** running, stopped (e.g. removed), failed, or "unavailable (why)" when unreadable. */
  readonly state: string;
  /** On the leader only: every member's replication progress. */
  readonly peers: readonly PeerViewJson[] | null;
  readonly members: readonly MemberViewJson[];
  /** Whom this node granted its vote in the newest term it voted in. */
  readonly votedFor: { readonly term: number; readonly candidate: string } | null;
  /** The newest election this node won: who voted for it. */
  readonly lastWin: { readonly term: number; readonly voters: readonly string[] } | null;
  /** Peer traffic cut off by a dashboard control (local clusters only). */
  readonly isolated: boolean;
  readonly events: readonly TimelineEvent[];
  readonly series: readonly SeriesSample[];
}

export const SAMPLE_INTERVAL_MS = 500;
/** A TimeoutNow sent this recently explains the step-down that follows it. */
const TRANSFER_EXPLAINS_MS = 5000;

export interface RecorderOptions {
  readonly nowMs?: () => number;
  /** Whether peer traffic is cut off (dashboard controls); false when absent. */
  readonly isolated?: () => boolean;
}

export class DashboardRecorder {
  readonly timeline: Timeline;
  private readonly series = new Series();
  private readonly nowMs: () => number;
  private readonly isolated: () => boolean;
  private node: DashboardNodeSource | null = null;
  private registry: Registry | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private sampling = false;
  private role = "follower";
  private term = 0;
  private highestTermSeen = 0;
  private deposedBy: { term: number; from: string; type: string } | null = null;
  private transferTo: { to: string; atMs: number } | null = null;
  private removed = false;
  private votedFor: { term: number; candidate: string } | null = null;
  private votesFor: { term: number; voters: Set<string> } = { term: 0, voters: new Set() };
  private lastWin: { term: number; voters: readonly string[] } | null = null;
  private members = new Map<string, string>();
  private lastView: LocalView | null = null;

  constructor(readonly id: string, options: RecorderOptions = {}) {
    this.nowMs = options.nowMs ?? Date.now;
    this.isolated = options.isolated ?? (() => false);
    this.timeline = new Timeline(id, this.nowMs);
  }

  /** `base` plus the hooks the recorder needs; pass the result as the node's observer. */
  observe(base: NodeObserver): NodeObserver {
    const received = base.messageReceived;
    const taken = base.readyTaken;
    return {
      ...base,
      messageReceived: (message) => {
        received?.(message);
        this.onReceived(message);
      },
      readyTaken: (ready) => {
        taken?.(ready);
        this.onReady(ready);
      },
    };
  }

  /** Starts following `node` (once it runs) and sampling every `SAMPLE_INTERVAL_MS`. */
  attach(node: DashboardNodeSource, registry: Registry | null): void {
    this.node = node;
    this.registry = registry;
    const status = node.status();
    this.role = status.role;
    this.term = status.term;
    this.highestTermSeen = status.term;
    this.members = memberRoles(node.members());
    node.on("roleChange", ({ role, term }) => { this.onRole(role, term); });
    node.on("leaderChange", ({ leaderId, term }) => {
      this.timeline.record("leader", term, leaderId === null
        ? `no leader known in term ${term}` : `leader is ${leaderId} in term ${term}`);
    });
    node.on("snapshot", ({ index }) => {
      this.timeline.record("snapshot", this.term, `took a snapshot at index ${index}`);
    });
    node.on("removed", ({ index }) => {
      this.removed = true;
      this.timeline.record("removed", this.term,
        `applied a configuration without itself at index ${index}: removed from the cluster`);
    });
    node.on("fatal", ({ error }) => {
      this.timeline.record("failed", this.term, `node failed: ${error.message}`);
    });
    this.timer = setInterval(() => { void this.sampleNow(); }, SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Records a partition or heal done through the dashboard's controls. */
  recordPartition(isolated: boolean): void {
    this.timeline.record("partition", this.term, isolated
      ? "peer traffic cut off (dashboard control: partition)"
      : "peer traffic restored (dashboard control: heal)");
  }

  /**
   * This node's view. A node whose status can no longer be read (stopped after its removal,
   * storage closed) shows its last view marked unavailable, never made-up numbers.
   * @throws Error before `attach`, or if the status could never be read.
   */
  localView(): LocalView {
    const node = this.node;
    if (node === null) throw new Error("the dashboard recorder is not attached to a node yet");
    try {
      this.lastView = this.readView(node);
      return this.lastView;
    } catch (error) {
      if (this.lastView === null) throw error;
      const why = error instanceof Error ? error.message : String(error);
      return {
        ...this.lastView, atMs: this.nowMs(), state: `unavailable (${why})`, peers: null,
        events: this.timeline.recent(), series: this.series.recent(),
      };
    }
  }

  private readView(node: DashboardNodeSource): LocalView {
    const status = node.status();
    const members = node.members();
    const self = members.find((m) => m.id === status.id);
    const learner = status.role === "follower" && self?.role === "learner";
    return {
      id: status.id, atMs: this.nowMs(), role: learner ? "learner" : status.role,
      term: status.term, leaderId: status.leaderId, commit: status.commit,
      applied: status.applied, lastIndex: status.lastIndex, snapshotIndex: status.snapshotIndex,
      pendingProposals: status.pendingProposals, pendingReads: status.pendingReads,
      state: status.state,
      peers: status.peers === null ? null : status.peers.map((p) => ({
        id: p.id, match: p.match, next: p.next, state: p.state, recentActive: p.recentActive,
        lag: p.lag,
      })),
      members: members.map((m) => ({
        id: m.id, role: m.role, isLeader: m.isLeader, http: m.addresses?.http ?? null,
      })),
      votedFor: this.votedFor, lastWin: this.lastWin, isolated: this.isolated(),
      events: this.timeline.recent(), series: this.series.recent(),
    };
  }

  private onReceived(message: Message): void {
    if (message.term > this.highestTermSeen) {
      this.highestTermSeen = message.term;
      this.deposedBy = { term: message.term, from: message.from, type: message.type };
    }
    if (message.type === "RequestVoteResponse" && !message.reject) {
      if (message.term !== this.votesFor.term) {
        this.votesFor = { term: message.term, voters: new Set([this.id]) };
      }
      this.votesFor.voters.add(message.from);
    }
  }

  private onReady(ready: Ready): void {
    for (const message of ready.messages) {
      if (message.type === "TimeoutNow") {
        this.transferTo = { to: message.to, atMs: this.nowMs() };
        this.timeline.record("leader", message.term,
          `asked ${message.to} to take over leadership (TimeoutNow)`);
      } else if (message.type === "RequestVoteResponse" && !message.reject) {
        this.votedFor = { term: message.term, candidate: message.to };
        this.timeline.record("vote", message.term,
          `voted for ${message.to} in term ${message.term}`);
      }
    }
  }

  private onRole(role: string, term: number): void {
    const before = this.role;
    this.role = role;
    this.term = term;
    if (role === "candidate") {
      this.timeline.record("election", term, `started an election for term ${term}`);
    } else if (role === "pre-candidate") {
      this.timeline.record("election", term, `pre-vote: asked whether an election could win`);
    } else if (role === "leader") {
      const voters = this.votesFor.term === term ? [...this.votesFor.voters].sort() : [this.id];
      this.lastWin = { term, voters };
      this.timeline.record("election", term,
        `won the election for term ${term} with votes from ${voters.join(", ")}`);
    } else if (before === "leader") {
      this.timeline.record("stepdown", term, `stepped down: ${this.stepDownReason(term)}`);
    } else {
      this.timeline.record("role", term, `became ${role} in term ${term}`);
    }
  }

  private stepDownReason(term: number): string {
    const transfer = this.transferTo;
    if (transfer !== null && this.nowMs() - transfer.atMs <= TRANSFER_EXPLAINS_MS) {
      this.transferTo = null;
      return `leadership transferred to ${transfer.to}`;
    }
    if (this.removed) return "removed from the cluster";
    const deposed = this.deposedBy;
    if (deposed !== null && deposed.term === term) {
      return `${deposed.type} from ${deposed.from} carried the higher term ${term}`;
    }
    return `lost contact with a majority (check-quorum) in term ${term}`;
  }

  /** Takes one sample now (the timer does every SAMPLE_INTERVAL_MS; tests call it). */
  async sampleNow(): Promise<void> {
    const node = this.node;
    if (node === null || this.sampling) return;
    this.sampling = true;
    try {
      this.noteMembership(node.members());
      const reading = this.registry === null
        ? { committed: 0, buckets: [] } : await readMetrics(this.registry);
      this.series.add(this.nowMs(), node.status().applied, reading);
    } catch {
      // A stopped node's storage may refuse reads; the view shows its state instead.
    } finally {
      this.sampling = false;
    }
  }

  private noteMembership(members: readonly MemberInfo[]): void {
    const now = memberRoles(members);
    for (const [id, role] of now) {
      const before = this.members.get(id);
      if (before === undefined) {
        this.timeline.record("membership", this.term, `${id} joined as a ${role}`);
      } else if (before !== role) {
        this.timeline.record("membership", this.term, `${id} became a ${role}`);
      }
    }
    for (const id of this.members.keys()) {
      if (!now.has(id)) this.timeline.record("membership", this.term, `${id} left the cluster`);
    }
    this.members = now;
  }
}

function memberRoles(members: readonly MemberInfo[]): Map<string, string> {
  return new Map(members.map((m) => [m.id, m.role]));
}
