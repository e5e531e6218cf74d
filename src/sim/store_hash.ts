/**
 * A hash of a replica's key-value store (its replicated clock and every database's keys, types,
 * values, TTLs and modification indexes, in iteration order) for the divergence check: replicas
 * that applied the same log prefix must hash the same.
 */
import type { StoreMachine } from "../kv/binary_store/store_machine.js";
import { writeKeyspace } from "../kv/redis/keyspace_image.js";
import { MsgpackWriter } from "../kv/redis/msgpack_writer.js";
import { fnv1aBytes } from "./hash.js";

export function storeHash(machine: StoreMachine): number {
  const w = new MsgpackWriter();
  w.array(2);
  w.number(machine.engine.clockMs);
  writeKeyspace(w, machine.engine.keyspace);
  return fnv1aBytes(w.bytes());
}
