/**
 * A hash of a replica's key-value store (its replicated clock and every database's keys, types,
 * values, TTLs and modification indexes, in iteration order) for the divergence check: replicas
 * that applied the same log prefix must hash the same.
 */
import { packStore } from "../kv/binary_store/store_commands.js";
import type { StoreMachine } from "../kv/binary_store/store_machine.js";
import { keyspaceToWire } from "../kv/redis/keyspace_image.js";
import { fnv1aBytes } from "./hash.js";

export function storeHash(machine: StoreMachine): number {
  return fnv1aBytes(packStore([machine.engine.clockMs, keyspaceToWire(machine.engine.keyspace)]));
}
