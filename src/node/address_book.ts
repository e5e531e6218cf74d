/**
 * Where each member can be reached. Raft's log names members by id only; their addresses travel
 * in the `context` of the config entry that added them (JSON `MemberAddresses`), are seeded from
 * the node's options, and persist in the data directory (`members.json`), so that a restarted
 * node still reaches members added after its config file was written, even once the entries
 * that added them were compacted into a snapshot.
 *
 * Precedence: the persisted book, then the options (the operator's file, on each start), then
 * whatever config entries say while the node runs (the cluster's own record, newest last).
 */
import { open, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { ConfigError, nodeId, type NodeId } from "../core/index.js";
import type { PeerAddress } from "../transport/index.js";
import type { MemberAddresses } from "./admin.js";
import { parseHostPort } from "./host_port.js";
import type { Logger } from "../core/logger.js";

/** Sanity bound on the address fields we accept from a log entry or a file. */
const addressCharsMax = 300;
const FILE_VERSION = 1;

/**
 * "host:port" (IPv6 in brackets) as a transport address.
 * @throws ConfigError naming `field` when it is not one.
 */
export function parsePeerAddress(text: string, field = "peer"): PeerAddress {
  const address = parseHostPort(text);
  if (address === null) throw new ConfigError(field, `expected host:port, got ${JSON.stringify(text)}`);
  return address;
}

/**
 * Validates untrusted addresses (from an API call, a log entry or the file).
 * @throws ConfigError naming the bad field.
 */
export function toMemberAddresses(value: unknown, field = "addresses"): MemberAddresses {
  if (typeof value !== "object" || value === null) {
    throw new ConfigError(field, "must be an object with a peer address");
  }
  const { peer, redis, http } = value as Record<string, unknown>;
  const text = (name: string, v: unknown): string => {
    if (typeof v !== "string" || v.length > addressCharsMax) {
      throw new ConfigError(`${field}.${name}`, "must be a host:port string");
    }
    parsePeerAddress(v, `${field}.${name}`);
    return v;
  };
  const out: { peer: string; redis?: string; http?: string } = { peer: text("peer", peer) };
  if (redis !== undefined) out.redis = text("redis", redis);
  if (http !== undefined) out.http = text("http", http);
  return out;
}

function sameAddresses(a: MemberAddresses, b: MemberAddresses): boolean {
  return a.peer === b.peer && a.redis === b.redis && a.http === b.http;
}

export class AddressBook {
  private readonly entries = new Map<NodeId, MemberAddresses>();
  private writing: Promise<void> | null = null;
  private dirty = false;

  private constructor(private readonly path: string | null, private readonly logger: Logger) {}

  /**
   * Loads the book at `path` (if any), then applies `seed`; persists the merge.
   * @throws ConfigError when the file exists but is not a book this code wrote.
   */
  static async open(
    path: string | null,
    seed: ReadonlyMap<NodeId, MemberAddresses>,
    logger: Logger,
  ): Promise<AddressBook> {
    const book = new AddressBook(path, logger);
    if (path !== null) await book.load(path);
    for (const [id, addresses] of seed) book.set(id, addresses);
    return book;
  }

  get(id: NodeId): MemberAddresses | null {
    return this.entries.get(id) ?? null;
  }

  /** Records `id`'s addresses; returns whether they changed (and so were persisted). */
  set(id: NodeId, addresses: MemberAddresses): boolean {
    const old = this.entries.get(id);
    if (old !== undefined && sameAddresses(old, addresses)) return false;
    this.entries.set(id, addresses);
    this.persist();
    return true;
  }

  /** Forgets members outside `keep` (they were removed from the configuration). */
  retain(keep: ReadonlySet<NodeId>): void {
    let changed = false;
    for (const id of [...this.entries.keys()]) {
      if (!keep.has(id)) changed = this.entries.delete(id) || changed;
    }
    if (changed) this.persist();
  }

  /** Resolves once everything recorded so far is on disk (or failed to be, logged). */
  async flush(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  private async load(path: string): Promise<void> {
    let text: string;
    try {
      const file = await open(path, "r");
      try {
        text = await file.readFile("utf8");
      } finally {
        await file.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ConfigError("members.json", `${path} is not valid JSON`);
    }
    const { v, members } = (parsed ?? {}) as Record<string, unknown>;
    if (v !== FILE_VERSION || typeof members !== "object" || members === null) {
      throw new ConfigError("members.json",
        `${path} is not a version ${FILE_VERSION} address book`);
    }
    for (const [id, addresses] of Object.entries(members)) {
      this.entries.set(nodeId(id), toMemberAddresses(addresses, `members.json ${id}`));
    }
  }

  /** One write at a time; changes made meanwhile go out in the next one. */
  private persist(): void {
    if (this.path === null) return;
    this.dirty = true;
    if (this.writing !== null) return;
    const path = this.path;
    this.writing = (async () => {
      while (this.dirty) {
        this.dirty = false;
        await writeAtomically(path, this.serialize());
      }
    })().catch((error: unknown) => {
      // Addresses are advisory (the log and the operator's file also carry them): a failed
      // write is worth an error, not a fail-stop of the node.
      this.logger.error({ path, err: error }, `Cannot write the address book ${path}`);
    }).finally(() => {
      this.writing = null;
    });
  }

  private serialize(): string {
    const members = Object.fromEntries([...this.entries].sort(([a], [b]) => (a < b ? -1 : 1)));
    return `${JSON.stringify({ v: FILE_VERSION, members }, null, 2)}\n`;
  }
}

/** temp file, fsync, rename over, fsync the directory: the file is old or new, never torn. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp`;
  const file = await open(temp, "w");
  try {
    await file.writeFile(text, "utf8");
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  const dir = await open(dirname(path), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
