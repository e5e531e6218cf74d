/**
 * The AppendEntries a leader has sent to one follower in replicate state and not yet seen
 * acknowledged: a bounded ring of their last indexes (flow control, as in etcd-io/raft). When
 * full, the leader stops sending to that follower until an acknowledgement frees a slot.
 */
import { assert, AssertionError, type LogIndex } from "./types.js";

export class Inflights {
  private readonly ring: LogIndex[];
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    assert(Number.isSafeInteger(capacity) && capacity > 0,
      `inflight capacity ${capacity} must be positive`);
    this.ring = [];
  }

  count(): number {
    return this.size;
  }

  full(): boolean {
    return this.size === this.capacity;
  }

  /** Records an append whose last entry is `index`; indexes must increase. */
  add(index: LogIndex): void {
    assert(!this.full(), "cannot add to full inflights");
    const lastSlot = (this.start + this.size - 1) % this.capacity;
    const previous = this.size > 0 ? this.ring[lastSlot] : undefined;
    if (!(previous === undefined || index > previous)) {
      throw new AssertionError(`inflight ${index} after ${previous}`);
    }
    this.ring[(this.start + this.size) % this.capacity] = index;
    this.size++;
  }

  /** Frees every append whose last index is <= `index` (they are acknowledged). */
  freeLE(index: LogIndex): void {
    while (this.size > 0) {
      const head = this.ring[this.start];
      assert(head !== undefined, "inflights ring lost an entry");
      if (head > index) break;
      this.start = (this.start + 1) % this.capacity;
      this.size--;
    }
    if (this.size === 0) this.start = 0;
  }

  /** Frees the oldest append, letting one more message out (after a heartbeat response). */
  freeFirstOne(): void {
    if (this.size === 0) return;
    this.start = (this.start + 1) % this.capacity;
    this.size--;
  }

  reset(): void {
    this.start = 0;
    this.size = 0;
  }
}
