/**
 * Test support for the dashboard: a node whose status and members a test sets and whose events
 * it emits, standing in for a ClusterNode behind `DashboardRecorder`.
 */
import { logIndex, nodeId, term, type Message, type Ready } from "../../core/index.js";
import type { MemberInfo, NodeStatus } from "../../node/index.js";
import { NodeEventEmitter } from "../../node/events.js";
import type { DashboardNodeSource } from "../dashboard/recorder.js";

export class FakeDashboardNode implements DashboardNodeSource {
  readonly events = new NodeEventEmitter((fn) => { queueMicrotask(fn); });
  statusNow: NodeStatus;
  membersNow: MemberInfo[];

  constructor(readonly id: string, memberIds: readonly string[] = [id]) {
    this.statusNow = {
      id: nodeId(id), role: "follower", term: term(1), leaderId: null, commit: logIndex(0),
      applied: logIndex(0), lastIndex: logIndex(0), snapshotIndex: logIndex(0), peers: null,
      pendingProposals: 0, pendingReads: 0, state: "running",
    };
    this.membersNow = memberIds.map((m) => member(m, null));
  }

  status(): NodeStatus {
    return this.statusNow;
  }

  members(): readonly MemberInfo[] {
    return this.membersNow;
  }

  on: DashboardNodeSource["on"] = (name, listener) => this.events.on(name, listener);
}

export function member(id: string, http: string | null, role: "voter" | "learner" = "voter") {
  return {
    id: nodeId(id), role, outgoingVoter: false, isLeader: false,
    addresses: http === null ? null : { peer: "127.0.0.1:1", http }, match: null, lag: null,
  } satisfies MemberInfo;
}

/** A Ready carrying only `messages` (what the recorder's readyTaken hook looks at). */
export function readyWith(messages: readonly Message[]): Ready {
  return { messages } as unknown as Ready;
}
