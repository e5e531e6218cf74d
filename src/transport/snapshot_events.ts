/**
 * What snapshot streaming reports: counters for `TcpTransport.snapshotStats()` (metrics, and
 * tests that check how many bytes a resumed transfer re-sent) and events for an optional
 * listener (`TcpTransportOptions.onSnapshotEvent`).
 */
import { assertNever, type LogIndex, type NodeId } from "../core/index.js";
import type { SnapshotFailureReason } from "./snapshot_errors.js";

export type SnapshotEvent =
  /** An attempt was accepted by the receiver, continuing from `resumedFromBytes` (0: fresh). */
  | { readonly kind: "sendStarted"; readonly peer: NodeId; readonly index: LogIndex;
    readonly resumedFromBytes: number }
  | { readonly kind: "sendCompleted"; readonly peer: NodeId; readonly index: LogIndex;
    readonly bytes: number }
  /** The sender gave the transfer up; the core's retry will start a new one. */
  | { readonly kind: "sendFailed"; readonly peer: NodeId; readonly index: LogIndex;
    readonly reason: string }
  /** The receiver stored a chunk; `offset` is where the stored prefix now ends. */
  | { readonly kind: "chunkStored"; readonly peer: NodeId; readonly index: LogIndex;
    readonly offset: number }
  | { readonly kind: "delivered"; readonly peer: NodeId; readonly index: LogIndex;
    readonly bytes: number }
  | { readonly kind: "dropped"; readonly peer: NodeId; readonly index: LogIndex;
    readonly reason: SnapshotFailureReason };

export type SnapshotEventListener = (event: SnapshotEvent) => void;

export interface SnapshotStats {
  /** Attempts the receiver accepted (each reconnect or retry is another). */
  readonly transfersStarted: number;
  /** Attempts that continued a partial file instead of starting at 0. */
  readonly transfersResumed: number;
  readonly transfersCompleted: number;
  readonly transfersFailed: number;
  /** InstallSnapshots from the core for a transfer already under way, not sent again. */
  readonly duplicatesIgnored: number;
  /** Snapshot data bytes written to the send queue (re-sent bytes count again). */
  readonly chunkBytesSent: number;
  readonly transfersDelivered: number;
  readonly transfersDropped: number;
  readonly chunkBytesReceived: number;
}

type Counters = { -readonly [K in keyof SnapshotStats]: number };

/** The counters and the listener, shared by every sender and the receiver of one transport. */
export class SnapshotReporter {
  private readonly counters: Counters = {
    transfersStarted: 0, transfersResumed: 0, transfersCompleted: 0, transfersFailed: 0,
    duplicatesIgnored: 0, chunkBytesSent: 0, transfersDelivered: 0, transfersDropped: 0,
    chunkBytesReceived: 0,
  };

  constructor(private readonly listener: SnapshotEventListener = () => undefined) {}

  stats(): SnapshotStats {
    return { ...this.counters };
  }

  count(counter: "duplicatesIgnored" | "chunkBytesSent" | "chunkBytesReceived", by = 1): void {
    this.counters[counter] += by;
  }

  emit(event: SnapshotEvent): void {
    switch (event.kind) {
      case "sendStarted":
        this.counters.transfersStarted += 1;
        if (event.resumedFromBytes > 0) this.counters.transfersResumed += 1;
        break;
      case "sendCompleted": this.counters.transfersCompleted += 1; break;
      case "sendFailed": this.counters.transfersFailed += 1; break;
      case "chunkStored": break;
      case "delivered": this.counters.transfersDelivered += 1; break;
      case "dropped": this.counters.transfersDropped += 1; break;
      default: assertNever(event, "snapshot event");
    }
    this.listener(event);
  }
}
