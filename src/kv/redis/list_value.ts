/**
 * A Redis list: a sequence of byte strings with cheap pushes and pops at both ends.
 * (Owned by the lists work: the representation may change behind this API; snapshots use
 * `toArray`/`fromArray`.)
 */
import type { Bytes } from "./keyspace.js";

export class ListValue {
  private items: Bytes[] = [];
  private bytes = 0;

  static fromArray(items: readonly Bytes[]): ListValue {
    const list = new ListValue();
    for (const item of items) list.pushRight(item);
    return list;
  }

  get length(): number {
    return this.items.length;
  }

  pushLeft(item: Bytes): void {
    this.items.unshift(item);
    this.bytes += item.byteLength + 16;
  }

  pushRight(item: Bytes): void {
    this.items.push(item);
    this.bytes += item.byteLength + 16;
  }

  popLeft(): Bytes | undefined {
    const item = this.items.shift();
    if (item !== undefined) this.bytes -= item.byteLength + 16;
    return item;
  }

  popRight(): Bytes | undefined {
    const item = this.items.pop();
    if (item !== undefined) this.bytes -= item.byteLength + 16;
    return item;
  }

  at(index: number): Bytes | undefined {
    return this.items[index];
  }

  toArray(): Bytes[] {
    return [...this.items];
  }

  estimatedBytes(): number {
    return this.bytes;
  }
}
