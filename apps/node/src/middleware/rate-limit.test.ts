/**
 * Proves the token-bucket limiter on a manual clock: a burst of `perMinute`, then a wait equal to one
 * token's refill, per-key isolation, and the bounded map evicting the least recently used key.
 */
import { describe, expect, it } from "vitest";
import { createManualClock } from "@tirami/core";
import { createRateLimiter } from "./rate-limit.js";

describe("createRateLimiter", () => {
  it("allows a burst, then asks to wait for the refill of one token", () => {
    const clock = createManualClock();
    const limiter = createRateLimiter({ perMinute: 6, clock });
    for (let i = 0; i < 6; i += 1) expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBe(10);
    expect(limiter.take("b")).toBe(0);
    clock.advanceMs(10_000);
    expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBe(10);
  });

  it("bounds the number of buckets, dropping the least recently used", () => {
    const clock = createManualClock();
    const limiter = createRateLimiter({ perMinute: 1, clock, bucketsMax: 2 });
    expect(limiter.take("a")).toBe(0);
    expect(limiter.take("b")).toBe(0);
    expect(limiter.take("a")).toBeGreaterThan(0); // a is now most recent
    expect(limiter.take("c")).toBe(0); // evicts b
    expect(limiter.size()).toBe(2);
    expect(limiter.take("b")).toBe(0); // b starts again with a full bucket
    expect(() => createRateLimiter({ perMinute: 0, clock })).toThrow(RangeError);
  });
});
