/**
 * Catch-up for late joiners and restarted nodes (docs/upstream.md §13.3: upstream had no anti-entropy, so they
 * never caught up). The asker pages through a peer's signed trades in Merkle-leaf order
 * `(timestamp_ms, trade_id)` (docs/architecture.md §5), strictly after a cursor; the answer says whether more follow.
 * Every trade received must still pass `checkSignedTrade` before it is applied.
 * @module
 */
import { SYNC_TRADES_MAX } from "./constants.js";
import { TRADE_ID_BYTES } from "./ids.js";
import type { Field } from "./schema.js";
import { type SignedTrade, SIGNED_TRADE_RECORD } from "./trade.js";

/** Trades strictly after `(after_timestamp_ms, after_trade_id)`; start with `(0, "00…00")`. */
export interface SyncRequest {
  kind: "sync_request";
  after_timestamp_ms: number;
  after_trade_id: string;
  /** 1 to `SYNC_TRADES_MAX`. */
  limit: number;
}

/** Up to `limit` trades in `(timestamp_ms, trade_id)` order; `more` when the responder holds further ones. */
export interface SyncResponse {
  kind: "sync_response";
  trades: SignedTrade[];
  more: boolean;
}

/** The cursor that starts a sync from the beginning. */
export const SYNC_START_TRADE_ID = "0".repeat(64);

export const SYNC_REQUEST_FIELDS: readonly Field[] = [
  { name: "after_timestamp_ms", type: { t: "uint", max: Number.MAX_SAFE_INTEGER } },
  { name: "after_trade_id", type: { t: "hex", bytes: TRADE_ID_BYTES } },
  { name: "limit", type: { t: "uint", min: 1, max: SYNC_TRADES_MAX } },
];

export const SYNC_RESPONSE_FIELDS: readonly Field[] = [
  { name: "trades", type: { t: "list", max: SYNC_TRADES_MAX, of: SIGNED_TRADE_RECORD } },
  { name: "more", type: { t: "bool" } },
];
