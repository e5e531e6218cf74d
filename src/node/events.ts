/**
 * The node's typed events. Listeners run synchronously inside the Ready loop, so they must be
 * quick and must not throw (a throwing listener is a bug and fails the node).
 *
 * `fatal` follows EventEmitter's "error" rule: with no listener, the error is rethrown on the
 * next turn of the event loop, so an unobserved disk failure ends the process (fail-stop)
 * instead of leaving a node that silently stopped working.
 */
import type { LogIndex, NodeId, RoleName, Term } from "../core/index.js";

export interface NodeEvents {
  /** This node's role changed. */
  readonly roleChange: { readonly role: RoleName; readonly term: Term };
  /** The leader this node knows changed (null: none known). */
  readonly leaderChange: { readonly leaderId: NodeId | null; readonly term: Term };
  /** Entries (or a snapshot) up to `index` were applied to the state machine. */
  readonly applied: { readonly index: LogIndex };
  /** This node took a snapshot of its state machine at `index` and compacted its log. */
  readonly snapshot: { readonly index: LogIndex };
  /**
   * This node applied a configuration without itself (§4.2.2): it no longer campaigns and, once
   * leadership has moved on, stops its Raft activity (state "stopped").
   */
  readonly removed: { readonly index: LogIndex };
  /**
   * A gray failure was noticed (stall_watch.ts): this leader's disk stalled and leadership is
   * moving to `peer`, or follower `peer`'s replication was wedged and has been restarted.
   */
  readonly stalled: {
    readonly kind: "disk" | "replication";
    readonly peer: NodeId | null;
    readonly reason: string;
  };
  /** The node failed (disk failure, state machine threw, assertion) and stopped working. */
  readonly fatal: { readonly error: Error };
}

export type NodeEventName = keyof NodeEvents;
export type NodeEventListener<K extends NodeEventName> = (event: NodeEvents[K]) => void;

export class NodeEventEmitter {
  private readonly listeners: { [K in NodeEventName]: Set<NodeEventListener<K>> } = {
    roleChange: new Set(),
    leaderChange: new Set(),
    applied: new Set(),
    snapshot: new Set(),
    removed: new Set(),
    stalled: new Set(),
    fatal: new Set(),
  };

  /** @param defer runs a function on a later turn (host.ts `defer`). */
  constructor(private readonly defer: (fn: () => void) => void) {}

  /** Subscribes `listener`; returns a function that unsubscribes it. */
  on<K extends NodeEventName>(name: K, listener: NodeEventListener<K>): () => void {
    const set = this.listeners[name] as Set<NodeEventListener<K>>;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Subscribes for the first event only. */
  once<K extends NodeEventName>(name: K, listener: NodeEventListener<K>): () => void {
    const off = this.on(name, (event) => {
      off();
      listener(event);
    });
    return off;
  }

  emit<K extends NodeEventName>(name: K, event: NodeEvents[K]): void {
    const set = this.listeners[name] as Set<NodeEventListener<K>>;
    if (name === "fatal" && set.size === 0) {
      const { error } = event as NodeEvents["fatal"];
      this.defer(() => {
        throw error;
      });
      return;
    }
    for (const listener of [...set]) listener(event);
  }
}
