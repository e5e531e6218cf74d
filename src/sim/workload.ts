/**
 * Simulated clients and the history they record (history-format.md, Jepsen's model). Each
 * client talks to one node, has at most one operation open, and gives up after a timeout:
 * a timed-out write or cas is `info` (it may still take effect) and the client continues under a
 * new process number; a timed-out read is `fail`, which is exact because a read has no effect.
 * Writes use values unique across the run, so a read names the write it observed.
 */
import type { SeededRng } from "../core/rng.js";
import type { HistoryEvent } from "../check/index.js";
import { HistoryRecorder } from "../check/history_recorder.js";
import { auxCommand } from "./aux_commands.js";

export type OpName = "read" | "write" | "cas";

/** A register's value: absent (null), a unique write value, or a cas's [from, to] pair. */
export type KvValue = null | number | readonly KvValue[];

/** What a client sends to its node. */
export interface ClientRequest {
  readonly opId: number;
  readonly client: number;
  readonly clientId: string;
  readonly seq: number;
  readonly f: OpName;
  readonly key: string;
  /** write: the value; cas: [from, to]; read: null. */
  readonly value: KvValue;
  /** A command of the wider Redis mix sent along (aux_commands.ts), outside the history. */
  readonly aux?: readonly Uint8Array[];
}

export interface ClientReply {
  readonly opId: number;
  readonly client: number;
  /** `info`: the outcome is unknown (the operation may still take effect). */
  readonly type: "ok" | "fail" | "info";
  /** read: the value read; otherwise the request's value. */
  readonly value: KvValue;
  readonly error?: string;
}

export interface WorkloadOptions {
  readonly clients: number;
  readonly nodes: number;
  readonly opsMax: number;
  readonly keys: number;
  readonly timeoutNs: number;
  /** Think time between a completion and the next invoke, drawn uniformly below this. */
  readonly thinkMaxNs: number;
  /** Extra wait after a refused request. */
  readonly backoffNs: number;
  /** The share of operations that carry a command of the wider Redis mix (0 draws nothing). */
  readonly auxShare: number;
}

export interface WorkloadHost {
  nowNs(): number;
  sendRequest(node: number, request: ClientRequest): void;
  scheduleClient(client: number, atNs: number, opId: number | null): void;
}

interface ClientState {
  process: number;
  clientId: string;
  seq: number;
  /** The node it talks to; it moves to another when told there is no leader there. */
  node: number;
  open: ClientRequest | null;
}

export class Workload {
  private readonly recorder: HistoryRecorder;
  private readonly clients: ClientState[];
  private opIdNext = 1;
  private valueNext = 1;
  /** The last value each client saw per key, to aim cas at a value that may be current. */
  private readonly seen = new Map<string, KvValue>();
  private openOps = 0;
  issued = 0;
  ok = 0;
  fail = 0;
  info = 0;
  stopped = false;

  constructor(
    private readonly options: WorkloadOptions,
    private readonly rng: SeededRng,
    private readonly host: WorkloadHost,
  ) {
    this.clients = Array.from({ length: options.clients }, (_, c) => ({
      process: c,
      clientId: `p${c}`,
      seq: 0,
      node: c % options.nodes,
      open: null,
    }));
    this.recorder = new HistoryRecorder(() => host.nowNs(), { firstProcess: options.clients });
  }

  /** The client history so far (docs/history-format.md). */
  get history(): HistoryEvent[] {
    return this.recorder.events;
  }

  /** Operations invoked and not yet completed. */
  get openCount(): number {
    return this.openOps;
  }

  /** Schedules every client's first operation at a random instant of the first tick. */
  start(): void {
    this.clients.forEach((_, c) => {
      const atNs = this.host.nowNs() + this.rng.nextInt(this.options.thinkMaxNs + 1);
      this.host.scheduleClient(c, atNs, null);
    });
  }

  /** The client's timer fired: a timeout when `opId` is its open operation, else its next op. */
  handleTimer(client: number, opId: number | null): void {
    const c = this.clientAt(client);
    if (opId === null) {
      this.maybeInvoke(client, c);
      return;
    }
    const open = c.open;
    if (open?.opId !== opId) return;
    if (open.f === "read") this.complete(c, open, "fail", null, "timeout");
    else {
      this.complete(c, open, "info", open.value, "timeout");
      this.newProcess(c);
    }
    this.scheduleNext(client);
  }

  /** After an `info`, Jepsen's rule: the client continues as a new process. */
  private newProcess(c: ClientState): void {
    c.process = this.recorder.newProcess();
    c.clientId = `p${c.process}`;
    c.seq = 0;
  }

  /** A node's reply reached the client; ignored if the operation already timed out. */
  handleReply(reply: ClientReply): void {
    const c = this.clientAt(reply.client);
    const open = c.open;
    if (open?.opId !== reply.opId) return;
    this.complete(c, open, reply.type, reply.value, reply.error);
    if (reply.type === "info") this.newProcess(c);
    // As a client library rotates endpoints: a node that knows no leader may be a spare, a
    // removed member or cut off, and may stay so; the next operation tries another node.
    if (reply.error === "NOT_LEADER") c.node = this.rng.nextInt(this.options.nodes);
    // A refused request (no leader known, proposal dropped) backs off like a real client would,
    // rather than burning its operations while an election runs.
    const refused = reply.type === "fail" && open.f !== "cas";
    this.scheduleNext(reply.client, refused ? this.options.backoffNs : 0);
  }

  private clientAt(client: number): ClientState {
    const c = this.clients[client];
    if (c === undefined) throw new RangeError(`no client ${client}`);
    return c;
  }

  private scheduleNext(client: number, backoffNs = 0): void {
    if (this.stopped || this.issued >= this.options.opsMax) return;
    const thinkNs = backoffNs + this.rng.nextInt(this.options.thinkMaxNs + 1);
    this.host.scheduleClient(client, this.host.nowNs() + thinkNs, null);
  }

  private maybeInvoke(client: number, c: ClientState): void {
    if (c.open !== null || this.stopped || this.issued >= this.options.opsMax) return;
    const key = String(this.rng.nextInt(this.options.keys));
    const roll = this.rng.nextFloat();
    const f: OpName = roll < 0.4 ? "read" : roll < 0.75 ? "write" : "cas";
    let value: KvValue = null;
    if (f === "write") value = this.valueNext++;
    if (f === "cas") {
      const from = this.seen.get(key) ?? this.rng.nextInt(Math.max(1, this.valueNext));
      value = [from, this.valueNext++];
    }
    c.seq++;
    const { auxShare } = this.options;
    const aux = auxShare > 0 && this.rng.nextFloat() < auxShare ? auxCommand(this.rng, this.valueNext++) : null;
    const request: ClientRequest = {
      opId: this.opIdNext++, client, clientId: c.clientId, seq: c.seq, f, key, value,
      ...(aux === null ? {} : { aux }),
    };
    c.open = request;
    this.openOps++;
    this.issued++;
    this.recorder.invoke({ process: c.process, f, key }, value, { node: c.node });
    this.host.sendRequest(c.node, request);
    this.host.scheduleClient(client, this.host.nowNs() + this.options.timeoutNs, request.opId);
  }

  private complete(
    c: ClientState,
    open: ClientRequest,
    type: "ok" | "fail" | "info",
    value: KvValue,
    error?: string,
  ): void {
    c.open = null;
    this.openOps--;
    const op = { process: c.process, f: open.f, key: open.key };
    this.recorder.complete(op, type, value, error === undefined ? {} : { error });
    if (type === "ok") {
      this.ok++;
      if (open.f === "read") this.seen.set(open.key, value);
      if (open.f === "write") this.seen.set(open.key, open.value);
      if (open.f === "cas" && Array.isArray(open.value)) {
        this.seen.set(open.key, (open.value as readonly KvValue[])[1] ?? null);
      }
    } else if (type === "fail") this.fail++;
    else this.info++;
  }

  /** Records a nemesis action in the history. */
  recordNemesis(f: string, value: string): void {
    this.recorder.nemesis(f, value);
  }
}
