/**
 * The compliance suite every StableStorage implementation passes (STYLE.md rule 13): register it
 * with a factory and it adds node:test tests. MemoryStorage is the reference; DiskStorage must
 * behave the same, and also keep everything across a close and reopen (the `reopen` hook).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CompactedError, LogUnavailableError } from "../core/errors.js";
import type { ConfState, Entry, HardState } from "../core/messages.js";
import { logIndex, nodeId, term } from "../core/types.js";
import type { StableStorage } from "./stable_storage.js";

export interface StorageFactory {
  /** A fresh, empty storage for a new cluster with membership `confState`. */
  create(confState: ConfState): Promise<StableStorage>;
  /** Closes `storage` and opens it again from what it persisted (durable implementations). */
  reopen?: (storage: StableStorage) => Promise<StableStorage>;
  /** Releases everything `create` made (called once per test). */
  cleanup?: () => Promise<void>;
}

const CONF: ConfState = { voters: [nodeId("n1"), nodeId("n2"), nodeId("n3")], learners: [], votersOutgoing: [] };
const BIG = { bytesMax: Number.MAX_SAFE_INTEGER };

export function entry(index: number, entryTerm: number, text = `e${index}t${entryTerm}`): Entry {
  return { index: logIndex(index), term: term(entryTerm), kind: "normal", data: new TextEncoder().encode(text) };
}

/** Entries `lo..hi` (inclusive) of term `entryTerm`. */
export function entryRange(lo: number, hi: number, entryTerm: number): Entry[] {
  const out: Entry[] = [];
  for (let i = lo; i <= hi; i++) out.push(entry(i, entryTerm));
  return out;
}

function hardState(hsTerm: number, vote: string | null, commit: number): HardState {
  return { term: term(hsTerm), vote: vote === null ? null : nodeId(vote), commit: logIndex(commit) };
}

function appendBatch(entries: Entry[]): { hardState: null; entries: Entry[]; snapshot: null } {
  return { hardState: null, entries, snapshot: null };
}

function indexes(storage: StableStorage, lo: number, hi: number): number[] {
  return storage.entries(logIndex(lo), logIndex(hi), BIG).map((e) => e.index);
}

function texts(storage: StableStorage): string[] {
  const lo = storage.firstIndex();
  const hi = logIndex(storage.lastIndex() + 1);
  return storage.entries(lo, hi, BIG).map((e) => new TextDecoder().decode(e.data));
}

/** Registers the suite as tests named `${name}: ...`. */
export function registerStorageCompliance(name: string, factory: StorageFactory): void {
  const it = (title: string, body: (s: StableStorage) => Promise<void>): void => {
    test(`${name}: ${title}`, async () => {
      const storage = await factory.create(CONF);
      try {
        await body(storage);
      } finally {
        await storage.close().catch(() => undefined);
        await factory.cleanup?.();
      }
    });
  };
  registerBasics(it);
  registerSnapshots(it);
  if (factory.reopen !== undefined) registerReopen(it, factory.reopen);
}

type It = (title: string, body: (s: StableStorage) => Promise<void>) => void;

function registerBasics(it: It): void {
  it("a new storage is empty, with the initial membership", async (s) => {
    assert.equal(s.firstIndex(), 1);
    assert.equal(s.lastIndex(), 0);
    assert.equal(s.term(logIndex(0)), 0);
    assert.equal(s.snapshot().metadata.index, 0);
    assert.deepEqual(s.initialState(), { hardState: hardState(0, null, 0), confState: CONF });
    assert.deepEqual(s.entries(logIndex(1), logIndex(1), BIG), []);
    await Promise.resolve();
  });

  it("appends entries and reads them back with their terms", async (s) => {
    await s.save(appendBatch([...entryRange(1, 3, 1), ...entryRange(4, 5, 2)]));
    assert.equal(s.lastIndex(), 5);
    assert.deepEqual(indexes(s, 1, 6), [1, 2, 3, 4, 5]);
    assert.equal(s.term(logIndex(3)), 1);
    assert.equal(s.term(logIndex(5)), 2);
    assert.deepEqual(s.entries(logIndex(2), logIndex(4), BIG), [entry(2, 1), entry(3, 1)]);
  });

  it("entries() stops at bytesMax but always returns at least one entry", async (s) => {
    await s.save(appendBatch(entryRange(1, 5, 1))); // each entry counts 4 data + 24 bytes
    assert.deepEqual(indexes(s, 1, 6), [1, 2, 3, 4, 5]);
    assert.equal(s.entries(logIndex(1), logIndex(6), { bytesMax: 0 }).length, 1);
    assert.equal(s.entries(logIndex(1), logIndex(6), { bytesMax: 56 }).length, 2);
    assert.equal(s.entries(logIndex(1), logIndex(6), { bytesMax: 83 }).length, 2);
  });

  it("an append overwrites a conflicting suffix (§5.3)", async (s) => {
    await s.save(appendBatch(entryRange(1, 5, 1)));
    await s.save(appendBatch([entry(3, 2, "new3"), entry(4, 2, "new4")]));
    assert.equal(s.lastIndex(), 4);
    assert.deepEqual(texts(s), ["e1t1", "e2t1", "new3", "new4"]);
    assert.equal(s.term(logIndex(4)), 2);
  });

  it("an append that leaves a gap is refused", async (s) => {
    await s.save(appendBatch(entryRange(1, 2, 1)));
    await assert.rejects(async () => s.save(appendBatch([entry(4, 1)])), { code: "ASSERTION_FAILED" });
  });

  it("saves the hard state", async (s) => {
    await s.save({ hardState: hardState(3, "n2", 0), entries: [], snapshot: null });
    await s.save({ hardState: hardState(4, "n3", 2), entries: entryRange(1, 2, 4), snapshot: null });
    assert.deepEqual(s.initialState().hardState, hardState(4, "n3", 2));
  });

  it("reads outside the log throw CompactedError and LogUnavailableError", async (s) => {
    await s.save(appendBatch(entryRange(1, 3, 1)));
    assert.throws(() => s.term(logIndex(4)), LogUnavailableError);
    assert.throws(() => s.entries(logIndex(1), logIndex(5), BIG), LogUnavailableError);
    assert.throws(() => s.entries(logIndex(0), logIndex(2), BIG), CompactedError);
  });

  it("concurrent saves all become durable, in order", async (s) => {
    const saves: Promise<void>[] = [];
    for (let i = 1; i <= 50; i++) {
      saves.push(s.save({ hardState: hardState(1, "n1", i - 1), entries: [entry(i, 1)], snapshot: null }));
    }
    await Promise.all(saves);
    assert.equal(s.lastIndex(), 50);
    assert.deepEqual(s.initialState().hardState, hardState(1, "n1", 49));
  });
}

function registerSnapshots(it: It): void {
  it("createSnapshot then compact discards the log up to the snapshot", async (s) => {
    await s.save(appendBatch([...entryRange(1, 5, 1), ...entryRange(6, 10, 2)]));
    const data = new TextEncoder().encode("state@7");
    const snap = await s.createSnapshot(logIndex(7), CONF, data);
    assert.deepEqual(snap.metadata, { index: 7, term: 2, confState: CONF });
    assert.equal(s.snapshot().metadata.index, 7);
    await s.compact(logIndex(7));
    assert.equal(s.firstIndex(), 8);
    assert.equal(s.lastIndex(), 10);
    assert.equal(s.term(logIndex(7)), 2);
    assert.throws(() => s.term(logIndex(6)), CompactedError);
    assert.throws(() => s.entries(logIndex(7), logIndex(9), BIG), CompactedError);
    assert.deepEqual(indexes(s, 8, 11), [8, 9, 10]);
    assert.deepEqual(s.snapshot().data, data);
  });

  it("installing a snapshot replaces the log it covers", async (s) => {
    await s.save(appendBatch(entryRange(1, 5, 1)));
    const conf: ConfState = { ...CONF, learners: [nodeId("n4")] };
    const snapshot = { metadata: { index: logIndex(20), term: term(3), confState: conf }, data: new Uint8Array([1, 2, 3]) };
    await s.save({ hardState: hardState(3, null, 20), entries: [], snapshot });
    assert.equal(s.firstIndex(), 21);
    assert.equal(s.lastIndex(), 20);
    assert.equal(s.term(logIndex(20)), 3);
    assert.deepEqual(s.snapshot(), snapshot);
    assert.deepEqual(s.initialState().confState, conf);
    await s.save(appendBatch(entryRange(21, 22, 3)));
    assert.deepEqual(indexes(s, 21, 23), [21, 22]);
  });

  it("a snapshot and the entries after it can arrive in one batch", async (s) => {
    const snapshot = { metadata: { index: logIndex(5), term: term(2), confState: CONF }, data: new Uint8Array([9]) };
    await s.save({ hardState: hardState(2, null, 5), entries: entryRange(6, 7, 2), snapshot });
    assert.deepEqual(indexes(s, 6, 8), [6, 7]);
    assert.equal(s.term(logIndex(5)), 2);
  });

  it("compaction past the snapshot is refused", async (s) => {
    await s.save(appendBatch(entryRange(1, 5, 1)));
    await s.createSnapshot(logIndex(2), CONF, new Uint8Array(0));
    await assert.rejects(async () => s.compact(logIndex(4)), { code: "ASSERTION_FAILED" });
  });
}

function registerReopen(it: It, reopen: (s: StableStorage) => Promise<StableStorage>): void {
  const withReopen = (title: string, body: (s: StableStorage, again: () => Promise<StableStorage>) => Promise<void>): void => {
    it(`reopen: ${title}`, async (first) => {
      let current = first;
      const again = async (): Promise<StableStorage> => {
        current = await reopen(current);
        return current;
      };
      try {
        await body(first, again);
      } finally {
        if (current !== first) await current.close();
      }
    });
  };

  withReopen("keeps entries, overwrites and the hard state", async (s, again) => {
    await s.save({ hardState: hardState(1, "n1", 0), entries: entryRange(1, 5, 1), snapshot: null });
    await s.save({ hardState: hardState(2, "n2", 3), entries: [entry(4, 2, "x4")], snapshot: null });
    const r = await again();
    assert.equal(r.lastIndex(), 4);
    assert.deepEqual(texts(r), ["e1t1", "e2t1", "e3t1", "x4"]);
    assert.deepEqual(r.initialState(), { hardState: hardState(2, "n2", 3), confState: CONF });
    await r.save(appendBatch([entry(5, 2)]));
    const r2 = await again();
    assert.equal(r2.lastIndex(), 5);
  });

  withReopen("keeps a created snapshot and the log after it", async (s, again) => {
    for (let i = 0; i < 10; i++) await s.save(appendBatch(entryRange(i * 20 + 1, i * 20 + 20, 1 + i)));
    const data = new Uint8Array([7, 7, 7]);
    await s.createSnapshot(logIndex(150), CONF, data);
    await s.compact(logIndex(150));
    await s.createSnapshot(logIndex(190), CONF, data);
    await s.compact(logIndex(190));
    const r = await again();
    assert.equal(r.snapshot().metadata.index, 190);
    assert.deepEqual(r.snapshot().data, data);
    assert.equal(r.firstIndex(), 191);
    assert.equal(r.lastIndex(), 200);
    assert.equal(r.term(logIndex(190)), 10);
    assert.deepEqual(indexes(r, 191, 201), entryRange(191, 200, 10).map((e) => e.index));
  });

  withReopen("keeps an installed snapshot, and entries appended after it", async (s, again) => {
    await s.save(appendBatch(entryRange(1, 30, 1)));
    const snapshot = { metadata: { index: logIndex(100), term: term(5), confState: CONF }, data: new Uint8Array([5]) };
    await s.save({ hardState: hardState(5, "n3", 100), entries: [], snapshot });
    await s.save(appendBatch(entryRange(101, 103, 5)));
    const r = await again();
    assert.deepEqual(r.snapshot(), snapshot);
    assert.equal(r.firstIndex(), 101);
    assert.deepEqual(indexes(r, 101, 104), [101, 102, 103]);
    assert.deepEqual(r.initialState().hardState, hardState(5, "n3", 100));
  });

  withReopen("survives many reopens with appends in between", async (s, again) => {
    let current = s;
    for (let round = 0; round < 5; round++) {
      const lo = round * 10 + 1;
      await current.save({ hardState: hardState(round + 1, null, lo - 1), entries: entryRange(lo, lo + 9, round + 1), snapshot: null });
      current = await again();
      assert.equal(current.lastIndex(), lo + 9);
      assert.equal(current.term(logIndex(lo + 9)), round + 1);
    }
    assert.equal(texts(current).length, 50);
  });
}
