/**
 * Routing (docs/upstream.md §4.8, fixed): the candidates for a model are the live offers that serve it (never
 * this node), each scored on price, reputation, latency and free capacity. The preference sets the weights:
 *
 * | preference | price | reputation | latency |
 * |---|---|---|---|
 * | `cost`     | 0.6 | 0.2 | 0.2 |
 * | `quality`  | 0.1 | 0.6 | 0.3 |
 * | `balanced` | 0.4 | 0.35 | 0.25 |
 *
 * `price_score = cheapest / price` (1 for the cheapest; a free offer scores 1), `latency_score =
 * 1 / (1 + latency_ms / 1000)` (0.5 when unknown), `score = capacity_factor × Σ weight × part` with
 * `capacity_factor` 1 when the provider reports free capacity and 0.1 when it reports none (it may still
 * queue). Ties break on the account, so every caller gets the same order. When the context has a trust
 * penalty (the agora's collusion detector, docs/agora.md), the reputation part is
 * `clamp(reputation − penalty, 0, 1)` (docs/upstream.md §4.6 `effective_reputation`).
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { OfferedModel, ProviderOffer } from "@tirami/proto";

/** How a request wants its provider chosen. */
export type RoutePreference = "cost" | "quality" | "balanced";
export const ROUTE_PREFERENCES: readonly RoutePreference[] = ["cost", "quality", "balanced"];

const WEIGHTS: Readonly<Record<RoutePreference, { price: number; reputation: number; latency: number }>> = {
  cost: { price: 0.6, reputation: 0.2, latency: 0.2 },
  quality: { price: 0.1, reputation: 0.6, latency: 0.3 },
  balanced: { price: 0.4, reputation: 0.35, latency: 0.25 },
};
const UNKNOWN_LATENCY_SCORE = 0.5;
const NO_CAPACITY_FACTOR = 0.1;

/** One ranked provider, as `GET /v1/tirami/route` shows it. */
export interface RouteCandidate {
  provider: AccountId;
  model_id: string;
  price_trm_per_token: number;
  reputation: number;
  latency_ms: number | null;
  free_capacity: number;
  score: number;
  parts: { price: number; reputation: number; latency: number; capacity_factor: number };
  offer_timestamp_ms: number;
}

/** Inputs per candidate that are not in the offer. */
export interface RankingContext {
  reputation(account: AccountId): number;
  latencyMs(account: AccountId): number | undefined;
  /** Trust penalty in [0, 1] subtracted from the reputation (absent: none). */
  penalty?: ((account: AccountId) => number) | undefined;
}

/** True for a known preference. */
export function isRoutePreference(value: unknown): value is RoutePreference {
  return typeof value === "string" && (ROUTE_PREFERENCES as readonly string[]).includes(value);
}

/** Ranks `candidates` best first. */
export function rankProviders(
  candidates: ReadonlyArray<{ offer: ProviderOffer; model: OfferedModel }>,
  preference: RoutePreference,
  context: RankingContext,
): RouteCandidate[] {
  if (candidates.length === 0) return [];
  const weights = WEIGHTS[preference];
  const cheapest = Math.min(...candidates.map((c) => c.model.price_trm_per_token));
  const ranked = candidates.map(({ offer, model }): RouteCandidate => {
    const price = model.price_trm_per_token;
    const priceScore = price <= 0 ? 1 : cheapest / price;
    const penalty = context.penalty?.(offer.account) ?? 0;
    const reputation = Math.min(
      1,
      Math.max(0, context.reputation(offer.account) - (Number.isFinite(penalty) ? penalty : 0)),
    );
    const latencyMs = context.latencyMs(offer.account);
    const latencyScore = latencyMs === undefined ? UNKNOWN_LATENCY_SCORE : 1 / (1 + latencyMs / 1_000);
    const capacityFactor = offer.free_capacity > 0 ? 1 : NO_CAPACITY_FACTOR;
    const score =
      capacityFactor *
      (weights.price * priceScore + weights.reputation * reputation + weights.latency * latencyScore);
    return {
      provider: offer.account,
      model_id: model.model_id,
      price_trm_per_token: price,
      reputation,
      latency_ms: latencyMs ?? null,
      free_capacity: offer.free_capacity,
      score,
      parts: { price: priceScore, reputation, latency: latencyScore, capacity_factor: capacityFactor },
      offer_timestamp_ms: offer.timestamp_ms,
    };
  });
  ranked.sort(
    (a, b) => b.score - a.score || (a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : 0),
  );
  return ranked;
}
