/**
 * Builds preloaded logs for the core's tests: a storage holding `terms[i]` at index i + 1 and a
 * given hard state, as a crashed node would have left it.
 */
import type { Entry, HardState } from "../messages.js";
import type { SyncStorage } from "./testing_network.js";
import { logIndex, nodeId, term, type LogIndex, type Term } from "../types.js";

/** Entries at indexes 1.. with the given terms (normal entries whose data is their index). */
export function entriesWithTerms(terms: readonly number[], from = 1): Entry[] {
  return terms.map((t, i) => ({
    term: term(t), index: logIndex(from + i), kind: "normal", data: new Uint8Array([(from + i) % 256]),
  }));
}

export function hardState(t: number, options: { vote?: string; commit?: number } = {}): HardState {
  return {
    term: term(t),
    vote: options.vote === undefined ? null : nodeId(options.vote),
    commit: logIndex(options.commit ?? 0),
  };
}

/** Loads `terms` and a hard state at `hardTerm` (default: the last entry's term) into `storage`. */
export function preload<S extends SyncStorage>(
  storage: S,
  terms: readonly number[],
  options: { term?: number; commit?: number } = {},
): S {
  const last = terms[terms.length - 1] ?? 0;
  storage.saveSync({
    hardState: hardState(options.term ?? last, { commit: options.commit ?? 0 }),
    entries: entriesWithTerms(terms),
    snapshot: null,
  });
  return storage;
}

export function idx(value: number): LogIndex {
  return logIndex(value);
}

export function tm(value: number): Term {
  return term(value);
}
