/**
 * Pricing constants (docs/upstream.md §4.1–§4.3). Names follow upstream where they exist; the clamps are the
 * upstream bounds, kept as named constants.
 * @module
 */

/** Base price before demand, supply and deflation: 1 TRM per generated token (`base_cu_per_token`). */
export const BASE_PRICE_TRM_PER_TOKEN = 1.0;
/** Price floor, TRM per token. */
export const PRICE_FLOOR_TRM_PER_TOKEN = 0.01;
/** EMA smoothing factor applied per accepted observation (`EMA_ALPHA`). */
export const EMA_ALPHA = 0.3;
/** Both EMA factors start here (neutral). */
export const FACTOR_INITIAL = 1.0;
/** Raw supply factor bounds: `clamp(providers / supply_divisor, 0.5, 2.0)`. */
export const SUPPLY_FACTOR_MIN = 0.5;
export const SUPPLY_FACTOR_MAX = 2.0;
/** Raw demand factor bounds: `clamp(in_flight / demand_divisor, 0.5, 3.0)`. */
export const DEMAND_FACTOR_MIN = 0.5;
export const DEMAND_FACTOR_MAX = 3.0;
/** `supply_divisor = max(peers_known, SUPPLY_DIVISOR_MIN)`. */
export const SUPPLY_DIVISOR_MIN = 5;
/** `demand_divisor = max(supply_divisor / 2, DEMAND_DIVISOR_MIN)`. */
export const DEMAND_DIVISOR_MIN = 3;
/** Deflation: `1 / (1 + ln(1 + trades_total / DEFLATION_TRADES_SCALE))` (natural log, as upstream computes). */
export const DEFLATION_TRADES_SCALE = 1_000;
/**
 * Observations closer together than this update the recorded inputs but not the EMA, so a caller
 * polling in a tight loop cannot snap the factors to one instantaneous reading.
 */
export const OBSERVE_INTERVAL_MIN_MS = 1_000;
/** The cadence the node is expected to call `observe` at. */
export const OBSERVE_INTERVAL_MS = 10_000;
/** Largest accepted count for any observed input (providers, in-flight requests, peers). */
export const OBSERVED_COUNT_MAX = 1_000_000;
/** Longest accepted model id, characters. */
export const MODEL_ID_CHARS_MAX = 256;
