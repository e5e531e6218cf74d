/**
 * Reading and changing the list at a key with the keyspace's bookkeeping: the list commands and
 * the moves between lists (list_moves.ts) share these.
 */
import { fail, lookup, WRONGTYPE, type ExecContext } from "./command.js";
import { noteCollectionChange } from "./collection_args.js";
import { keyOf, type Bytes, type KeyEntry } from "./keyspace.js";
import { ListValue } from "./list_value.js";

export interface ListAt {
  readonly key: string;
  readonly entry: KeyEntry;
  readonly list: ListValue;
  readonly bytesBefore: number;
}

/** The list at `key`, undefined if absent. @throws CommandError WRONGTYPE for another type. */
export function listAt(ctx: ExecContext, key: Bytes): ListAt | undefined {
  const entry = lookup(ctx, key);
  if (entry === undefined) return undefined;
  if (entry.value.type !== "list") fail(WRONGTYPE);
  const list = entry.value.value;
  return { key: keyOf(key), entry, list, bytesBefore: list.estimatedBytes() };
}

/** Bookkeeping after `at.list` changed in place (removes the key if the list is empty). */
export function listChanged(ctx: ExecContext, at: ListAt): void {
  noteCollectionChange(ctx, at.key, {
    entry: at.entry, size: at.list.length, deltaBytes: at.list.estimatedBytes() - at.bytesBefore,
  });
}

/** Pushes `items` onto the list at `key` (created if absent, unless `onlyExisting`). */
export function pushItems(
  ctx: ExecContext, key: Bytes, items: readonly Bytes[], options: { left: boolean; onlyExisting: boolean },
): number {
  const at = listAt(ctx, key);
  if (at === undefined && options.onlyExisting) return 0;
  const list = at?.list ?? new ListValue();
  for (const item of items) {
    const copy = Uint8Array.from(item);
    if (options.left) list.pushLeft(copy);
    else list.pushRight(copy);
  }
  if (at === undefined) ctx.db.put(keyOf(key), { type: "list", value: list }, ctx.index, null);
  else listChanged(ctx, at);
  return list.length;
}

/** Up to `count` items popped from one end of an existing list (removes it when emptied). */
export function popItems(ctx: ExecContext, at: ListAt, left: boolean, count: number): Bytes[] {
  const out: Bytes[] = [];
  while (out.length < count) {
    const item = left ? at.list.popLeft() : at.list.popRight();
    if (item === undefined) break;
    out.push(item);
  }
  listChanged(ctx, at);
  return out;
}

