/**
 * Proves the simulator's generator is a pure function of its seed: the same seed gives the same sequence,
 * other seeds and forks give other sequences, and the derived draws stay in their ranges.
 */
import { describe, expect, it } from "vitest";
import { Prng } from "./prng.js";

describe("Prng", () => {
  it("replays a seed exactly and separates seeds and forks", () => {
    const draw = (rng: Prng) => Array.from({ length: 8 }, () => rng.nextU32());
    expect(draw(new Prng(42))).toEqual(draw(new Prng(42)));
    expect(draw(new Prng(42))).not.toEqual(draw(new Prng(43)));
    const a = new Prng(42);
    expect(draw(a.fork("network"))).not.toEqual(draw(new Prng(42).fork("workload")));
  });

  it("keeps draws in range", () => {
    const rng = new Prng(7);
    for (let i = 0; i < 1_000; i += 1) {
      const n = rng.int(-3, 3);
      expect(n).toBeGreaterThanOrEqual(-3);
      expect(n).toBeLessThanOrEqual(3);
      const f = rng.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
    }
    expect(rng.hex(16)).toMatch(/^[0-9a-f]{32}$/);
    expect(() => rng.int(2, 1)).toThrow(RangeError);
  });
});
