/**
 * Reputation aggregation over an account's real trades (docs/upstream.md §10.3), either side counted:
 *
 * - `volume = min(1, Σ amount_trm / REPUTATION_VOLUME_FULL_TRM)`;
 * - `recency = 0.5^(age of the newest trade / REPUTATION_RECENCY_HALF_LIFE_MS)`;
 * - `diversity = min(1, distinct counterparties / REPUTATION_DIVERSITY_FULL)`;
 * - `consistency`: 0 under two trades, else `max(0, 1 − cv / 2)` of the intervals between consecutive
 *   trades (population coefficient of variation; 1 when every interval is 0);
 * - `overall = clamp(0.4 volume + 0.3 recency + 0.2 diversity + 0.1 consistency, 0, 1)`, and
 *   `REPUTATION_UNKNOWN` (0.3) for an account without trades.
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { Trade } from "@tirami/proto";
import {
  REPUTATION_DIVERSITY_FULL,
  REPUTATION_RECENCY_HALF_LIFE_MS,
  REPUTATION_UNKNOWN,
  REPUTATION_VOLUME_FULL_TRM,
  REPUTATION_WEIGHTS,
} from "./constants.js";

/** The aggregate and its parts, as `GET /v1/tirami/agora/reputation/:account` shows them. */
export interface AggregateReputation {
  overall: number;
  volume: number;
  recency: number;
  diversity: number;
  consistency: number;
  trade_count: number;
  volume_trm: number;
  counterparties: number;
  computed_at_ms: number;
}

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));

/** Population coefficient of variation; undefined for an empty list or a zero mean. */
export function coefficientOfVariation(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  if (mean === 0) return undefined;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

function consistencyOf(timestampsMs: number[]): number {
  if (timestampsMs.length < 2) return 0;
  const sorted = [...timestampsMs].sort((a, b) => a - b);
  const intervals = sorted.slice(1).map((time, index) => time - (sorted[index] as number));
  const cv = coefficientOfVariation(intervals);
  return cv === undefined ? 1 : Math.max(0, 1 - cv / 2);
}

/** Aggregates `account`'s reputation from `trades` (those it is not part of are skipped). */
export function aggregateReputation(
  account: AccountId,
  trades: readonly Trade[],
  nowMs: number,
): AggregateReputation {
  const own = trades.filter((trade) => trade.provider === account || trade.consumer === account);
  if (own.length === 0)
    return {
      overall: REPUTATION_UNKNOWN,
      volume: 0,
      recency: 0,
      diversity: 0,
      consistency: 0,
      trade_count: 0,
      volume_trm: 0,
      counterparties: 0,
      computed_at_ms: nowMs,
    };
  const volumeTrm = own.reduce((sum, trade) => sum + trade.amount_trm, 0);
  const newestMs = Math.max(...own.map((trade) => trade.timestamp_ms));
  const counterparties = new Set(
    own.map((trade) => (trade.provider === account ? trade.consumer : trade.provider)),
  );
  const volume = Math.min(1, volumeTrm / REPUTATION_VOLUME_FULL_TRM);
  const recency = 0.5 ** (Math.max(0, nowMs - newestMs) / REPUTATION_RECENCY_HALF_LIFE_MS);
  const diversity = Math.min(1, counterparties.size / REPUTATION_DIVERSITY_FULL);
  const consistency = consistencyOf(own.map((trade) => trade.timestamp_ms));
  const w = REPUTATION_WEIGHTS;
  return {
    overall: clamp01(
      w.volume * volume + w.recency * recency + w.diversity * diversity + w.consistency * consistency,
    ),
    volume,
    recency,
    diversity,
    consistency,
    trade_count: own.length,
    volume_trm: volumeTrm,
    counterparties: counterparties.size,
    computed_at_ms: nowMs,
  };
}
