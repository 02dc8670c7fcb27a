/**
 * Per-token rate limit: a token bucket per key (the bearer token's principal, or the client address for
 * failed authentications), refilled continuously at `perMinute / 60` per second with a burst of
 * `perMinute`. The map is bounded: past `bucketsMax` keys the least recently used bucket is dropped
 * (a dropped key starts again with a full bucket, which only ever errs toward allowing).
 * @module
 */
import type { Clock } from "@tirami/core";
import { RATE_LIMIT_BUCKETS_MAX } from "../constants.js";

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** A bounded set of token buckets. */
export interface RateLimiter {
  /** Takes one token for `key`: returns 0 when allowed, else the seconds to wait (≥ 1). */
  take(key: string): number;
  /** Keys currently tracked. */
  size(): number;
}

/** Builds a limiter allowing `perMinute` requests per minute per key. */
export function createRateLimiter(options: {
  perMinute: number;
  clock: Clock;
  bucketsMax?: number;
}): RateLimiter {
  const { perMinute, clock } = options;
  const bucketsMax = options.bucketsMax ?? RATE_LIMIT_BUCKETS_MAX;
  if (!Number.isSafeInteger(perMinute) || perMinute < 1)
    throw new RangeError(`"perMinute" expected a positive integer, got ${perMinute}`);
  if (!Number.isSafeInteger(bucketsMax) || bucketsMax < 1)
    throw new RangeError(`"bucketsMax" expected a positive integer`);
  const refillPerMs = perMinute / 60_000;
  const buckets = new Map<string, Bucket>();
  return {
    take(key) {
      const nowMs = clock.nowMs();
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        bucket = { tokens: perMinute, updatedMs: nowMs };
        if (buckets.size >= bucketsMax) {
          const oldest = buckets.keys().next().value;
          if (oldest !== undefined) buckets.delete(oldest);
        }
      } else {
        buckets.delete(key); // re-insert below: Map order is recency order
        bucket.tokens = Math.min(
          perMinute,
          bucket.tokens + Math.max(0, nowMs - bucket.updatedMs) * refillPerMs,
        );
        bucket.updatedMs = nowMs;
      }
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1_000));
    },
    size: () => buckets.size,
  };
}
