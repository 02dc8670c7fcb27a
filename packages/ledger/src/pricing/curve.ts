/**
 * The pricing formulas of docs/upstream.md §4.2–§4.3 as pure functions:
 *
 *   deflation_factor = 1 / (1 + ln(1 + trades_total / 1000))
 *   supply_divisor   = max(peers_known, 5);  demand_divisor = max(supply_divisor / 2, 3)
 *   raw_supply       = clamp(providers_seen / supply_divisor, 0.5, 2.0)
 *   raw_demand       = clamp(requests_in_flight / demand_divisor, 0.5, 3.0)
 *   factor'          = α · raw + (1 − α) · factor        (α = 0.3)
 *   price            = max(0.01, base × demand_factor / supply_factor × deflation_factor)
 *
 * Upstream never fed the EMA (docs/upstream.md §13.5); here `observe` feeds it with live counts.
 * @module
 */
import {
  BASE_PRICE_TRM_PER_TOKEN,
  DEFLATION_TRADES_SCALE,
  DEMAND_DIVISOR_MIN,
  DEMAND_FACTOR_MAX,
  DEMAND_FACTOR_MIN,
  EMA_ALPHA,
  PRICE_FLOOR_TRM_PER_TOKEN,
  SUPPLY_DIVISOR_MIN,
  SUPPLY_FACTOR_MAX,
  SUPPLY_FACTOR_MIN,
} from "./constants.js";

/** `value` clamped to [min, max]; a non-finite value becomes `fallback`. */
export function clampFactor(value: number, min: number, max: number, fallback: number): number {
  if (!Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, value));
}

/** Deflation from the number of trades ever applied: 1 at 0 trades, ≈0.591 at 1,000, ≈0.294 at 10,000. */
export function deflationFactor(tradesTotal: number): number {
  return 1 / (1 + Math.log1p(Math.max(0, tradesTotal) / DEFLATION_TRADES_SCALE));
}

/** The instantaneous (pre-EMA) supply and demand factors for one observation. */
export function rawFactors(input: { providersSeen: number; requestsInFlight: number; peersKnown: number }): {
  supply: number;
  demand: number;
} {
  const supplyDivisor = Math.max(input.peersKnown, SUPPLY_DIVISOR_MIN);
  const demandDivisor = Math.max(supplyDivisor / 2, DEMAND_DIVISOR_MIN);
  return {
    supply: clampFactor(input.providersSeen / supplyDivisor, SUPPLY_FACTOR_MIN, SUPPLY_FACTOR_MAX, 1),
    demand: clampFactor(input.requestsInFlight / demandDivisor, DEMAND_FACTOR_MIN, DEMAND_FACTOR_MAX, 1),
  };
}

/** One EMA step. */
export function emaStep(previous: number, raw: number): number {
  return EMA_ALPHA * raw + (1 - EMA_ALPHA) * previous;
}

/** Effective price in TRM per token, floored at 0.01. */
export function effectivePrice(input: {
  demandFactor: number;
  supplyFactor: number;
  deflationFactor: number;
}): number {
  const price = (BASE_PRICE_TRM_PER_TOKEN * input.demandFactor * input.deflationFactor) / input.supplyFactor;
  return Math.max(PRICE_FLOOR_TRM_PER_TOKEN, price);
}
