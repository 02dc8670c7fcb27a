/**
 * Proves the collusion detector on scripted markets of real trade records (proto's `Trade`, from the
 * test-trades factory): in an honest market — consumers buying from providers at random, some providers
 * buying from each other, irregular amounts and times — no account is flagged, the busiest included; a
 * wash-trading ring added to the same market (three accounts paying each other round and round at a
 * steady rate) is flagged on all three sub-scores with the full 0.5 penalty, while the honest accounts
 * stay at 0; and, as properties over random markets, every score stays in [0, 1] and the penalty in
 * [0, 0.5], the result does not depend on the order of the trades, and a subject with fewer than 10
 * trades is never penalised.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AccountId, Signer } from "@tirami/core";
import type { Trade } from "@tirami/proto";
import { tradeOf } from "@tirami/test-trades";
import { honestMarket, NOW_MS, signers, washRing } from "../test/markets.js";
import { analyzeCollusion } from "./collusion.js";
import { COLLUSION_WINDOW_MS } from "./constants.js";

const range = { windowStartMs: NOW_MS - COLLUSION_WINDOW_MS, nowMs: NOW_MS };

const accountsOf = (trades: readonly Trade[]): AccountId[] => [
  ...new Set(trades.flatMap((t) => [t.provider, t.consumer])),
];

describe("collusion detector", () => {
  it("flags no one in an honest market", () => {
    for (const seed of [1, 2, 3]) {
      const { trades } = honestMarket(seed);
      for (const account of accountsOf(trades)) {
        const report = analyzeCollusion(account, trades, range);
        expect(report, account).toMatchObject({ trust_penalty: 0, flags: [] });
      }
    }
  });

  it("flags a wash-trading ring on every sub-score, and only the ring", () => {
    const honest = honestMarket(7);
    const { trades: washTrades, ring } = washRing();
    const trades = [...honest.trades, ...washTrades];
    for (const member of ring) {
      const report = analyzeCollusion(member.accountId, trades, range);
      expect(report.trades_in_window).toBe(40);
      expect(report.tight_cluster_score).toBe(1);
      expect(report.volume_spike_score).toBeCloseTo(1, 9);
      expect(report.round_robin_score).toBe(1);
      expect(report.trust_penalty).toBeCloseTo(0.5, 9);
      expect(report.ring).toEqual(ring.map((s) => s.accountId).sort());
      expect(report.flags).toHaveLength(3);
    }
    for (const account of accountsOf(honest.trades))
      expect(analyzeCollusion(account, trades, range).trust_penalty, account).toBe(0);
  });

  it("keeps scores in bounds, ignores trade order and spares subjects with few trades (property)", () => {
    const accounts = signers("property", 8);
    const tradeArb = fc.record({
      provider: fc.integer({ min: 0, max: 7 }),
      consumer: fc.integer({ min: 0, max: 7 }),
      tokens: fc.integer({ min: 1, max: 500 }),
      ageMs: fc.integer({ min: 0, max: COLLUSION_WINDOW_MS + 3_600_000 }),
    });
    fc.assert(
      fc.property(fc.array(tradeArb, { maxLength: 120 }), fc.integer({ min: 0, max: 7 }), (specs, who) => {
        const trades = specs.map((spec, seq) =>
          tradeOf({
            provider: accounts[spec.provider] as Signer,
            consumer: accounts[spec.consumer] as Signer,
            completionTokens: spec.tokens,
            timestampMs: NOW_MS - spec.ageMs,
            seq,
          }),
        );
        const subject = (accounts[who] as Signer).accountId;
        const report = analyzeCollusion(subject, trades, range);
        for (const score of [
          report.tight_cluster_score,
          report.volume_spike_score,
          report.round_robin_score,
        ]) {
          expect(score).toBeGreaterThanOrEqual(0);
          expect(score).toBeLessThanOrEqual(1);
        }
        expect(report.trust_penalty).toBeGreaterThanOrEqual(0);
        expect(report.trust_penalty).toBeLessThanOrEqual(0.5);
        expect(analyzeCollusion(subject, [...trades].reverse(), range)).toEqual(report);
        if (report.trades_in_window < 10) expect(report.trust_penalty).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
