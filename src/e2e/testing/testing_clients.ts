/**
 * Test support: HTTP clients that drive a cluster and record what they saw in the client
 * history format (history-format.md), for the linearizability checker. A completion is `fail`
 * only when the operation certainly did not take effect (a refused connection, a definite
 * error, a false CAS); a timeout or lost connection on a write is `info`, and the process then
 * continues under a new number (Jepsen's convention).
 */
import { execFileSync } from "node:child_process";
import { HistoryRecorder } from "../../check/history_recorder.js";
import { delay, type LocalCluster } from "../../app/local_cluster.js";

type Completion =
  | { readonly type: "ok"; readonly value?: unknown }
  | { readonly type: "fail" | "info" };

/** A history recorder on this process's monotonic clock, for clients of real processes. */
export function realTimeHistory(): HistoryRecorder {
  const started = process.hrtime.bigint();
  return new HistoryRecorder(() => Number(process.hrtime.bigint() - started));
}

export type Op =
  | { readonly f: "read"; readonly key: string }
  | { readonly f: "write"; readonly key: string; readonly value: number }
  | { readonly f: "cas"; readonly key: string; readonly value: readonly [number, number] };

const ATTEMPT_TIMEOUT_MS = 3000;

/**
 * Runs one operation against `endpoint`, recording invoke and completion under `process`.
 * @returns the completion type (the caller starts a new process after `info`).
 */
export async function runOp(
  history: HistoryRecorder, proc: number, endpoint: string, op: Op, timeoutMs = ATTEMPT_TIMEOUT_MS,
): Promise<Completion> {
  const invokeValue = op.f === "read" ? null : op.value;
  const recorded = { process: proc, f: op.f, key: op.key };
  history.invoke(recorded, invokeValue);
  const completion = await send(endpoint, op, timeoutMs);
  const value = completion.type === "ok" && op.f === "read" ? completion.value : invokeValue;
  history.complete(recorded, completion.type, value);
  return completion;
}

async function send(endpoint: string, op: Op, timeoutMs: number): Promise<Completion> {
  const path = `${endpoint}/v1/kv/${op.key}`;
  const init: RequestInit = { signal: AbortSignal.timeout(timeoutMs) };
  const json = (body: unknown): RequestInit => ({
    ...init, body: JSON.stringify(body), headers: { "content-type": "application/json" },
  });
  let response: Response;
  try {
    if (op.f === "read") response = await fetch(path, init);
    else if (op.f === "write") {
      response = await fetch(path, { ...json({ value: String(op.value) }), method: "PUT" });
    } else {
      const body = { expected: String(op.value[0]), value: String(op.value[1]) };
      response = await fetch(`${path}/cas`, { ...json(body), method: "POST" });
    }
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    return { type: code === "ECONNREFUSED" || op.f === "read" ? "fail" : "info" };
  }
  let body: { value?: string; swapped?: boolean; error?: { definite?: boolean } };
  try {
    body = await response.json() as typeof body;
  } catch {
    return { type: op.f === "read" ? "fail" : "info" };
  }
  if (response.status === 200) {
    if (op.f === "read") return { type: "ok", value: Number(body.value) };
    if (op.f === "cas") return body.swapped === true ? { type: "ok" } : { type: "fail" };
    return { type: "ok" };
  }
  if (op.f === "read") {
    return response.status === 404 ? { type: "ok", value: null } : { type: "fail" };
  }
  return { type: body.error?.definite === true ? "fail" : "info" };
}

export interface Workload {
  /** Keys written with unique values and acknowledged: key -> value. */
  readonly acknowledged: Map<string, number>;
  readonly history: HistoryRecorder;
  /** Stops the clients and waits for their last operations. */
  stop(): Promise<void>;
}

/**
 * Starts `registers` clients doing random reads, writes and CASes on a few shared keys, and one
 * writer of unique keys (`u<i>`) whose acknowledged writes must all survive. Each operation goes
 * to a random running node.
 */
export function startWorkload(
  cluster: LocalCluster,
  options: { readonly registers: number; readonly keys: number },
): Workload {
  const history = realTimeHistory();
  const acknowledged = new Map<string, number>();
  let running = true;
  let nextValue = 1;
  const endpoint = (): string => {
    const ids = cluster.runningIds;
    const id = ids[Math.floor(Math.random() * ids.length)] ?? "n1";
    return cluster.node(id).httpUrl;
  };
  const pause = (): Promise<void> => new Promise((done) => setTimeout(done, 5));
  const registerClient = async (): Promise<void> => {
    let proc = history.newProcess();
    while (running) {
      const key = `r${Math.floor(Math.random() * options.keys)}`;
      const dice = Math.random();
      const recent = Math.max(1, nextValue - 1 - Math.floor(Math.random() * 3));
      const op: Op = dice < 0.4 ? { f: "read", key }
        : dice < 0.8 ? { f: "write", key, value: nextValue++ }
        : { f: "cas", key, value: [recent, nextValue++] };
      const completion = await runOp(history, proc, endpoint(), op);
      if (completion.type === "info") proc = history.newProcess();
      else if (completion.type === "fail") await pause();
    }
  };
  const uniqueWriter = async (): Promise<void> => {
    let proc = history.newProcess();
    for (let i = 0; running; i++) {
      const key = `u${i}`;
      const value = nextValue++;
      const completion = await runOp(history, proc, endpoint(), { f: "write", key, value });
      if (completion.type === "ok") acknowledged.set(key, value);
      if (completion.type === "info") proc = history.newProcess();
      else if (completion.type === "fail") await pause();
    }
  };
  const clients = [uniqueWriter(), ...Array.from({ length: options.registers }, registerClient)];
  return {
    acknowledged, history,
    stop: async () => {
      running = false;
      await Promise.all(clients);
    },
  };
}

/** Reads every acknowledged key back (retrying elsewhere on errors) and returns mismatches. */
export async function lostWrites(
  cluster: LocalCluster,
  acknowledged: ReadonlyMap<string, number>,
): Promise<string[]> {
  const lost: string[] = [];
  for (const [key, value] of acknowledged) {
    let got: unknown = undefined;
    for (let attempt = 0; attempt < 20 && got === undefined; attempt++) {
      const id = cluster.runningIds[attempt % cluster.runningIds.length] ?? "n1";
      try {
        const url = `${cluster.node(id).httpUrl}/v1/kv/${key}`;
        const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
        const body = await response.json() as { value?: string };
        if (response.status === 200) got = Number(body.value);
        else if (response.status === 404) got = null;
      } catch {
        // try another node
      }
    }
    if (got !== value) lost.push(`${key}: wrote ${value}, read ${String(got)}`);
  }
  return lost;
}

/** Whether `command` (a Debian tool such as redis-cli or curl) is on the PATH and runs. */
export function installed(command: string): boolean {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a Redis command again while a node refuses it definitely for want of a leader
 * (`-TRYAGAIN`: nothing was applied, so a retry is safe), at most 50 times, 100 ms apart;
 * with `idempotent`, also after an unknown outcome (`-UNKNOWN`: applying it twice is harmless).
 */
export async function retried<T>(call: () => Promise<T>, options: { idempotent?: boolean } = {}): Promise<T> {
  const retry = options.idempotent === true ? /TRYAGAIN|UNKNOWN/ : /TRYAGAIN/;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= 50 || !retry.test(String(error))) throw error;
      await delay(100);
    }
  }
}
