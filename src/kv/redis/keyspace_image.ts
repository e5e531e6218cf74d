/**
 * The keyspace in a snapshot: every database's keys in iteration order (so a restored replica
 * iterates as the others do), each with its type, value, absolute expiry and modification index,
 * plus the WATCH tombstones. Plain msgpack values; `store_machine.ts` versions the whole image.
 */
import { assert } from "../../core/index.js";
import { ListValue } from "./list_value.js";
import { Keyspace, type Bytes, type RedisValue } from "./keyspace.js";
import { SortedSet } from "./sorted_set.js";

const latin1 = (s: string): Buffer => Buffer.from(s, "latin1");
const str = (b: unknown): string => {
  assert(b instanceof Uint8Array, "keyspace image: expected bytes");
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
};
const bytes = (b: unknown): Bytes => {
  assert(b instanceof Uint8Array, "keyspace image: expected bytes");
  return Uint8Array.from(b);
};

function valueToWire(value: RedisValue): unknown[] {
  switch (value.type) {
    case "string":
      return ["s", value.value];
    case "hash":
      return ["h", [...value.value].flatMap(([f, v]) => [latin1(f), v])];
    case "list":
      return ["l", value.value.toArray()];
    case "set":
      return ["S", [...value.value].map(latin1)];
    case "zset":
      return ["z", value.value.entries().flatMap(([m, score]) => [latin1(m), scoreToWire(score)])];
  }
}

/** Scores keep infinities (msgpack floats carry them; NaN never is a score). */
function scoreToWire(score: number): number {
  return score;
}

function valueFromWire(tag: unknown, payload: unknown): RedisValue {
  assert(tag === "s" || Array.isArray(payload), "keyspace image: collection payload is not a list");
  switch (tag) {
    case "s":
      return { type: "string", value: bytes(payload) };
    case "h": {
      const flat = payload as unknown[];
      const map = new Map<string, Bytes>();
      for (let i = 0; i + 1 < flat.length; i += 2) map.set(str(flat[i]), bytes(flat[i + 1]));
      return { type: "hash", value: map };
    }
    case "l":
      return { type: "list", value: ListValue.fromArray((payload as unknown[]).map(bytes)) };
    case "S":
      return { type: "set", value: new Set((payload as unknown[]).map(str)) };
    case "z": {
      const flat = payload as unknown[];
      const entries: [string, number][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const score = flat[i + 1];
        assert(typeof score === "number", "keyspace image: score is not a number");
        entries.push([str(flat[i]), score]);
      }
      return { type: "zset", value: SortedSet.fromEntries(entries) };
    }
    default:
      throw new Error(`keyspace image: unknown type tag ${JSON.stringify(tag)}`);
  }
}

export function keyspaceToWire(keyspace: Keyspace): unknown {
  const dbs: unknown[] = [];
  for (const db of keyspace.dbs) {
    if (db.size === 0) continue;
    const keys: unknown[] = [];
    for (const [key, entry] of db.entries) {
      keys.push([latin1(key), ...valueToWire(entry.value), entry.expiresAtMs, entry.modifiedIndex]);
    }
    dbs.push([db.id, keys]);
  }
  const removed: unknown[] = [];
  for (const [name, index] of keyspace.removedAt) removed.push(latin1(name), index);
  return [dbs, removed, keyspace.watchFloorIndex];
}

/** @throws AssertionError or Error when `wire` is not an image from `keyspaceToWire`. */
export function keyspaceFromWire(wire: unknown): Keyspace {
  assert(Array.isArray(wire) && wire.length === 3, "keyspace image is malformed");
  const [dbs, removed, floor] = wire as [unknown, unknown, unknown];
  assert(Array.isArray(dbs) && Array.isArray(removed) && typeof floor === "number", "keyspace image is malformed");
  const keyspace = new Keyspace();
  for (const item of dbs as unknown[]) {
    assert(Array.isArray(item) && typeof item[0] === "number" && Array.isArray(item[1]), "keyspace image db is malformed");
    const db = keyspace.db(item[0]);
    for (const row of item[1] as unknown[]) {
      assert(Array.isArray(row) && row.length === 5, "keyspace image key is malformed");
      const [key, tag, payload, expiresAtMs, modifiedIndex] = row as unknown[];
      assert((expiresAtMs === null || typeof expiresAtMs === "number") && typeof modifiedIndex === "number",
        "keyspace image key is malformed");
      db.put(str(key), valueFromWire(tag, payload), modifiedIndex, expiresAtMs);
    }
  }
  keyspace.removedAt.clear();
  const flat = removed as unknown[];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const index = flat[i + 1];
    assert(typeof index === "number", "keyspace image tombstone is malformed");
    keyspace.removedAt.set(str(flat[i]), index);
  }
  keyspace.watchFloorIndex = floor;
  return keyspace;
}
