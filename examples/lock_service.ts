/**
 * A replicated lock service with fencing tokens, embedded with raftkv: three nodes in this
 * process, talking TCP on localhost, each with its own data directory. It imports only from
 * "raftkv".
 *
 * Why fencing tokens: a lock holder can pause (GC, swap, a slow network) past its lease; the lock
 * passes to someone else, and the old holder wakes up believing it still holds it. So every grant
 * carries a token that only grows (here: the log index of the grant, unique and increasing), and
 * the protected resource refuses any write whose token is older than one it has seen
 * (Kleppmann, "How to do distributed locking", 2016).
 *
 * Determinism: the state machine never reads a clock. The proposer stamps its wall-clock time
 * into each acquire command, so every replica judges lease expiry from the same numbers.
 *
 * Run it (in a project that has raftkv installed):
 *   npx tsc --module nodenext --target es2022 --types node lock_service.ts && node lock_service.js
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ClusterNode, type LogIndex, type StateMachine } from "raftkv";

type LockCommand =
  | { readonly op: "acquire"; readonly lock: string; readonly owner: string;
      readonly leaseMs: number; readonly nowMs: number }
  | { readonly op: "release"; readonly lock: string; readonly owner: string;
      readonly token: number };

type LockResult =
  | { readonly kind: "granted"; readonly token: number; readonly expiresAtMs: number }
  | { readonly kind: "busy"; readonly holder: string }
  | { readonly kind: "released"; readonly released: boolean }
  | { readonly kind: "invalid" };

interface Holder {
  readonly owner: string;
  readonly token: number;
  readonly expiresAtMs: number;
}

/** The replicated state: who holds each lock, with which token, until when. */
class LockTable implements StateMachine<LockResult> {
  private locks = new Map<string, Holder>();

  apply(bytes: Uint8Array, index: LogIndex): LockResult {
    const command = parseCommand(bytes);
    if (command === null) return { kind: "invalid" }; // never throw: replicas must agree
    const held = this.locks.get(command.lock);
    if (command.op === "release") {
      const mine = held?.owner === command.owner && held.token === command.token;
      if (mine) this.locks.delete(command.lock);
      return { kind: "released", released: mine };
    }
    if (held !== undefined && held.owner !== command.owner && held.expiresAtMs > command.nowMs) {
      return { kind: "busy", holder: held.owner };
    }
    const expiresAtMs = command.nowMs + command.leaseMs;
    const holder = { owner: command.owner, token: index, expiresAtMs };
    this.locks.set(command.lock, holder);
    return { kind: "granted", token: holder.token, expiresAtMs: holder.expiresAtMs };
  }

  holderOf(lock: string): Holder | null {
    return this.locks.get(lock) ?? null;
  }

  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([...this.locks]));
  }

  restore(image: Uint8Array): void {
    this.locks = new Map(JSON.parse(new TextDecoder().decode(image)) as [string, Holder][]);
  }
}

function parseCommand(bytes: Uint8Array): LockCommand | null {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as LockCommand;
    return typeof value.lock === "string" && typeof value.owner === "string" ? value : null;
  } catch {
    return null;
  }
}

type Node = ClusterNode<LockResult>;

/** One client of the lock service, talking to any node (followers forward to the leader). */
class LockClient {
  constructor(private readonly node: ClusterNode<LockResult>, readonly owner: string) {}

  acquire(lock: string, leaseMs: number): Promise<LockResult> {
    return this.propose({ op: "acquire", lock, owner: this.owner, leaseMs, nowMs: Date.now() });
  }

  release(lock: string, token: number): Promise<LockResult> {
    return this.propose({ op: "release", lock, owner: this.owner, token });
  }

  private propose(command: LockCommand): Promise<LockResult> {
    return this.node.propose(new TextEncoder().encode(JSON.stringify(command)));
  }
}

/** The resource the lock protects: it refuses writes carrying a token older than one it saw. */
class FencedStorage {
  private readonly highestToken = new Map<string, number>();
  readonly values = new Map<string, string>();

  write(key: string, token: number, value: string): boolean {
    if (token < (this.highestToken.get(key) ?? 0)) return false;
    this.highestToken.set(key, token);
    this.values.set(key, value);
    return true;
  }
}

/** A free localhost port, from the OS. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

function granted(result: LockResult): { token: number; expiresAtMs: number } {
  if (result.kind !== "granted") throw new Error(`expected a grant, got ${JSON.stringify(result)}`);
  return result;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "raftkv-locks-"));
  // Each member named once, by id and address.
  const peers: Record<string, string> = {};
  for (const id of ["n1", "n2", "n3"]) peers[id] = `127.0.0.1:${await freePort()}`;
  const tables = new Map<string, LockTable>();
  const nodes = await Promise.all(Object.keys(peers).map((id) => {
    const table = new LockTable();
    tables.set(id, table);
    return ClusterNode.start({ id, peers, dataDir: join(dir, id), stateMachine: table });
  }));
  try {
    await Promise.all(nodes.map((node) => node.waitForLeader({ timeoutMs: 30_000 })));
    const [n1, n2, n3] = nodes as [Node, Node, Node];
    const alice = new LockClient(n1, "alice");
    const bob = new LockClient(n2, "bob");
    const storage = new FencedStorage();

    const aliceGrant = granted(await alice.acquire("db", 2000));
    const aliceToken = aliceGrant.token;
    assert.ok(storage.write("db", aliceToken, "written by alice"));
    console.log(`alice holds "db" with fencing token ${aliceToken}`);
    assert.deepEqual(await bob.acquire("db", 2000), { kind: "busy", holder: "alice" });
    console.log(`bob is refused while alice's lease lasts`);

    // Alice stalls past her lease (a long GC pause, say).
    await sleep(Math.max(0, aliceGrant.expiresAtMs - Date.now()) + 50);
    const bobToken = granted(await bob.acquire("db", 10_000)).token;
    assert.ok(bobToken > aliceToken, "fencing tokens only grow");
    assert.ok(storage.write("db", bobToken, "written by bob"));
    console.log(`alice's lease expired; bob holds "db" with fencing token ${bobToken}`);

    // Alice wakes up and, believing she still holds the lock, writes: the storage fences her off.
    assert.equal(storage.write("db", aliceToken, "late write by alice"), false);
    assert.equal(storage.values.get("db"), "written by bob");
    assert.deepEqual(await alice.release("db", aliceToken), { kind: "released", released: false });
    console.log(`alice's late write with token ${aliceToken} was fenced off`);

    // Every replica agrees on the holder: a read barrier makes n3's local read linearizable.
    await n3.readBarrier();
    assert.equal(tables.get("n3")?.holderOf("db")?.token, bobToken);
    assert.deepEqual(await bob.release("db", bobToken), { kind: "released", released: true });
    console.log("bob released the lock; the lock service works");
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
