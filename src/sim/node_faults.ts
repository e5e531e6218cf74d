/**
 * Faults applied to nodes at the nemesis's request: crash (restart later), pause (events queue
 * up until resumed), and wipe (a fresh disk and a new identity, restarted later). Every fault
 * goes into the trace and the history; the node ids array is shared with the simulation and
 * the nemesis, so a wiped node's new id shows everywhere at once.
 */
import { nodeId, type NodeId } from "../core/types.js";
import type { SimNode } from "./sim_node.js";
import type { NodeEvent, SimEvent } from "./sim_types.js";

export interface NodeFaultsHost {
  nowNs(): number;
  push(atNs: number, event: SimEvent): void;
  trace(line: string): void;
  recordNemesis(f: string, value: string): void;
  downtimeNs(): number;
  pauseNs(): number;
  /** Hands a queued event to a resumed node. */
  deliverToNode(node: SimNode, event: NodeEvent): void;
}

export class NodeFaults {
  /** Events that arrived while a node was paused, in order. */
  private readonly pausedQueues: NodeEvent[][];
  /** Nodes given a new id when wiped so far. */
  private renamed = 0;

  constructor(
    private readonly nodes: readonly SimNode[],
    /** Node ids by index (shared; a wipe renames in place). */
    private readonly ids: NodeId[],
    private readonly indexOf: Map<string, number>,
    private readonly host: NodeFaultsHost,
    /** Test hook: a wiped node keeps its id (RuntimeBugs.wipedNodeKeepsId). */
    private readonly wipedNodeKeepsId: boolean,
  ) {
    this.pausedQueues = nodes.map(() => []);
  }

  /** Queues `event` if its node is paused; returns whether it did. */
  queueIfPaused(event: NodeEvent): boolean {
    if (this.nodes[event.node]?.paused !== true) return false;
    this.pausedQueues[event.node]?.push(event);
    return true;
  }

  crash(index: number, why: string): void {
    const node = this.nodes[index];
    if (node === undefined || !node.up) return;
    node.crash();
    this.pausedQueues[index] = [];
    this.host.trace(`${why} ${node.id}`);
    this.host.recordNemesis(why, node.id);
    this.scheduleRestart(index, node);
  }

  private scheduleRestart(index: number, node: SimNode): void {
    const at = this.host.nowNs() + this.host.downtimeNs();
    this.host.push(at, { kind: "restart", node: index, incarnation: node.incarnation });
  }

  /**
   * Wipes a node's disk (crashing it if up); it restarts empty, under a new id, after a
   * downtime. Messages still addressed to the old id are dropped: no node answers to it.
   */
  wipe(index: number): void {
    const node = this.nodes[index];
    if (node === undefined) return;
    const wasUp = node.up;
    const old = node.id;
    const id = this.wipedNodeKeepsId ? old : nodeId(`n${this.ids.length + ++this.renamed}`);
    node.wipe(id);
    this.indexOf.delete(old);
    this.indexOf.set(id, index);
    this.ids[index] = id;
    this.pausedQueues[index] = [];
    this.host.trace(`wipe ${old} as ${id}`);
    this.host.recordNemesis("wipe", `${old} as ${id}`);
    if (wasUp) this.scheduleRestart(index, node); // else its restart is already scheduled
  }

  restart(index: number): void {
    const node = this.nodes[index];
    if (node === undefined || node.up) return;
    this.host.trace(`restart ${node.id}`);
    this.host.recordNemesis("restart", node.id);
    node.restart();
  }

  pause(index: number): boolean {
    const node = this.nodes[index];
    if (node?.up !== true || node.paused) return false;
    node.paused = true;
    this.host.trace(`pause ${node.id}`);
    this.host.recordNemesis("pause", node.id);
    const at = this.host.nowNs() + this.host.pauseNs();
    this.host.push(at, { kind: "resume", node: index, incarnation: node.incarnation });
    return true;
  }

  resume(index: number): void {
    const node = this.nodes[index];
    if (node?.paused !== true) return;
    node.paused = false;
    this.host.trace(`resume ${node.id}`);
    this.host.recordNemesis("resume", node.id);
    const queued = this.pausedQueues[index] ?? [];
    this.pausedQueues[index] = [];
    for (const event of queued) {
      if (!node.up) break;
      this.host.deliverToNode(node, event);
    }
  }
}
