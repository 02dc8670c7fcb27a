/**
 * Per-peer token buckets for gossip ingest: each peer may deliver `ratePerS` messages per second with
 * bursts of `burst`. Per peer — not one global budget like upstream (docs/upstream.md §13.3 #18), so one noisy neighbour
 * cannot starve the others. Bounded: at most `peersMax` buckets, oldest evicted.
 * @module
 */
import type { AccountId } from "@tirami/core";

export interface RateLimiterOptions {
  ratePerS: number;
  burst: number;
  peersMax: number;
  nowMs: () => number;
}

/** Token buckets keyed by account. */
export class PeerRateLimiter {
  readonly #options: RateLimiterOptions;
  readonly #buckets = new Map<AccountId, { tokens: number; atMs: number }>();

  constructor(options: RateLimiterOptions) {
    if (!(options.ratePerS > 0) || !(options.burst >= 1))
      throw new RangeError("rate limiter expects ratePerS > 0 and burst >= 1");
    this.#options = options;
  }

  /** Takes one token for `account`; false when its bucket is empty (drop the message). */
  take(account: AccountId): boolean {
    const now = this.#options.nowMs();
    let bucket = this.#buckets.get(account);
    if (bucket === undefined) {
      while (this.#buckets.size >= this.#options.peersMax) {
        const oldest = this.#buckets.keys().next();
        if (oldest.done === true) break;
        this.#buckets.delete(oldest.value);
      }
      bucket = { tokens: this.#options.burst, atMs: now };
      this.#buckets.set(account, bucket);
    }
    const elapsedS = Math.max(0, now - bucket.atMs) / 1_000;
    bucket.tokens = Math.min(this.#options.burst, bucket.tokens + elapsedS * this.#options.ratePerS);
    bucket.atMs = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
