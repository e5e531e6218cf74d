/**
 * The workload's register operations (workload.ts) on the shipped store: read is GET, write is
 * SET, cas is CAS (absent matches null), values are decimal strings. Outcomes map to the
 * history's: a definite error is `fail` (with its code, so a client moves on from a node that
 * knows no leader), an unknown outcome is `info`, and a CAS whose expectation did not hold is
 * `fail` (it changed nothing).
 */
import { RaftError } from "../core/errors.js";
import type { ReplicatedKv } from "../kv/binary_store/replicated_kv.js";
import { KvServiceError } from "../kv/errors.js";
import type { ClientReply, ClientRequest, KvValue } from "./workload.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bytesOf(value: KvValue): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

function valueOf(bytes: Uint8Array | null): KvValue {
  return bytes === null ? null : (JSON.parse(decoder.decode(bytes)) as KvValue);
}

function reply(request: ClientRequest, type: ClientReply["type"], value: KvValue, error?: string): ClientReply {
  const { opId, client } = request;
  return error === undefined ? { opId, client, type, value } : { opId, client, type, value, error };
}

/**
 * Runs `request` on `kv`; resolves with the reply for the client.
 * @throws what the store throws that is neither a Raft nor a store error (a bug).
 */
export async function runClientOp(kv: ReplicatedKv, request: ClientRequest): Promise<ClientReply> {
  const key = encoder.encode(request.key);
  try {
    switch (request.f) {
      case "read":
        return reply(request, "ok", valueOf(await kv.get(key)));
      case "write":
        // Every other write as Redis SET, so writes that share a log entry (write_batcher.ts)
        // are checked for linearizability too.
        if (request.opId % 2 === 0) await kv.set(key, bytesOf(request.value));
        else await redisSet(kv, key, bytesOf(request.value));
        return reply(request, "ok", request.value);
      case "cas": {
        const [from, to] = Array.isArray(request.value)
          ? (request.value as readonly KvValue[])
          : [null, null];
        const written = await kv.cas(key, from === null || from === undefined ? null : bytesOf(from),
          bytesOf(to ?? null));
        return written ? reply(request, "ok", request.value) : reply(request, "fail", request.value, "CAS_FAILED");
      }
    }
  } catch (error: unknown) {
    if (!(error instanceof RaftError) && !(error instanceof KvServiceError)) throw error;
    return reply(request, error.definite ? "fail" : "info", request.value, error.code);
  }
}

/** SET through the Redis command path; a reply other than OK is a bug. */
async function redisSet(kv: ReplicatedKv, key: Uint8Array, value: Uint8Array): Promise<void> {
  const answer = await kv.command(0, [encoder.encode("SET"), key, value]);
  if (answer.type !== "simple" || answer.text !== "OK") throw new Error(`SET answered ${JSON.stringify(answer)}`);
}

/**
 * Runs one command of the clients' Redis mix (aux_commands.ts); its reply is not judged.
 * @throws what the store throws that is neither a Raft nor a store error (a bug).
 */
export async function runAuxCommand(kv: ReplicatedKv, argv: readonly Uint8Array[]): Promise<void> {
  try {
    await kv.command(0, argv);
  } catch (error: unknown) {
    if (!(error instanceof RaftError) && !(error instanceof KvServiceError)) throw error;
  }
}
