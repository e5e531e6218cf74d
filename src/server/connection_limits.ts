/**
 * The per-source-address connection limit, shared by both front ends: one address may hold at
 * most `connectionsPerAddressMax` client connections (RESP and HTTP together), so a single host
 * cannot take every file descriptor or every `clientsMax` slot. Peer connections are not counted.
 */
export class AddressLimiter {
  readonly connectionsPerAddressMax: number;
  readonly #counts = new Map<string, number>();

  constructor(connectionsPerAddressMax: number) {
    this.connectionsPerAddressMax = connectionsPerAddressMax;
  }

  /** Connections currently counted for `address`. */
  countOf(address: string): number {
    return this.#counts.get(address) ?? 0;
  }

  /**
   * Counts one more connection from `address`.
   * @returns a release function (idempotent), or null when the address is at its limit.
   */
  tryAcquire(address: string): (() => void) | null {
    const count = this.countOf(address);
    if (count >= this.connectionsPerAddressMax) return null;
    this.#counts.set(address, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.countOf(address) - 1;
      if (left <= 0) this.#counts.delete(address);
      else this.#counts.set(address, left);
    };
  }
}
