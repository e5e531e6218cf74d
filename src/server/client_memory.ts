/**
 * The global cap on memory held for clients (Redis 7's `maxmemory-clients`): the request bytes
 * received and not yet parsed, and the reply bytes not yet taken by the kernel, summed over every
 * client connection of both front ends. Peer (Raft) connections are never registered, so the
 * cluster's own traffic is never counted nor cut.
 *
 * Accounting is incremental: a client calls `update()` whenever what it holds may have changed,
 * and the total moves by the difference, so the cost is O(1) per call however many clients are
 * connected. When the total passes the cap, the clients holding the most are disconnected,
 * largest first, until the total is back under it; each is logged with its address and bytes.
 */
import type { Logger } from "../core/logger.js";

/** Why the server cut a client off: the `reason` label of the disconnection counter. */
export type DisconnectReason =
  | "client_memory_cap"
  | "output_buffer_limit"
  | "protocol_error"
  | "partial_request_timeout"
  | "connections_per_address";

/** What the registry needs of one client connection. */
export interface MemoryClient {
  /** "resp" or "http", and the connection's id on that front end, for logs. */
  readonly label: string;
  readonly remoteAddress: string;
  /** Bytes this client holds now (input buffered plus output unsent). */
  memoryBytes(): number;
  /** Closes the connection at once (destroy, not a graceful end). */
  disconnect(reason: DisconnectReason): void;
}

/** A registered client's side of the registry. */
export interface MemoryHandle {
  /** Re-reads the client's usage; may disconnect clients (this one included) over the cap. */
  update(): void;
  /** The client is gone: its bytes no longer count. Idempotent. */
  release(): void;
}

interface Entry {
  readonly client: MemoryClient;
  bytes: number;
}

/** Receives one count per disconnection (wired to a Prometheus counter). */
export type DisconnectCounter = (reason: DisconnectReason) => void;

export class ClientMemory {
  readonly capBytes: number;
  readonly #entries = new Set<Entry>();
  readonly #logger: Logger;
  readonly #counted: DisconnectCounter;
  #totalBytes = 0;
  #evicting = false;

  /** `capBytes`: the most all clients may hold together (see ResourceLimits). */
  constructor(capBytes: number, options: { logger: Logger; counted?: DisconnectCounter }) {
    this.capBytes = capBytes;
    this.#logger = options.logger;
    this.#counted = options.counted ?? ((): void => undefined);
  }

  /** Bytes held by all registered clients, as of their last `update()`. */
  get totalBytes(): number {
    return this.#totalBytes;
  }

  /** How many clients are registered. */
  get clientCount(): number {
    return this.#entries.size;
  }

  /** Counts a disconnection decided elsewhere (an output limit, a protocol error). */
  countDisconnect(reason: DisconnectReason): void {
    this.#counted(reason);
  }

  register(client: MemoryClient): MemoryHandle {
    const entry: Entry = { client, bytes: 0 };
    this.#entries.add(entry);
    return {
      update: () => {
        if (!this.#entries.has(entry)) return;
        const bytes = client.memoryBytes();
        this.#totalBytes += bytes - entry.bytes;
        entry.bytes = bytes;
        if (this.#totalBytes > this.capBytes) this.#evict();
      },
      release: () => { this.#remove(entry); },
    };
  }

  #remove(entry: Entry): void {
    if (!this.#entries.delete(entry)) return;
    this.#totalBytes -= entry.bytes;
  }

  /** Disconnects the largest clients until the total is under the cap again. */
  #evict(): void {
    if (this.#evicting) return; // a disconnect can re-enter through update()
    this.#evicting = true;
    try {
      const largest = [...this.#entries].sort((a, b) => b.bytes - a.bytes);
      for (const entry of largest) {
        if (this.#totalBytes <= this.capBytes || entry.bytes === 0) break;
        const { client, bytes } = entry;
        this.#remove(entry);
        this.#logger.warn({
          client: client.label, address: client.remoteAddress, bytes,
          totalBytes: this.#totalBytes + bytes, capBytes: this.capBytes,
        }, `Client memory over clientMemoryMaxBytes: disconnecting ${client.remoteAddress}, ` +
          `which held ${bytes} bytes`);
        this.#counted("client_memory_cap");
        client.disconnect("client_memory_cap");
      }
    } finally {
      this.#evicting = false;
    }
  }
}
