/**
 * A Redis list: a sequence of byte strings in a ring buffer, so pushes and pops at both ends are
 * O(1) amortised and `at(i)` is O(1). Changes in the middle (LINSERT, LREM) rebuild the buffer.
 * Snapshots use `toArray`/`fromArray`.
 */
import type { Bytes } from "./keyspace.js";

const ITEM_OVERHEAD_BYTES = 16;
const CAPACITY_MIN = 8;

export class ListValue {
  /** Capacity is a power of two; the items are ring[(head + i) & mask] for i < count. */
  private ring: (Bytes | undefined)[] = new Array<Bytes | undefined>(CAPACITY_MIN);
  private head = 0;
  private count = 0;
  private bytes = 0;

  static fromArray(items: readonly Bytes[]): ListValue {
    const list = new ListValue();
    for (const item of items) list.pushRight(item);
    return list;
  }

  get length(): number {
    return this.count;
  }

  pushLeft(item: Bytes): void {
    this.grow();
    this.head = (this.head - 1) & (this.ring.length - 1);
    this.ring[this.head] = item;
    this.count++;
    this.bytes += item.byteLength + ITEM_OVERHEAD_BYTES;
  }

  pushRight(item: Bytes): void {
    this.grow();
    this.ring[(this.head + this.count) & (this.ring.length - 1)] = item;
    this.count++;
    this.bytes += item.byteLength + ITEM_OVERHEAD_BYTES;
  }

  popLeft(): Bytes | undefined {
    if (this.count === 0) return undefined;
    const item = this.ring[this.head];
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) & (this.ring.length - 1);
    return this.taken(item);
  }

  popRight(): Bytes | undefined {
    if (this.count === 0) return undefined;
    const slot = (this.head + this.count - 1) & (this.ring.length - 1);
    const item = this.ring[slot];
    this.ring[slot] = undefined;
    return this.taken(item);
  }

  /** The item at 0-based `index` from the left, or undefined when out of range. */
  at(index: number): Bytes | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.ring[(this.head + index) & (this.ring.length - 1)];
  }

  /** Replaces the item at an in-range `index`. */
  set(index: number, item: Bytes): void {
    const slot = (this.head + index) & (this.ring.length - 1);
    const old = this.ring[slot];
    if (index < 0 || index >= this.count || old === undefined) throw new RangeError(`list index ${index} out of range`);
    this.ring[slot] = item;
    this.bytes += item.byteLength - old.byteLength;
  }

  /** Items [start, end] (inclusive, both in range). */
  slice(start: number, end: number): Bytes[] {
    const out: Bytes[] = [];
    for (let i = start; i <= end; i++) {
      const item = this.at(i);
      if (item !== undefined) out.push(item);
    }
    return out;
  }

  /** Replaces the whole content (LINSERT, LREM). */
  replaceAll(items: readonly Bytes[]): void {
    let capacity = CAPACITY_MIN;
    while (capacity < items.length) capacity *= 2;
    this.ring = new Array<Bytes | undefined>(capacity);
    this.head = 0;
    this.count = 0;
    this.bytes = 0;
    for (const item of items) this.pushRight(item);
  }

  toArray(): Bytes[] {
    return this.slice(0, this.count - 1);
  }

  estimatedBytes(): number {
    return this.bytes;
  }

  private taken(item: Bytes | undefined): Bytes | undefined {
    this.count--;
    if (item !== undefined) this.bytes -= item.byteLength + ITEM_OVERHEAD_BYTES;
    if (this.count > CAPACITY_MIN && this.count * 4 < this.ring.length) this.resize(this.ring.length / 2);
    return item;
  }

  private grow(): void {
    if (this.count === this.ring.length) this.resize(this.ring.length * 2);
  }

  private resize(capacity: number): void {
    const ring = new Array<Bytes | undefined>(capacity);
    for (let i = 0; i < this.count; i++) ring[i] = this.ring[(this.head + i) & (this.ring.length - 1)];
    this.ring = ring;
    this.head = 0;
  }
}
