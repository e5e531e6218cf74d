/**
 * A bounded FIFO of encoded payloads waiting for one peer. When either bound would be exceeded the
 * new payload is refused (and the caller counts the drop): Raft tolerates message loss (§5.1) far
 * better than a node whose memory grows without bound behind a slow or dead peer.
 */
import { assert } from "../core/index.js";

export class SendQueue {
  private items: Uint8Array[] = [];
  private head = 0;
  private queuedBytes = 0;

  constructor(readonly messagesMax: number, readonly bytesMax: number) {
    assert(messagesMax > 0 && bytesMax > 0, "send queue bounds must be positive");
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  /** Appends `payload` unless a bound would be exceeded; returns whether it was queued. */
  maybePush(payload: Uint8Array): boolean {
    if (this.length >= this.messagesMax) return false;
    if (this.queuedBytes + payload.byteLength > this.bytesMax) return false;
    this.items.push(payload);
    this.queuedBytes += payload.byteLength;
    return true;
  }

  /**
   * Removes a batch from the front: whole payloads while their total stays within `bytesMax`,
   * and always at least one, so a payload larger than the batch still goes out alone.
   */
  takeBatch(bytesMax: number): Uint8Array[] {
    const batch: Uint8Array[] = [];
    let total = 0;
    while (this.head < this.items.length) {
      const next = this.items[this.head];
      assert(next !== undefined, "queue slot empty");
      if (batch.length > 0 && total + next.byteLength > bytesMax) break;
      batch.push(next);
      total += next.byteLength;
      this.head += 1;
    }
    this.queuedBytes -= total;
    this.compact();
    return batch;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.queuedBytes = 0;
  }

  /** Drops consumed slots once they are the majority, keeping pushes and takes amortised O(1). */
  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
