/**
 * The injected source of randomness (STYLE.md rule 12). The core only ever draws from an `Rng`
 * it was given, so a simulator seed replays a run exactly. `SeededRng` is a small, fast,
 * well-distributed generator (splitmix32 seeding a xoshiro128**), pure TypeScript.
 */
import { assert } from "./types.js";

export interface Rng {
  /** A uniformly distributed integer in `[0, bound)`; `bound` is a positive safe integer. */
  nextInt(bound: number): number;
  /** A uniformly distributed float in `[0, 1)`. */
  nextFloat(): number;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class SeededRng implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    assert(Number.isSafeInteger(seed), `Rng seed must be a safe integer, got ${seed}`);
    const mix = splitmix32((seed ^ Math.floor(seed / 0x100000000)) >>> 0);
    this.s0 = mix();
    this.s1 = mix();
    this.s2 = mix();
    this.s3 = mix();
  }

  private nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  nextFloat(): number {
    // 53 random bits: every double in [0, 1) that a uniform draw can produce.
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  nextInt(bound: number): number {
    assert(Number.isSafeInteger(bound) && bound > 0, `Rng bound must be a positive safe integer, got ${bound}`);
    return Math.floor(this.nextFloat() * bound);
  }

  /** A new generator whose sequence is independent of this one's future draws. */
  fork(): SeededRng {
    return new SeededRng(this.nextUint32() * 0x200000 + (this.nextUint32() >>> 11));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
