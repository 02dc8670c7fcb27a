/**
 * The planner's limits, with the reason for each value.
 * @module
 */

/**
 * Peers one plan considers. The exact search is a DP over subsets of peers (2^n states per probe, at most 64
 * probes), so 12 peers cost ~2^12 × 12 × log₂(layers) × 64 ≈ 30M steps (well under a second here); each
 * extra peer doubles that. Measured here: 12 peers and 80 layers plan in ~50 ms.
 */
export const PLAN_PEERS_MAX = 12;

/** Transformer blocks a model may have: the largest open models have ~130; 4,096 leaves room. */
export const PLAN_LAYERS_MAX = 4_096;

/**
 * Probes of the bottleneck search: one per bit of a float64, because the search runs over the ordering of
 * non-negative doubles (see plan.ts); 64 always suffice.
 */
export const PLAN_PROBES_MAX = 64;
