/**
 * The simulator's only source of randomness: xoshiro128** (Blackman and Vigna, 2018) seeded through
 * splitmix32, in 32-bit integer arithmetic. Every choice a run makes — keys, latencies, faults, workloads —
 * is drawn from one of these, and every one of them derives from the run's seed, so a seed replays
 * exactly. `Math.random` and the wall clock are never read inside a simulation.
 * @module
 */

/** splitmix32: spreads a 32-bit seed over the generator's state words. */
function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over a label, so `fork("network")` and `fork("workload")` get unrelated streams. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i += 1) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A seeded pseudo-random generator (not cryptographic: the keys it makes are for simulations only). */
export class Prng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /** `seed` is any safe integer ≥ 0 (its low 53 bits are used). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`"seed" expected a safe integer ≥ 0`);
    const state = { x: (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32), 0x27d4eb2d) };
    this.#s0 = splitmix32(state);
    this.#s1 = splitmix32(state);
    this.#s2 = splitmix32(state);
    this.#s3 = splitmix32(state);
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** The next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5), 7), 9) >>> 0;
    const t = this.#s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /** A float in [0, 1) with 32 bits of precision. */
  float(): number {
    return this.nextU32() / 2 ** 32;
  }

  /** An integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min)
      throw new RangeError(`int expected safe integers min ≤ max, got ${min}, ${max}`);
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from an empty array");
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** `count` bytes. */
  bytes(count: number): Uint8Array {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i += 4) {
      const word = this.nextU32();
      for (let j = 0; j < 4 && i + j < count; j += 1) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }

  /** `count` bytes as lowercase hex. */
  hex(count: number): string {
    return Buffer.from(this.bytes(count)).toString("hex");
  }

  /** An exponential variate with the given mean (inverse transform). */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** An independent generator for one subsystem, derived from this one's next output and `label`. */
  fork(label: string): Prng {
    return new Prng((this.nextU32() ^ hashLabel(label)) >>> 0);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
