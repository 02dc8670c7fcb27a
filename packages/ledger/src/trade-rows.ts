/**
 * How a trade is stored: its fields as columns (for queries), its canonical bytes, both signatures and
 * its Merkle leaf hash. Conversion between the row and the `SignedTrade` the wire carries.
 * @module
 */
import { type AccountId, toHex } from "@tirami/core";
import type { SignedTrade, Trade } from "@tirami/proto";
import type { TradesTable } from "./db/kysely.js";

/** A trade row as stored: the `trades` table's shape (db/kysely.ts) with the parties as account ids. */
export type TradeRow = Omit<TradesTable, "provider" | "consumer"> & {
  provider: AccountId;
  consumer: AccountId;
};

/** An applied trade as the ledger returns it: the signed trade plus when this node applied it. */
export interface StoredTrade extends SignedTrade {
  applied_ms: number;
}

export function tradeFromRow(row: TradeRow): Trade {
  return {
    provider: row.provider,
    consumer: row.consumer,
    amount_trm: row.amount_trm,
    prompt_tokens: row.prompt_tokens,
    completion_tokens: row.completion_tokens,
    model_id: row.model_id,
    price_trm_per_token: row.price_trm_per_token,
    timestamp_ms: row.timestamp_ms,
    nonce: row.nonce,
    request_id: row.request_id,
  };
}

export function storedTradeFromRow(row: TradeRow): StoredTrade {
  return {
    trade_id: row.trade_id,
    trade: tradeFromRow(row),
    provider_signature: toHex(row.provider_signature),
    consumer_signature: toHex(row.consumer_signature),
    applied_ms: row.applied_ms,
  };
}
