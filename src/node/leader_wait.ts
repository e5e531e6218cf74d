/**
 * Waiting for a usable cluster: `waitForLeader` resolves once this node knows a leader (itself or
 * a peer), so a program that has just started its nodes can propose and read without racing the
 * first election (before it, `propose` fails with NotLeaderError, definitely).
 *
 * Knowing a leader is what `propose` needs: a follower forwards to it. It is no promise that the
 * leader can still reach a quorum a moment later; `propose` and `readBarrier` keep their own
 * errors for that.
 */
import type { NodeId } from "../core/index.js";
import { LeaderWaitTimeoutError, NodeStoppedError } from "./errors.js";
import type { NodeEventListener } from "./events.js";
import type { NodeRunState } from "./status.js";

export const LEADER_WAIT_TIMEOUT_MS_DEFAULT = 10_000;

export interface LeaderWaitOptions {
  /** Give up after this long (default 10 s). */
  readonly timeoutMs?: number;
}

/** What the wait needs of a node (ClusterNode provides it). */
export interface LeaderWatch {
  readonly id: NodeId;
  status(): { readonly leaderId: NodeId | null; readonly state: NodeRunState };
  on(name: "leaderChange", listener: NodeEventListener<"leaderChange">): () => void;
  on(name: "fatal", listener: NodeEventListener<"fatal">): () => void;
}

/** Runs `fire` after `ms` milliseconds; returns a function that cancels it. */
export type Delay = (ms: number, fire: () => void) => () => void;

/**
 * Resolves with the leader's id as soon as `node` knows one.
 * @throws LeaderWaitTimeoutError when none is known within `timeoutMs` (definite).
 * @throws NodeStoppedError when the node is not running or fails while waiting.
 */
export function waitForLeader(
  node: LeaderWatch,
  options: LeaderWaitOptions,
  delay: Delay,
): Promise<NodeId> {
  const timeoutMs = options.timeoutMs ?? LEADER_WAIT_TIMEOUT_MS_DEFAULT;
  const { leaderId, state } = node.status();
  if (state !== "running") return Promise.reject(new NodeStoppedError(`it is ${state}`));
  if (leaderId !== null) return Promise.resolve(leaderId);
  return new Promise<NodeId>((resolve, reject) => {
    const cleanups: (() => void)[] = [];
    const settle = (outcome: () => void): void => {
      for (const cleanup of cleanups) cleanup();
      outcome();
    };
    cleanups.push(node.on("leaderChange", (event) => {
      const leader = event.leaderId;
      if (leader !== null) settle(() => { resolve(leader); });
    }));
    cleanups.push(node.on("fatal", ({ error }) => {
      settle(() => { reject(new NodeStoppedError(`it failed: ${error.message}`)); });
    }));
    cleanups.push(delay(timeoutMs, () => {
      settle(() => { reject(new LeaderWaitTimeoutError(node.id, timeoutMs)); });
    }));
  });
}
