/**
 * Which keys a SCAN cursor has covered. (Owned by the keys work: SCAN cursors must stay valid
 * across nodes, restarts and leader changes, so the order must depend on the keys alone, never
 * on insertion order or on one process's hashing.)
 */
export class KeyScanIndex {
  private readonly keys = new Set<string>();

  add(key: string): void {
    this.keys.add(key);
  }

  delete(key: string): void {
    this.keys.delete(key);
  }
}
