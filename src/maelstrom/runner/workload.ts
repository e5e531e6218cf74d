/**
 * The lin-kv client workload exactly as Maelstrom generates it (jepsen.tests.linearizable-register
 * through jepsen.independent, docs/maelstrom.md §6 and §7.5):
 *
 * - C threads; thread i is bound for the whole test to node `nodes[i mod N]`.
 * - Threads form groups of 2N consecutive threads; each group works on one key (0, 1, 2, ...
 *   handed out in order). The first N threads of a group only read; the other N write/cas at 1:2.
 * - After an `info` a thread continues as a new process (old + C) with a new client.
 * - `gen/process-limit 20`: once the union of processes that have served a group's threads
 *   exceeds 20, the group abandons its key and takes the next unused one.
 * - `gen/stagger (/ 1 rate)` over the whole stream: consecutive ops are spaced by U[0, 2/rate) s,
 *   and an op is only handed to an idle thread.
 */
import type { Rng } from "../../core/rng.js";
import { Client } from "./client.js";
import { completionOf, readOp, requestBody, writerOp, type OpRequest } from "./lin_kv_ops.js";
import type { Network } from "./network.js";
import { clientTimeoutMs, type TestOptions } from "./options.js";
import type { Clock, Recorder } from "./recorder.js";
import { sleepMs } from "./sleep.js";

/** gen/process-limit's default in linearizable-register. */
export const groupProcessesMax = 20;

interface Thread {
  readonly index: number;
  readonly node: string;
  readonly group: Group;
  readonly reader: boolean;
  process: number;
  client: Client;
  busy: boolean;
}

interface Group {
  key: number;
  processes: Set<number>;
  readonly threads: Thread[];
}

export interface WorkloadDeps {
  readonly options: TestOptions;
  readonly nodes: readonly string[];
  readonly network: Network;
  readonly rng: Rng;
  readonly clock: Clock;
  readonly recorder: Recorder;
  readonly signal: AbortSignal;
  readonly newClientId: () => string;
}

export class Workload {
  private readonly threads: Thread[] = [];
  private nextKey = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private wakeIdle: (() => void) | null = null;

  constructor(private readonly deps: WorkloadDeps) {
    const { options, nodes } = deps;
    const groupSize = 2 * nodes.length;
    let group: Group | null = null;
    for (let i = 0; i < options.concurrency; i++) {
      if (i % groupSize === 0) {
        group = { key: this.nextKey++, processes: new Set(), threads: [] };
      }
      if (group === null) throw new Error("unreachable: the first thread opens a group");
      const thread: Thread = {
        index: i,
        node: nodes[i % nodes.length] as string,
        group,
        reader: i % groupSize < nodes.length,
        process: i,
        client: new Client(deps.newClientId(), deps.network),
        busy: false,
      };
      group.threads.push(thread);
      group.processes.add(i);
      this.threads.push(thread);
    }
  }

  /** Issues operations until `endMs` (on the clock), then waits for those in flight. */
  async run(endMs: number): Promise<void> {
    const { options, clock, rng, signal } = this.deps;
    if (options.rate > 0) {
      let nextMs = clock.nowMs();
      while (!signal.aborted) {
        if (nextMs >= endMs) break;
        await sleepMs(nextMs - clock.nowMs(), signal);
        const thread = await this.idleThread(endMs);
        // idleThread returns null once the signal aborts.
        if (thread === null || clock.nowMs() >= endMs) break;
        this.launch(thread);
        nextMs = clock.nowMs() + (rng.nextFloat() * 2000) / options.rate;
      }
    }
    await sleepMs(endMs - clock.nowMs(), signal);
    await Promise.all([...this.inFlight]);
  }

  /** Closes every client (their ids stay known to the network). */
  close(): void {
    for (const thread of this.threads) thread.client.close();
  }

  private async idleThread(endMs: number): Promise<Thread | null> {
    const { clock, rng, signal } = this.deps;
    while (!signal.aborted && clock.nowMs() < endMs) {
      const idle = this.threads.filter((thread) => !thread.busy);
      if (idle.length > 0) return idle[rng.nextInt(idle.length)] ?? null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, endMs - clock.nowMs()));
        this.wakeIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeIdle = null;
    }
    return null;
  }

  /** The next op for `thread`, moving its group to a fresh key when process-limit runs out. */
  private nextOp(thread: Thread): OpRequest {
    const group = thread.group;
    const current = group.threads.map((member) => member.process);
    for (const process of current) group.processes.add(process);
    if (group.processes.size > groupProcessesMax) {
      group.key = this.nextKey++;
      group.processes = new Set(current);
    }
    return thread.reader ? readOp(group.key) : writerOp(group.key, this.deps.rng);
  }

  private launch(thread: Thread): void {
    thread.busy = true;
    const running = this.execute(thread, this.nextOp(thread)).finally(() => {
      this.inFlight.delete(running);
      thread.busy = false;
      this.wakeIdle?.();
    });
    this.inFlight.add(running);
  }

  private async execute(thread: Thread, op: OpRequest): Promise<void> {
    const { options, recorder, network } = this.deps;
    const open = recorder.invoke(thread.process, thread.node, op);
    const result = await thread.client.rpc(thread.node, requestBody(op), clientTimeoutMs(options));
    const completion = completionOf(op, result, options.strictReads);
    recorder.complete(open, completion);
    if (completion.maelstromType === "info") {
      thread.client.close();
      thread.process += options.concurrency;
      thread.client = new Client(this.deps.newClientId(), network);
    }
  }
}
