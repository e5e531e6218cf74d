/**
 * The runner's simulated network (maelstrom.net, docs/maelstrom.md §3 and §7.3). Every
 * message waits in a queue ordered by delivery deadline (send time + a latency sample; zero for
 * client traffic). The partition table is consulted when a message reaches the head of the queue,
 * so a message sent before a partition began is still dropped if it would be delivered during it:
 * blocked messages are discarded, never delayed. Clients are never cut off.
 */
import type { Rng } from "../../core/rng.js";
import type { Envelope } from "../protocol.js";
import { sampleLatencyMs, type LatencyDist } from "./latency.js";
import type { Grudge } from "../../check/partitions.js";

export interface NetworkOptions {
  readonly latencyMs: number;
  readonly latencyDist: LatencyDist;
  readonly rng: Rng;
  /** Milliseconds on a monotonic clock. */
  readonly nowMs: () => number;
}

export type DeliverFn = (envelope: Envelope) => void;

interface Pending {
  readonly deadlineMs: number;
  readonly seq: number;
  readonly envelope: Envelope;
}

/** Message counts in the shape of Maelstrom's `net` checker. */
export interface NetCounts {
  sendCount: number;
  recvCount: number;
  dropCount: number;
}

export interface NetStats {
  readonly all: NetCounts;
  /** Messages with a client at either end. */
  readonly clients: NetCounts;
  /** Messages between nodes. */
  readonly servers: NetCounts;
}

function emptyCounts(): NetCounts {
  return { sendCount: 0, recvCount: 0, dropCount: 0 };
}

export function isClientId(id: string): boolean {
  return id.startsWith("c");
}

export class Network {
  private readonly handlers = new Map<string, DeliverFn | null>();
  /** Sorted by (deadline, seq): the per-recipient queues merged into one. */
  private readonly queue: Pending[] = [];
  private grudge: Grudge = new Map();
  private timer: NodeJS.Timeout | null = null;
  private timerDeadlineMs = Infinity;
  private seq = 0;
  private flushing = false;
  private closed = false;
  readonly stats: NetStats = { all: emptyCounts(), clients: emptyCounts(), servers: emptyCounts() };

  constructor(private readonly options: NetworkOptions) {}

  /** Makes `id` a known address. A null handler is known but deaf (a closed client). */
  register(id: string, deliver: DeliverFn | null): void {
    this.handlers.set(id, deliver);
  }

  /** Closes a client: the id stays known (late replies are legal) but messages are discarded. */
  unregister(id: string): void {
    this.handlers.set(id, null);
  }

  isKnown(id: string): boolean {
    return this.handlers.has(id);
  }

  setGrudge(grudge: Grudge): void {
    this.grudge = grudge;
  }

  heal(): void {
    this.grudge = new Map();
  }

  send(envelope: Envelope): void {
    if (this.closed) return;
    const betweenNodes = !isClientId(envelope.src) && !isClientId(envelope.dest);
    const latencyMs = betweenNodes
      ? sampleLatencyMs(this.options.latencyDist, this.options.latencyMs, this.options.rng)
      : 0;
    this.count("sendCount", betweenNodes);
    const deadlineMs = this.options.nowMs() + latencyMs;
    const pending: Pending = { deadlineMs, seq: this.seq++, envelope };
    this.insert(pending);
    if (latencyMs === 0) this.flush();
    else this.schedule();
  }

  /** Stops all delivery; queued messages are discarded. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private count(field: keyof NetCounts, betweenNodes: boolean): void {
    this.stats.all[field]++;
    (betweenNodes ? this.stats.servers : this.stats.clients)[field]++;
  }

  private insert(pending: Pending): void {
    // Binary search for the first element that sorts after `pending`.
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = this.queue[mid] as Pending;
      const before = other.deadlineMs < pending.deadlineMs
        || (other.deadlineMs === pending.deadlineMs && other.seq < pending.seq);
      if (before) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    this.queue.splice(lo, 0, pending);
  }

  private schedule(): void {
    const head = this.queue[0];
    if (head === undefined || this.closed) return;
    if (this.timer !== null && this.timerDeadlineMs <= head.deadlineMs) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerDeadlineMs = head.deadlineMs;
    const delayMs = Math.max(0, head.deadlineMs - this.options.nowMs());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerDeadlineMs = Infinity;
      this.flush();
    }, Math.ceil(delayMs));
  }

  /** Delivers every message whose deadline has passed, in deadline order. */
  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      const nowMs = this.options.nowMs();
      while (!this.closed) {
        const head = this.queue[0];
        if (head === undefined || head.deadlineMs > nowMs) break;
        this.queue.shift();
        this.deliver(head.envelope);
      }
    } finally {
      this.flushing = false;
    }
    this.schedule();
  }

  private deliver(envelope: Envelope): void {
    const betweenNodes = !isClientId(envelope.src) && !isClientId(envelope.dest);
    const handler = this.handlers.get(envelope.dest);
    const blocked = this.grudge.get(envelope.dest)?.has(envelope.src) === true;
    if (blocked || handler === null || handler === undefined) {
      this.count("dropCount", betweenNodes);
      return;
    }
    this.count("recvCount", betweenNodes);
    handler(envelope);
  }
}
