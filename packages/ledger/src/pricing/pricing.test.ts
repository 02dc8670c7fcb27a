/**
 * Proves the pricing engine on a real SQLite file: the price rises with demand and falls with supply
 * (monotonic, also under fast-check), the deflation curve matches the reference values, the EMA state
 * survives closing and reopening the database, factors stay within their clamps, and costs are the
 * integer ceiling of tokens × price.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { createManualClock, type ManualClock } from "@tirami/core";
import { suiteTempDir } from "@tirami/test-kit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createPricing,
  deflationFactor,
  PRICING_SCHEMA_SQL,
  type Pricing,
  type PricingObservation,
} from "./index.js";

const root = suiteTempDir("tirami-pricing-");

let fileIndex = 0;
let dbs: Database.Database[] = [];
let clock: ManualClock;

function openPricing(
  file = join(root, `p-${fileIndex++}.db`),
  tradesTotal?: () => number,
): { pricing: Pricing; file: string } {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(PRICING_SCHEMA_SQL);
  dbs.push(db);
  return {
    pricing: createPricing(tradesTotal === undefined ? { db, clock } : { db, clock, tradesTotal }),
    file,
  };
}

beforeEach(() => {
  clock = createManualClock(1_700_000_000_000);
});
afterEach(() => {
  for (const db of dbs) if (db.open) db.close();
  dbs = [];
});

let scratch: Database.Database | undefined;

/** Feeds `observations` 10 s apart into a fresh state (one reused file) and returns the final price. */
function priceAfter(observations: Array<Omit<PricingObservation, "nowMs">>): number {
  if (scratch === undefined || !scratch.open) {
    scratch = new Database(join(root, "scratch.db"));
    scratch.pragma("journal_mode = WAL");
    scratch.pragma("synchronous = NORMAL");
    scratch.exec(PRICING_SCHEMA_SQL);
    dbs.push(scratch);
  }
  scratch.exec("DELETE FROM pricing_state");
  const pricing = createPricing({ db: scratch, clock });
  let nowMs = 1_700_000_000_000;
  for (const observation of observations) {
    nowMs += 10_000;
    pricing.observe({ ...observation, nowMs });
  }
  return pricing.snapshot().price_trm_per_token;
}

describe("pricing", () => {
  it("starts at the base price of 1 TRM/token with neutral factors", () => {
    const { pricing } = openPricing();
    expect(pricing.quote({ modelId: "smollm2:135m" })).toMatchObject({
      price_trm_per_token: 1,
      base_price_trm_per_token: 1,
      deflation_factor: 1,
      demand_factor: 1,
      supply_factor: 1,
      model_id: "smollm2:135m",
    });
  });

  it("more demand → higher price; more supply → lower price", () => {
    const base = { providersSeen: 5, requestsInFlight: 3, peersKnown: 5 };
    const neutral = priceAfter([base, base]);
    expect(priceAfter([base, { ...base, requestsInFlight: 6 }])).toBeGreaterThan(neutral);
    expect(priceAfter([base, { ...base, providersSeen: 8 }])).toBeLessThan(neutral);
  });

  it("is monotonic in demand and anti-monotonic in supply for any history (fast-check)", () => {
    const observation = fc.record({
      providersSeen: fc.integer({ min: 0, max: 50 }),
      requestsInFlight: fc.integer({ min: 0, max: 50 }),
      peersKnown: fc.integer({ min: 0, max: 20 }),
    });
    fc.assert(
      fc.property(
        fc.array(observation, { maxLength: 8 }),
        observation,
        fc.integer({ min: 1, max: 20 }),
        (history, last, extra) => {
          const base = priceAfter([...history, last]);
          expect(
            priceAfter([...history, { ...last, requestsInFlight: last.requestsInFlight + extra }]),
          ).toBeGreaterThanOrEqual(base);
          expect(
            priceAfter([...history, { ...last, providersSeen: last.providersSeen + extra }]),
          ).toBeLessThanOrEqual(base);
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);

  it("keeps the factors within their clamps under extreme inputs", () => {
    const { pricing } = openPricing();
    for (let index = 1; index <= 50; index++)
      pricing.observe({ providersSeen: 0, requestsInFlight: 1_000_000, nowMs: index * 10_000 });
    const high = pricing.snapshot();
    expect(high.demand_factor).toBeLessThanOrEqual(3);
    expect(high.supply_factor).toBeGreaterThanOrEqual(0.5);
    expect(high.price_trm_per_token).toBeLessThanOrEqual(6);
    expect(high.price_trm_per_token).toBeGreaterThan(5.9);
    expect(() => pricing.observe({ providersSeen: -1, requestsInFlight: 0 })).toThrow(RangeError);
    expect(() => pricing.observe({ providersSeen: 1.5, requestsInFlight: 0 })).toThrow(RangeError);
  });

  it("follows the deflation curve of the reference (natural log)", () => {
    expect(deflationFactor(0)).toBe(1);
    expect(deflationFactor(1_000)).toBeCloseTo(0.591, 3);
    expect(deflationFactor(10_000)).toBeCloseTo(0.294, 3);
    expect(deflationFactor(100_000)).toBeCloseTo(0.178, 3);
    const trades = { count: 1_000 };
    const { pricing } = openPricing(undefined, () => trades.count);
    expect(pricing.snapshot().price_trm_per_token).toBeCloseTo(0.591, 3);
    trades.count = 10_000;
    expect(pricing.snapshot().price_trm_per_token).toBeCloseTo(0.294, 3);
  });

  it("persists the EMA state and trade counter across closing and reopening the file", () => {
    const { pricing, file } = openPricing();
    pricing.observe({ providersSeen: 2, requestsInFlight: 9, peersKnown: 6, nowMs: 1_000 });
    pricing.observe({ providersSeen: 3, requestsInFlight: 7, nowMs: 20_000 });
    pricing.recordTrades(250);
    const before = pricing.snapshot();
    for (const db of dbs) db.close();
    const { pricing: reopened } = openPricing(file);
    expect(reopened.snapshot()).toEqual(before);
    expect(before.trades_total).toBe(250);
    expect(before.observations_total).toBe(2);
    // An observation older than the last one is ignored.
    expect(reopened.observe({ providersSeen: 50, requestsInFlight: 0, nowMs: 5_000 })).toEqual(before);
  });

  it("does not move the EMA for observations closer than 1 s apart", () => {
    const { pricing } = openPricing();
    const first = pricing.observe({ providersSeen: 5, requestsInFlight: 9, nowMs: 10_000 });
    const burst = pricing.observe({ providersSeen: 5, requestsInFlight: 9, nowMs: 10_500 });
    expect(burst.demand_factor).toBe(first.demand_factor);
    expect(
      pricing.observe({ providersSeen: 5, requestsInFlight: 9, nowMs: 11_000 }).demand_factor,
    ).toBeGreaterThan(first.demand_factor);
  });

  it("costs are integers equal to ceil(completion tokens × price); prompt tokens are not billed", () => {
    const { pricing } = openPricing();
    expect(pricing.estimateCost({ completionTokens: 9, promptTokens: 100 })).toBe(9);
    pricing.observe({ providersSeen: 5, requestsInFlight: 6, nowMs: 10_000 });
    const price = pricing.snapshot().price_trm_per_token;
    expect(Number.isInteger(price)).toBe(false);
    for (const tokens of [0, 1, 7, 100, 12_345]) {
      const cost = pricing.estimateCost({ completionTokens: tokens });
      expect(Number.isSafeInteger(cost)).toBe(true);
      // ceil(tokens × price), with the price honoured to 1e-6 TRM (core's costTrm).
      expect(cost).toBeGreaterThanOrEqual(tokens * price);
      expect(cost).toBeLessThan(tokens * price + 1 + tokens * 1e-6);
    }
    expect(pricing.estimateCost({ completionTokens: 7, priceTrmPerToken: 0.25 })).toBe(2);
    expect(pricing.estimateCost({ completionTokens: 8, priceTrmPerToken: 0.25 })).toBe(2);
    expect(pricing.estimateCost({ completionTokens: 9, priceTrmPerToken: 0.25 })).toBe(3);
    expect(pricing.estimateCost({ completionTokens: 3, priceTrmPerToken: 0.01 })).toBe(1);
    expect(() => pricing.estimateCost({ completionTokens: -1 })).toThrow(RangeError);
  });
});
