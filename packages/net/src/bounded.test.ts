// Proves the bounded structures stay bounded and behave: the seen-cache, the peer book (evicting the least
// recently seen disconnected peer first), the invalid-message counter and ban list, the backoff range and
// the per-peer gossip rate limiter.
import type { AccountId } from "@tirami/core";
import { createManualClock } from "@tirami/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelayMs } from "./backoff.js";
import { PeerBook } from "./peer-book.js";
import { PeerPenalties } from "./penalties.js";
import { PeerRateLimiter } from "./rate-limiter.js";
import { SeenCache } from "./seen-cache.js";

const acct = (n: number): AccountId => n.toString(16).padStart(64, "0") as AccountId;

describe("bounded structures", () => {
  it("seen-cache never exceeds its capacity and reports duplicates", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 100 })),
        (capacity, ids) => {
          const cache = new SeenCache(capacity);
          for (const id of ids) {
            const wasThere = cache.has(String(id));
            expect(cache.add(String(id))).toBe(!wasThere);
            expect(cache.size).toBeLessThanOrEqual(capacity);
          }
        },
      ),
    );
  });

  it("peer book evicts the least recently seen disconnected peer first", () => {
    const clock = createManualClock();
    const book = new PeerBook({ capacity: 3, addrsMax: 2, nowMs: clock.nowMs });
    book.touch(acct(1), "p1", { connected: true });
    book.touch(acct(2), "p2", { connected: false, multiaddrs: ["/a", "/b", "/c"] });
    book.touch(acct(3), "p3", { connected: false });
    book.touch(acct(2), "p2", { latencyMs: 5 });
    book.touch(acct(4), "p4", { connected: true });
    expect(book.list().map((r) => r.account)).toEqual([acct(1), acct(2), acct(4)]);
    expect(book.get(acct(2))?.multiaddrs).toEqual(["/a", "/b"]);
    expect(book.get(acct(2))?.latencyMs).toBe(5);
    expect(book.setOffer(acct(3), { x: 1 })).toBe(false);
  });

  it("bans after the invalid-message limit, and the ban expires", () => {
    const clock = createManualClock();
    const penalties = new PeerPenalties({
      invalidMessagesMax: 3,
      windowMs: 1_000,
      banDurationMs: 5_000,
      entriesMax: 10,
      nowMs: clock.nowMs,
    });
    expect(penalties.recordInvalid(acct(1))).toBe(false);
    clock.advanceMs(1_001); // window over: the counter restarts
    expect(penalties.recordInvalid(acct(1))).toBe(false);
    expect(penalties.recordInvalid(acct(1))).toBe(false);
    expect(penalties.invalidCount(acct(1))).toBe(2);
    expect(penalties.recordInvalid(acct(1))).toBe(true);
    penalties.ban(acct(1));
    expect(penalties.isBanned(acct(1))).toBe(true);
    clock.advanceMs(5_000);
    expect(penalties.isBanned(acct(1))).toBe(false);
  });

  it("backoff delays stay within [base/2, max]", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (attempt, r) => {
          const delay = backoffDelayMs(attempt, { baseMs: 100, maxMs: 2_000 }, () => r);
          expect(delay).toBeGreaterThanOrEqual(50);
          expect(delay).toBeLessThanOrEqual(2_000);
        },
      ),
    );
  });
});

describe("per-peer gossip rate limiter", () => {
  it("allows the burst, then the refill rate, per account", () => {
    const clock = createManualClock();
    const limiter = new PeerRateLimiter({ ratePerS: 2, burst: 3, peersMax: 2, nowMs: clock.nowMs });
    expect([1, 2, 3, 4].map(() => limiter.take(acct(1)))).toEqual([true, true, true, false]);
    expect(limiter.take(acct(2))).toBe(true); // another peer has its own bucket
    clock.advanceMs(500); // +1 token
    expect([limiter.take(acct(1)), limiter.take(acct(1))]).toEqual([true, false]);
  });
});
