/**
 * Futures as stored and as returned (JSON-shaped, units in names).
 * @module
 */
import { toHex } from "@tirami/core";
import type { Future, SignedFuture } from "@tirami/proto";

export type FutureStatus = "open" | "settled";

export interface FutureRow extends Future {
  future_id: string;
  canonical: Uint8Array;
  long_signature: Uint8Array;
  short_signature: Uint8Array;
  status: FutureStatus;
  long_hold_id: string | null;
  short_hold_id: string | null;
  settle_micro_trm_per_token: number | null;
  paid_trm: number | null;
  closed_ms: number | null;
  applied_ms: number;
}

export interface FutureEventRow {
  event_id: string;
  future_id: string;
  kind: "created" | "settled";
  timestamp_ms: number;
  canonical: Uint8Array;
  leaf_hash: Uint8Array;
  applied_ms: number;
}

/** A stored future: the signed contract and its settlement, once settled. */
export interface StoredFuture extends SignedFuture {
  status: FutureStatus;
  settle_micro_trm_per_token: number | null;
  /** TRM the loser paid the winner. */
  paid_trm: number | null;
  closed_ms: number | null;
  applied_ms: number;
}

export function futureFromRow(row: FutureRow): Future {
  return {
    long: row.long,
    short: row.short,
    notional_tokens: row.notional_tokens,
    strike_micro_trm_per_token: row.strike_micro_trm_per_token,
    margin_trm: row.margin_trm,
    created_ms: row.created_ms,
    expires_ms: row.expires_ms,
    nonce: row.nonce,
  };
}

export function storedFuture(row: FutureRow): StoredFuture {
  return {
    future_id: row.future_id,
    future: futureFromRow(row),
    long_signature: toHex(new Uint8Array(row.long_signature)),
    short_signature: toHex(new Uint8Array(row.short_signature)),
    status: row.status,
    settle_micro_trm_per_token: row.settle_micro_trm_per_token,
    paid_trm: row.paid_trm,
    closed_ms: row.closed_ms,
    applied_ms: row.applied_ms,
  };
}
