/**
 * Active expiry: the leader removes expired keys nobody reads, through the log.
 *
 * Every `periodMs` the leader (only) looks at up to `scanMax` keys of the databases that have
 * keys with a TTL, resuming where the previous tick stopped (a live Map iterator per database:
 * it sees keys added since and skips removed ones), collects up to `keysMax` expired ones and
 * proposes one "expire" entry per database. Applying that entry removes only the keys still
 * expired at the entry's stamp (a key written since is left alone), on every replica alike, so
 * the choice of keys needs no determinism: only the apply does. One proposal is in flight at a
 * time, so a slow log never piles up expiry entries.
 *
 * Reads never see an expired key anyway (lookups compare with the time); this frees the memory.
 */
import type { TimerHandle, RuntimeHost } from "../../node/host.js";
import type { Keyspace, KeyEntry } from "../redis/keyspace.js";
import { bytesOf, DATABASES } from "../redis/keyspace.js";

export interface ActiveExpiryOptions {
  readonly periodMs: number;
  /** Keys examined per tick (bounded work). */
  readonly scanMax: number;
  /** Expired keys removed per tick (bounded entry size). */
  readonly keysMax: number;
}

export const ACTIVE_EXPIRY_DEFAULTS: ActiveExpiryOptions = { periodMs: 100, scanMax: 2000, keysMax: 200 };

export interface ActiveExpiryTarget {
  isLeader(): boolean;
  keyspace(): Keyspace;
  /** The replicated clock (ms); keys expired at max(clock, wall time) are proposed. */
  clockMs(): number;
  /** Proposes removing `keys` of `db` that are expired at `stampMs`. */
  propose(db: number, stampMs: number, keys: Uint8Array[]): Promise<unknown>;
}

export class ActiveExpiry {
  #timer: TimerHandle | null = null;
  #inFlight = false;
  #keyspace: Keyspace | null = null;
  readonly #cursors: (Iterator<[string, KeyEntry]> | null)[] = new Array<null>(DATABASES).fill(null);
  #nextDb = 0;

  constructor(
    private readonly target: ActiveExpiryTarget,
    private readonly host: RuntimeHost,
    private readonly options: ActiveExpiryOptions = ACTIVE_EXPIRY_DEFAULTS,
  ) {}

  start(): void {
    this.#timer ??= this.host.setRepeating(this.options.periodMs, () => { this.tick(); });
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  /** One round: find expired keys and propose their removal (leader only). */
  tick(): void {
    if (this.#inFlight || !this.target.isLeader()) return;
    const keyspace = this.target.keyspace();
    if (keyspace !== this.#keyspace) {
      // A snapshot replaced the keyspace: the old iterators walk a dead map.
      this.#keyspace = keyspace;
      this.#cursors.fill(null);
    }
    const nowMs = Math.max(this.target.clockMs(), this.host.wallClockMs());
    let scanned = 0;
    for (let step = 0; step < DATABASES && scanned < this.options.scanMax; step++) {
      const dbId = (this.#nextDb + step) % DATABASES;
      const db = keyspace.db(dbId);
      if (db.expiringKeys === 0) continue;
      const found: Uint8Array[] = [];
      let cursor = this.#cursors[dbId] ?? db.entries.entries();
      while (scanned < this.options.scanMax && found.length < this.options.keysMax) {
        const next = cursor.next();
        if (next.done === true) {
          cursor = db.entries.entries();
          break;
        }
        scanned++;
        const [name, entry] = next.value;
        if (entry.expiresAtMs !== null && entry.expiresAtMs <= nowMs) found.push(bytesOf(name));
      }
      this.#cursors[dbId] = cursor;
      if (found.length > 0) {
        this.#nextDb = (dbId + 1) % DATABASES;
        this.#propose(dbId, nowMs, found);
        return;
      }
    }
  }

  #propose(db: number, stampMs: number, keys: Uint8Array[]): void {
    this.#inFlight = true;
    this.target.propose(db, stampMs, keys).then(
      () => { this.#inFlight = false; },
      // Lost leadership, stopped, timed out: the next leader's ticks find the keys again.
      () => { this.#inFlight = false; },
    );
  }
}
