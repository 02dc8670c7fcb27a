/**
 * Dynamic pricing (docs/upstream.md §4.2–§4.3): base 1 TRM/token × live demand/supply EMA × trade-count
 * deflation, persisted across restarts. Costs are whole TRM via `costTrm` (ceil).
 * @module
 */
export { PRICING_SCHEMA_SQL } from "./schema.js";
export * as PricingConstants from "./constants.js";
export { clampFactor, deflationFactor, effectivePrice, emaStep, rawFactors } from "./curve.js";
export {
  createPricing,
  type PriceQuote,
  type Pricing,
  type PricingObservation,
  type PricingOptions,
  type PricingSnapshot,
} from "./pricing.js";
