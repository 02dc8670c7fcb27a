/**
 * The collusion detector (docs/upstream.md §4.7) over the trades of the last `COLLUSION_WINDOW_MS`: three
 * sub-scores in [0, 1] for one subject and a trust penalty `0.5 × max(sub-scores)`. Fewer than
 * `COLLUSION_TRADES_MIN` trades of the subject in the window → every score 0.
 *
 * - tight cluster: `max_share` = the largest single counterparty's share of the subject's trades as a
 *   provider (what it earned; at least `COLLUSION_TRADES_MIN` of them, else 0); `(max_share − 0.2) / 0.8`
 *   above 0.2;
 * - volume regularity (the reference's `volume_spike`, which flags *constant* volume): the subject's TRM
 *   per hour since the window start, over the hours with trades; with at least two such hours,
 *   `(0.5 − cv) / 0.5` below a coefficient of variation of 0.5;
 * - round robin: the directed graph provider → consumer of every trade in the window (self-loops
 *   dropped), its strongly connected components (Tarjan); when the subject's component has at least 3
 *   members, `closedness` = the share of its members' outgoing trades that stay inside it;
 *   `(closedness − 0.8) / 0.2` above 0.8.
 *
 * Departures from the reference (docs/agora.md), so that honest trading is not penalised: the tight
 * cluster looks at what the subject earned, not at what it bought — routing sends an honest consumer to
 * the same best provider again and again, while wash trading inflates a provider's earnings and
 * reputation; constant volume counts only from a subject whose earnings are concentrated (its
 * `max_share` above 0.2) — any busy honest provider has steady hourly volume; and a component counts as a
 * ring only while it is less than half of the accounts active in the window — in a small mesh where
 * everyone trades with everyone, the whole market is one component and that is not a ring.
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { Trade } from "@tirami/proto";
import {
  COLLUSION_TRADES_MIN,
  RING_CLOSEDNESS_MIN,
  RING_SIZE_MIN,
  TIGHT_CLUSTER_SHARE_MIN,
  TRUST_PENALTY_SCALE,
  VOLUME_BUCKET_MS,
  VOLUME_CV_MAX,
} from "./constants.js";
import { coefficientOfVariation } from "./reputation-aggregate.js";
import { stronglyConnectedComponent } from "./scc.js";

/** A ring may be at most this share of the accounts active in the window. */
export const RING_ACCOUNTS_SHARE_MAX = 0.5;

/** The analysis of one account, as `GET /v1/tirami/collusion/:account` shows it. */
export interface CollusionReport {
  subject: AccountId;
  window_start_ms: number;
  window_end_ms: number;
  trades_in_window: number;
  unique_counterparties: number;
  tight_cluster_score: number;
  volume_spike_score: number;
  round_robin_score: number;
  /** The ring the subject is in (its strongly connected component) when it scored, else empty. */
  ring: AccountId[];
  trust_penalty: number;
  flags: string[];
}

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));

function tightCluster(subject: AccountId, own: readonly Trade[]): { score: number; maxShare: number } {
  const earned = own.filter((trade) => trade.provider === subject && trade.consumer !== subject);
  if (earned.length < COLLUSION_TRADES_MIN) return { score: 0, maxShare: 0 };
  const counts = new Map<AccountId, number>();
  for (const trade of earned) counts.set(trade.consumer, (counts.get(trade.consumer) ?? 0) + 1);
  const maxShare = Math.max(0, ...counts.values()) / earned.length;
  const score = maxShare > TIGHT_CLUSTER_SHARE_MIN ? clamp01((maxShare - TIGHT_CLUSTER_SHARE_MIN) / 0.8) : 0;
  return { score, maxShare };
}

function volumeRegularity(own: readonly Trade[], windowStartMs: number): number {
  const buckets = new Map<number, number>();
  for (const trade of own) {
    const bucket = Math.floor((trade.timestamp_ms - windowStartMs) / VOLUME_BUCKET_MS);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + trade.amount_trm);
  }
  if (buckets.size < 2) return 0;
  const cv = coefficientOfVariation([...buckets.values()]);
  if (cv === undefined) return 0;
  return cv < VOLUME_CV_MAX ? clamp01((VOLUME_CV_MAX - cv) / VOLUME_CV_MAX) : 0;
}

function roundRobin(subject: AccountId, window: readonly Trade[]): { score: number; ring: AccountId[] } {
  const edges = new Map<AccountId, AccountId[]>();
  const active = new Set<AccountId>();
  for (const trade of window) {
    active.add(trade.provider);
    active.add(trade.consumer);
    if (trade.provider === trade.consumer) continue;
    const out = edges.get(trade.provider);
    if (out === undefined) edges.set(trade.provider, [trade.consumer]);
    else out.push(trade.consumer);
  }
  const component = stronglyConnectedComponent(subject, edges);
  if (component.size < RING_SIZE_MIN || component.size >= active.size * RING_ACCOUNTS_SHARE_MAX)
    return { score: 0, ring: [] };
  let internal = 0;
  let external = 0;
  for (const member of component)
    for (const target of edges.get(member) ?? []) {
      if (component.has(target)) internal += 1;
      else external += 1;
    }
  const closedness = internal / Math.max(1, internal + external);
  if (closedness <= RING_CLOSEDNESS_MIN) return { score: 0, ring: [] };
  return {
    score: clamp01((closedness - RING_CLOSEDNESS_MIN) / (1 - RING_CLOSEDNESS_MIN)),
    ring: [...component].sort(),
  };
}

/**
 * Analyses `subject` over `window` (every trade of the window, all accounts: the round-robin score needs
 * the whole graph) at `nowMs`, for the window `[windowStartMs, nowMs]`.
 */
export function analyzeCollusion(
  subject: AccountId,
  window: readonly Trade[],
  range: { windowStartMs: number; nowMs: number },
): CollusionReport {
  const inRange = window.filter(
    (trade) => trade.timestamp_ms >= range.windowStartMs && trade.timestamp_ms <= range.nowMs,
  );
  const own = inRange.filter((trade) => trade.provider === subject || trade.consumer === subject);
  const counterparties = new Set(
    own.map((trade) => (trade.provider === subject ? trade.consumer : trade.provider)),
  );
  const base = {
    subject,
    window_start_ms: range.windowStartMs,
    window_end_ms: range.nowMs,
    trades_in_window: own.length,
    unique_counterparties: counterparties.size,
  };
  if (own.length < COLLUSION_TRADES_MIN)
    return {
      ...base,
      tight_cluster_score: 0,
      volume_spike_score: 0,
      round_robin_score: 0,
      ring: [],
      trust_penalty: 0,
      flags: [],
    };
  const cluster = tightCluster(subject, own);
  const regularity =
    cluster.maxShare > TIGHT_CLUSTER_SHARE_MIN ? volumeRegularity(own, range.windowStartMs) : 0;
  const ring = roundRobin(subject, inRange);
  const flags: string[] = [];
  if (cluster.score > 0)
    flags.push(`tight cluster: ${(cluster.maxShare * 100).toFixed(0)}% of its earnings from one consumer`);
  if (regularity > 0) flags.push("volume regularity: near-constant hourly volume from few consumers");
  if (ring.score > 0) flags.push(`round robin: a closed ring of ${ring.ring.length} accounts`);
  return {
    ...base,
    tight_cluster_score: cluster.score,
    volume_spike_score: regularity,
    round_robin_score: ring.score,
    ring: ring.ring,
    trust_penalty: TRUST_PENALTY_SCALE * Math.max(cluster.score, regularity, ring.score),
    flags,
  };
}
