/**
 * A small seeded pseudo-random generator written in the project, so splits and generated
 * data are identical on every run and every machine. Never use `Math.random` for data.
 *
 * The generator is xoshiro128** (Blackman and Vigna), seeded through splitmix32. It uses only
 * 32-bit integer arithmetic (`Math.imul`, shifts), which JavaScript defines exactly.
 *
 * @module
 */

/** A deterministic source of random numbers. */
export interface Rng {
  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** An integer in [0, n) without modulo bias. Throws `RangeError` unless n is an integer in [1, 2^32]. */
  int(n: number): number;
  /** Shuffles the array in place (Fisher–Yates) and returns it. */
  shuffle<T>(a: T[]): T[];
  /** A standard normal variate (Box–Muller). */
  normal(): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Creates a seeded generator. The same seed gives the same sequence everywhere.
 *
 * @param seed Any safe integer; it is reduced to 32 bits (the high bits are folded in).
 * @example
 * ```ts
 * import { createRng } from "@evalkit/evalkit/datasets";
 * const a = createRng(42), b = createRng(42);
 * if (a.next() !== b.next()) throw new Error("not deterministic");
 * const dice = createRng(7).int(6); // 0..5
 * if (dice < 0 || dice > 5) throw new Error("out of range");
 * ```
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`Expected seed to be a safe integer but found ${seed}`);
  }
  const folded = (seed ^ Math.floor(seed / 0x100000000)) >>> 0;
  const sm = splitmix32(folded);
  let a = sm(), b = sm(), c = sm(), d = sm();
  if ((a | b | c | d) === 0) a = 1;
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c = (c ^ a) >>> 0;
    d = (d ^ b) >>> 0;
    b = (b ^ c) >>> 0;
    a = (a ^ d) >>> 0;
    c = (c ^ t) >>> 0;
    d = rotl(d, 11);
    return result;
  };
  const next = (): number => nextU32() / 0x100000000;
  const int = (n: number): number => {
    if (!Number.isInteger(n) || n < 1 || n > 0x100000000) {
      throw new RangeError(`Expected n to be an integer in [1, 2^32] but found ${n}`);
    }
    // Rejection sampling: drop the top partial range so every value is equally likely.
    const limit = 0x100000000 - (0x100000000 % n);
    let x = nextU32();
    while (x >= limit) x = nextU32();
    return x % n;
  };
  return {
    next,
    int,
    shuffle<T>(arr: T[]): T[] {
      for (let i = arr.length - 1; i > 0; i--) {
        const j = int(i + 1);
        const tmp = arr[i] as T;
        arr[i] = arr[j] as T;
        arr[j] = tmp;
      }
      return arr;
    },
    normal(): number {
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}
