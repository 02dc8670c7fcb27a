/**
 * The pricing engine: live supply/demand EMA plus the trade-count deflation curve, persisted in
 * `pricing_state` so the price survives a restart. Prices are floats; costs are integers (`costTrm`).
 * @module
 */
import type { PricingSnapshot as WirePricingSnapshot } from "@tirami/client";
import type BetterSqlite3 from "better-sqlite3";
import { costTrm, type AmountTrm, type Clock } from "@tirami/core";
import {
  BASE_PRICE_TRM_PER_TOKEN,
  DEMAND_FACTOR_MAX,
  DEMAND_FACTOR_MIN,
  EMA_ALPHA,
  FACTOR_INITIAL,
  MODEL_ID_CHARS_MAX,
  OBSERVE_INTERVAL_MIN_MS,
  OBSERVED_COUNT_MAX,
  PRICE_FLOOR_TRM_PER_TOKEN,
  SUPPLY_FACTOR_MAX,
  SUPPLY_FACTOR_MIN,
} from "./constants.js";
import { clampFactor, deflationFactor, effectivePrice, emaStep, rawFactors } from "./curve.js";

/** What the node reports each `OBSERVE_INTERVAL_MS`, from its offer book and in-flight counter. */
export interface PricingObservation {
  /** Providers with a live offer in the mesh (supply). */
  providersSeen: number;
  /** Inference requests in flight right now (demand). */
  requestsInFlight: number;
  /** Peers known (the supply scale); defaults to the last value, or 0 → divisor 5. */
  peersKnown?: number;
  /** Observation time; defaults to the clock. Older than the last observation → ignored. */
  nowMs?: number;
}

/** Everything `GET /v1/tirami/pricing` shows (the wire type is @tirami/client's). */
export type PricingSnapshot = WirePricingSnapshot;

export interface PriceQuote extends PricingSnapshot {
  model_id: string | null;
  quoted_at_ms: number;
}

export interface Pricing {
  /** Feeds one live observation into the EMA (persisted) and returns the new snapshot. */
  observe(input: PricingObservation): PricingSnapshot;
  /** Adds `count` executed trades to the persisted deflation counter (when no `tradesTotal` source is given). */
  recordTrades(count?: number): void;
  /** The current price, with its components. `modelId` is echoed; every model is priced alike today. */
  quote(input?: { modelId?: string }): PriceQuote;
  /** `ceil(completion_tokens × price)` as integer TRM. Prompt tokens are not billed (docs/architecture.md §4). */
  estimateCost(input: {
    completionTokens: number;
    promptTokens?: number;
    priceTrmPerToken?: number;
  }): AmountTrm;
  snapshot(): PricingSnapshot;
}

export interface PricingOptions {
  db: BetterSqlite3.Database;
  clock: Clock;
  /**
   * Source of the number of trades ever applied (e.g. the ledger's trade count). Without it the engine
   * keeps its own persisted counter, advanced by `recordTrades`.
   */
  tradesTotal?: () => number;
}

interface StateRow {
  supply_factor: number;
  demand_factor: number;
  raw_supply_factor: number;
  raw_demand_factor: number;
  providers_seen: number;
  requests_in_flight: number;
  peers_known: number;
  trades_total: number;
  observations_total: number;
  observed_at_ms: number | null;
  ema_updated_at_ms: number | null;
}

function assertCount(value: unknown, field: string): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > OBSERVED_COUNT_MAX) {
    throw new RangeError(
      `"${field}" expected an integer in [0, ${OBSERVED_COUNT_MAX}], got ${String(value)}`,
    );
  }
}

/** Creates the engine over `db` (with `PRICING_SCHEMA_SQL` applied), resuming the persisted EMA state. */
export function createPricing(options: PricingOptions): Pricing {
  const { db, clock } = options;
  db.prepare(
    `INSERT OR IGNORE INTO pricing_state (id, supply_factor, demand_factor, raw_supply_factor, raw_demand_factor,
       providers_seen, requests_in_flight, peers_known, trades_total, observations_total)
     VALUES (1, ?, ?, ?, ?, 0, 0, 0, 0, 0)`,
  ).run(FACTOR_INITIAL, FACTOR_INITIAL, FACTOR_INITIAL, FACTOR_INITIAL);
  const select = db.prepare("SELECT * FROM pricing_state WHERE id = 1");
  const update = db.prepare(
    `UPDATE pricing_state SET supply_factor = @supply_factor, demand_factor = @demand_factor,
       raw_supply_factor = @raw_supply_factor, raw_demand_factor = @raw_demand_factor, providers_seen = @providers_seen,
       requests_in_flight = @requests_in_flight, peers_known = @peers_known, observations_total = @observations_total,
       observed_at_ms = @observed_at_ms, ema_updated_at_ms = @ema_updated_at_ms WHERE id = 1`,
  );
  const addTrades = db.prepare("UPDATE pricing_state SET trades_total = trades_total + ? WHERE id = 1");

  /** Reads the row, re-clamping factors so a damaged row can never yield an absurd price. */
  const load = (): StateRow => {
    const row = select.get() as StateRow;
    return {
      ...row,
      supply_factor: clampFactor(row.supply_factor, SUPPLY_FACTOR_MIN, SUPPLY_FACTOR_MAX, FACTOR_INITIAL),
      demand_factor: clampFactor(row.demand_factor, DEMAND_FACTOR_MIN, DEMAND_FACTOR_MAX, FACTOR_INITIAL),
      raw_supply_factor: clampFactor(
        row.raw_supply_factor,
        SUPPLY_FACTOR_MIN,
        SUPPLY_FACTOR_MAX,
        FACTOR_INITIAL,
      ),
      raw_demand_factor: clampFactor(
        row.raw_demand_factor,
        DEMAND_FACTOR_MIN,
        DEMAND_FACTOR_MAX,
        FACTOR_INITIAL,
      ),
    };
  };

  const tradesTotal = (row: StateRow): number => {
    const value = options.tradesTotal === undefined ? row.trades_total : options.tradesTotal();
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`trades total must be a non-negative safe integer, got ${value}`);
    return value;
  };

  const snapshotOf = (row: StateRow): PricingSnapshot => {
    const trades = tradesTotal(row);
    const deflation = deflationFactor(trades);
    return {
      price_trm_per_token: effectivePrice({
        demandFactor: row.demand_factor,
        supplyFactor: row.supply_factor,
        deflationFactor: deflation,
      }),
      base_price_trm_per_token: BASE_PRICE_TRM_PER_TOKEN,
      price_floor_trm_per_token: PRICE_FLOOR_TRM_PER_TOKEN,
      deflation_factor: deflation,
      demand_factor: row.demand_factor,
      supply_factor: row.supply_factor,
      raw_demand_factor: row.raw_demand_factor,
      raw_supply_factor: row.raw_supply_factor,
      supply: row.providers_seen,
      demand: row.requests_in_flight,
      peers_known: row.peers_known,
      trades_total: trades,
      ema_alpha: EMA_ALPHA,
      observations_total: row.observations_total,
      observed_at_ms: row.observed_at_ms,
      ema_updated_at_ms: row.ema_updated_at_ms,
    };
  };

  const observe = db.transaction((input: PricingObservation): PricingSnapshot => {
    assertCount(input.providersSeen, "providersSeen");
    assertCount(input.requestsInFlight, "requestsInFlight");
    if (input.peersKnown !== undefined) assertCount(input.peersKnown, "peersKnown");
    const nowMs = input.nowMs ?? clock.nowMs();
    if (!Number.isSafeInteger(nowMs) || nowMs < 0)
      throw new RangeError(`"nowMs" expected a safe integer, got ${nowMs}`);
    const row = load();
    if (row.observed_at_ms !== null && nowMs < row.observed_at_ms) return snapshotOf(row);
    const peersKnown = input.peersKnown ?? row.peers_known;
    const raw = rawFactors({
      providersSeen: input.providersSeen,
      requestsInFlight: input.requestsInFlight,
      peersKnown,
    });
    const applyEma =
      row.ema_updated_at_ms === null || nowMs - row.ema_updated_at_ms >= OBSERVE_INTERVAL_MIN_MS;
    const next: StateRow = {
      ...row,
      supply_factor: applyEma ? emaStep(row.supply_factor, raw.supply) : row.supply_factor,
      demand_factor: applyEma ? emaStep(row.demand_factor, raw.demand) : row.demand_factor,
      raw_supply_factor: raw.supply,
      raw_demand_factor: raw.demand,
      providers_seen: input.providersSeen,
      requests_in_flight: input.requestsInFlight,
      peers_known: peersKnown,
      observations_total: Math.min(row.observations_total + 1, Number.MAX_SAFE_INTEGER),
      observed_at_ms: nowMs,
      ema_updated_at_ms: applyEma ? nowMs : row.ema_updated_at_ms,
    };
    update.run(next);
    return snapshotOf(next);
  });

  const snapshot = (): PricingSnapshot => snapshotOf(load());

  return {
    observe: (input) => observe.immediate(input),
    recordTrades(count = 1) {
      if (!Number.isSafeInteger(count) || count < 0)
        throw new RangeError(`"count" expected a non-negative safe integer, got ${count}`);
      addTrades.run(count);
    },
    quote(input = {}) {
      const modelId = input.modelId ?? null;
      if (modelId !== null && (typeof modelId !== "string" || modelId.length > MODEL_ID_CHARS_MAX)) {
        throw new RangeError(`"modelId" expected at most ${MODEL_ID_CHARS_MAX} characters`);
      }
      return { ...snapshot(), model_id: modelId, quoted_at_ms: clock.nowMs() };
    },
    estimateCost(input) {
      if (
        input.promptTokens !== undefined &&
        (!Number.isSafeInteger(input.promptTokens) || input.promptTokens < 0)
      ) {
        throw new RangeError(
          `"promptTokens" expected a non-negative safe integer, got ${input.promptTokens}`,
        );
      }
      const price = input.priceTrmPerToken ?? snapshot().price_trm_per_token;
      return costTrm(input.completionTokens, price);
    },
    snapshot,
  };
}
