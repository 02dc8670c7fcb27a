/**
 * Capability matching (docs/upstream.md §10.3): the candidates are the agents of the registry and the
 * providers of the offer book; a query filters them by model globs, tier, highest price, lowest reputation
 * and required capabilities, and ranks what is left by the reference's composite score:
 *
 * - the matched model is the candidate's first model matching any pattern (its first model without
 *   patterns); a candidate with no matching model is left out;
 * - `price_score = max(0, 1 − price / (tier base × 4))` (tier bases small 1, medium 3, large 8,
 *   frontier 20 TRM/token);
 * - `composite = 0.6 × reputation + 0.4 × price_score`, best first; ties break on node, then agent id,
 *   so every caller gets the same order.
 *
 * Reputation comes from the caller (the agora's effective reputation of the candidate's node); an
 * unknown account there scores `REPUTATION_UNKNOWN`.
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { AgentTier } from "@tirami/proto";
import { MATCH_REPUTATION_WEIGHT, PRICE_SCORE_TIER_MULTIPLE, TIER_BASE_TRM_PER_TOKEN } from "./constants.js";
import { globMatch } from "./glob.js";

/** Where a candidate comes from: a signed agent profile, or a provider's signed offer. */
export type CandidateSource = "profile" | "offer";

/** One model a candidate serves and its price. */
export interface CandidateModel {
  model_id: string;
  price_trm_per_token: number;
  tier: AgentTier;
}

/** A matchable agent or provider. */
export interface MatchCandidate {
  node: AccountId;
  agent_id: string;
  source: CandidateSource;
  models: readonly CandidateModel[];
  capabilities: readonly string[];
  endpoints: readonly string[];
}

/** What a query asks for (`POST /v1/tirami/agora/find`). */
export interface MatchQuery {
  /** Globs over model ids (`*`, `?`); empty: any model. */
  model_patterns: readonly string[];
  max_trm_per_token?: number | undefined;
  tier?: AgentTier | undefined;
  /** In [0, 1]. */
  min_reputation?: number | undefined;
  /** Every one of these must be listed by the candidate. */
  capabilities?: readonly string[] | undefined;
}

/** One ranked match. */
export interface CapabilityMatch {
  node: AccountId;
  agent_id: string;
  source: CandidateSource;
  matched_model: string;
  price_trm_per_token: number;
  tier: AgentTier;
  reputation: number;
  price_score: number;
  composite_score: number;
  capabilities: string[];
  endpoints: string[];
}

/** `max(0, 1 − price / (tier base × 4))`. */
export function priceScore(priceTrmPerToken: number, tier: AgentTier): number {
  return Math.max(0, 1 - priceTrmPerToken / (TIER_BASE_TRM_PER_TOKEN[tier] * PRICE_SCORE_TIER_MULTIPLE));
}

function matchedModel(candidate: MatchCandidate, patterns: readonly string[]): CandidateModel | undefined {
  if (patterns.length === 0) return candidate.models[0];
  return candidate.models.find((model) => patterns.some((pattern) => globMatch(pattern, model.model_id)));
}

/** Ranks the candidates that satisfy `query`, best first. */
export function matchCapabilities(
  candidates: readonly MatchCandidate[],
  query: MatchQuery,
  reputationOf: (node: AccountId) => number,
): CapabilityMatch[] {
  const out: CapabilityMatch[] = [];
  for (const candidate of candidates) {
    const model = matchedModel(candidate, query.model_patterns);
    if (model === undefined) continue;
    if (query.tier !== undefined && model.tier !== query.tier) continue;
    if (query.max_trm_per_token !== undefined && model.price_trm_per_token > query.max_trm_per_token)
      continue;
    if (query.capabilities?.some((needed) => !candidate.capabilities.includes(needed)) === true) continue;
    const reputation = reputationOf(candidate.node);
    if (query.min_reputation !== undefined && reputation < query.min_reputation) continue;
    const score = priceScore(model.price_trm_per_token, model.tier);
    out.push({
      node: candidate.node,
      agent_id: candidate.agent_id,
      source: candidate.source,
      matched_model: model.model_id,
      price_trm_per_token: model.price_trm_per_token,
      tier: model.tier,
      reputation,
      price_score: score,
      composite_score: MATCH_REPUTATION_WEIGHT * reputation + (1 - MATCH_REPUTATION_WEIGHT) * score,
      capabilities: [...candidate.capabilities],
      endpoints: [...candidate.endpoints],
    });
  }
  return out.sort(
    (a, b) =>
      b.composite_score - a.composite_score ||
      (a.node < b.node
        ? -1
        : a.node > b.node
          ? 1
          : a.agent_id < b.agent_id
            ? -1
            : a.agent_id > b.agent_id
              ? 1
              : 0),
  );
}
