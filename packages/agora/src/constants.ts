/**
 * Limits, defaults and the reference's constants of the agora, each with its unit and where it comes from.
 * Names and values of the reputation, matching and collusion formulas follow docs/upstream.md §10.3 and
 * §4.7 (docs/agora.md lists the departures).
 * @module
 */
import type { AgentTier } from "@tirami/proto";

/** Profiles kept in the registry, stalest evicted first. */
export const REGISTRY_PROFILES_MAX = 4_096;
/** Profiles one node may have in the registry at once (its agents); more are refused. */
export const PROFILES_PER_NODE_MAX = 16;
/** A profile not refreshed for this long leaves the registry (3 missed refreshes of the default period). */
export const PROFILE_TTL_MS_DEFAULT = 10 * 60_000;
/** How often a node re-signs and re-publishes its own profiles. */
export const PROFILE_REFRESH_MS_DEFAULT = 3 * 60_000;
/** A profile dated further ahead than this is ignored (clock skew between honest nodes). */
export const PROFILE_CLOCK_SKEW_MS = 60_000;
/** Profiles this node registers for its own agents. */
export const OWN_PROFILES_MAX = PROFILES_PER_NODE_MAX;

/** Reputation aggregation (docs/upstream.md §10.3): an agent without trades. */
export const REPUTATION_UNKNOWN = 0.3;
/** TRM of volume that scores a full 1.0. */
export const REPUTATION_VOLUME_FULL_TRM = 100_000;
/** Half-life of the recency score, ms (24 h). */
export const REPUTATION_RECENCY_HALF_LIFE_MS = 24 * 3_600_000;
/** Distinct counterparties that score a full 1.0. */
export const REPUTATION_DIVERSITY_FULL = 10;
/** Weights of volume, recency, diversity and consistency; they sum to 1. */
export const REPUTATION_WEIGHTS = { volume: 0.4, recency: 0.3, diversity: 0.2, consistency: 0.1 } as const;
/** Trades of one account read for its aggregate (newest first). */
export const REPUTATION_TRADES_MAX = 10_000;

/** Matching (docs/upstream.md §10.3): the price a tier is expected to charge, TRM per token. */
export const TIER_BASE_TRM_PER_TOKEN: Readonly<Record<AgentTier, number>> = {
  small: 1,
  medium: 3,
  large: 8,
  frontier: 20,
};
/** `price_score = max(0, 1 − price / (tier base × this))`. */
export const PRICE_SCORE_TIER_MULTIPLE = 4;
/** `composite = reputation × this + price_score × (1 − this)`. */
export const MATCH_REPUTATION_WEIGHT = 0.6;
/** Model patterns in one query, and the longest pattern. */
export const MATCH_PATTERNS_MAX = 16;
export const MATCH_PATTERN_LENGTH_MAX = 128;
/** Matches returned by one query. */
export const MATCHES_MAX = 100;

/** Collusion (docs/upstream.md §4.7): the window analysed, ms (24 h). */
export const COLLUSION_WINDOW_MS = 24 * 3_600_000;
/** Newest trades of the window read for the analysis. */
export const COLLUSION_TRADES_MAX = 10_000;
/** Fewer trades of the subject than this in the window: every score is 0. */
export const COLLUSION_TRADES_MIN = 10;
/** Largest single-counterparty share above which the tight-cluster score grows. */
export const TIGHT_CLUSTER_SHARE_MIN = 0.2;
/** Coefficient of variation of hourly volume below which the regularity score grows. */
export const VOLUME_CV_MAX = 0.5;
/** Bucket of the hourly volume, ms. */
export const VOLUME_BUCKET_MS = 3_600_000;
/** Smallest strongly connected component counted as a ring. */
export const RING_SIZE_MIN = 3;
/** Share of a ring's outgoing edges that stay inside it above which the round-robin score grows. */
export const RING_CLOSEDNESS_MIN = 0.8;
/** `trust_penalty = this × max(sub-scores)`, so a penalty is at most 0.5. */
export const TRUST_PENALTY_SCALE = 0.5;
/** How long one analysis of the window is reused, ms (routing asks per candidate). */
export const COLLUSION_CACHE_MS = 30_000;
/** Accounts whose analysis is cached at once. */
export const COLLUSION_CACHE_MAX = 1_024;
