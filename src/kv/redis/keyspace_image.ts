/**
 * The keyspace in a snapshot: every database's keys in iteration order (so a restored replica
 * iterates as the others do), each with its type, value, absolute expiry and modification index,
 * plus the WATCH tombstones. Plain msgpack values, written straight into one buffer
 * (msgpack_writer.ts); `store_machine.ts` versions the whole image.
 */
import { assert } from "../../core/index.js";
import { ListValue } from "./list_value.js";
import { Keyspace, type Bytes, type RedisValue } from "./keyspace.js";
import type { MsgpackWriter } from "./msgpack_writer.js";
import { SortedSet } from "./sorted_set.js";

const str = (b: unknown): string => {
  assert(b instanceof Uint8Array, "keyspace image: expected bytes");
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
};
const bytes = (b: unknown): Bytes => {
  assert(b instanceof Uint8Array, "keyspace image: expected bytes");
  return Uint8Array.from(b);
};

/** One value as its type tag and payload (the two middle fields of a key's row). */
function writeValue(w: MsgpackWriter, value: RedisValue): void {
  switch (value.type) {
    case "string":
      w.str("s");
      w.bin(value.value);
      return;
    case "hash":
      w.str("h");
      w.array(2 * value.value.size);
      for (const [field, v] of value.value) {
        w.binLatin1(field);
        w.bin(v);
      }
      return;
    case "list": {
      w.str("l");
      const items = value.value.toArray();
      w.array(items.length);
      for (const item of items) w.bin(item);
      return;
    }
    case "set":
      w.str("S");
      w.array(value.value.size);
      for (const member of value.value) w.binLatin1(member);
      return;
    case "zset": {
      w.str("z");
      const entries = value.value.entries();
      w.array(2 * entries.length);
      // Scores keep infinities (a msgpack float carries them; NaN never is a score).
      for (const [member, score] of entries) {
        w.binLatin1(member);
        w.number(score);
      }
      return;
    }
  }
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

/**
 * Writes the keyspace as one msgpack value: [dbs, tombstones, watchFloorIndex], where dbs holds
 * [id, rows] for each non-empty database, a row being [key, tag, payload, expiresAtMs,
 * modifiedIndex], and tombstones is flat [name, index, ...]. `keyspaceFromWire` reads it back.
 */
export function writeKeyspace(w: MsgpackWriter, keyspace: Keyspace): void {
  w.array(3);
  const dbs = keyspace.dbs.filter((db) => db.size > 0);
  w.array(dbs.length);
  for (const db of dbs) {
    w.array(2);
    w.number(db.id);
    w.array(db.entries.size);
    for (const [key, entry] of db.entries) {
      w.array(5);
      w.binLatin1(key);
      writeValue(w, entry.value);
      if (entry.expiresAtMs === null) w.nil();
      else w.number(entry.expiresAtMs);
      w.number(entry.modifiedIndex);
    }
  }
  w.array(2 * keyspace.removedAt.size);
  for (const [name, index] of keyspace.removedAt) {
    w.binLatin1(name);
    w.number(index);
  }
  w.number(keyspace.watchFloorIndex);
}

/** @throws AssertionError or Error when `wire` is not an image `writeKeyspace` wrote (decoded). */
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
