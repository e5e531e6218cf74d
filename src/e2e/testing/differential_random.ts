/**
 * Test support: the differential test's seeded choices (mulberry32: small, fast, and the same
 * sequence for the same seed on every machine) and the vocabulary its commands draw from: a
 * small pool of keys shared by every type (so WRONGTYPE comes up by itself), values that are
 * integers, floats, empty or binary, and a few bad arguments of each kind.
 */
export class Choices {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError("pick from an empty list");
    return item;
  }

  /** Some of `items` (0..max of them, repeats allowed). */
  some<T>(items: readonly T[], min: number, max: number): T[] {
    return Array.from({ length: this.int(min, max) }, () => this.pick(items));
  }
}

/** The type prefixes of the key pools; a typed command uses its own pool most of the time. */
export type Pool = "s" | "h" | "l" | "S" | "z";

const POOL_SIZE = 6;

export class Vocabulary {
  constructor(readonly c: Choices) {}

  /** A key of `pool` (80%) or of any pool (a likely WRONGTYPE). */
  key(pool: Pool): string {
    const chosen = this.c.chance(0.8) ? pool : this.c.pick<Pool>(["s", "h", "l", "S", "z"]);
    return `${chosen}:${this.c.int(0, POOL_SIZE - 1)}`;
  }

  keys(pool: Pool, min: number, max: number): string[] {
    return Array.from({ length: this.c.int(min, max) }, () => this.key(pool));
  }

  value(): string {
    return this.c.pick([
      () => String(this.c.int(-20, 20)), () => `v${this.c.int(0, 9)}`, () => "",
      () => "\x00\xff\r\n", () => `${this.c.int(-5, 5)}.${this.c.int(0, 99)}`,
      () => "9223372036854775807", () => "x".repeat(this.c.int(1, 40)), () => " 1",
    ])();
  }

  /** Hash fields and set/zset members: few, so commands collide on them. */
  member(): string {
    return this.c.pick(["a", "b", "c", "d", "e", "f", "10", "2", "\x00"]);
  }

  members(min: number, max: number): string[] {
    return Array.from({ length: this.c.int(min, max) }, () => this.member());
  }

  /** An integer argument, sometimes not a valid one. */
  int(min: number, max: number): string {
    if (this.c.chance(0.04)) return this.c.pick(["x", "1.5", "", "99999999999999999999", "+1"]);
    return String(this.c.int(min, max));
  }

  /** A float argument (scores, increments), sometimes not a valid one. */
  float(): string {
    if (this.c.chance(0.04)) return this.c.pick(["x", "nan", "", "1e", "--1"]);
    return this.c.pick([
      String(this.c.int(-10, 10)), `${this.c.int(-9, 9)}.5`, "0", "1e3", "-0.25", "+inf", "-inf",
      "3.0000000000000001",
    ]);
  }

  /** A TTL in seconds long enough that nothing expires during a run. */
  ttlSeconds(): string {
    return this.c.chance(0.03) ? this.c.pick(["0", "-5", "x"]) : String(this.c.int(5000, 90_000));
  }

  /** An option word, sometimes a wrong one (syntax errors). */
  option(words: readonly string[]): string {
    return this.c.chance(0.03) ? "BOGUS" : this.c.pick(words);
  }
}
