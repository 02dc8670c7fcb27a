/**
 * The settlement price of a compute future (docs/bank.md), the rule every node applies to its own trade
 * log: the volume-weighted price, in micro-TRM per completion token, of the trades stamped in the hour
 * before expiry, `[expires_ms − 1 h, expires_ms)`, with at least one completion token —
 * `floor(Σ amount_trm × 10⁶ / Σ completion_tokens)`, exact (BigInt); with none, the strike (nothing
 * moves). The settlement waits `FUTURE_SETTLE_DELAY_MS` after expiry (the freshness window gossip has to
 * deliver a trade) and records which trades it counted (`future_window_trades`): a window trade that
 * arrives later changes nothing, and verify() re-derives the price from exactly the recorded trades.
 * @module
 */
import type Database from "better-sqlite3";
import { MICRO_PER_TRM } from "@tirami/proto";

/** Length of the price window before expiry. */
export const FUTURE_PRICE_WINDOW_MS = 3_600_000;
/** How long after expiry a future settles: the gossip freshness window (docs/lending.md). */
export const FUTURE_SETTLE_DELAY_MS = 3_600_000;

export interface SettlementPrice {
  settle_micro_trm_per_token: number;
  window_trades: number;
}

type Sums = { n: number; amount: number; tokens: number };

function priceOf(sums: Sums, strike: number): SettlementPrice {
  if (sums.n === 0 || sums.tokens === 0) return { settle_micro_trm_per_token: strike, window_trades: 0 };
  const price = (BigInt(sums.amount) * BigInt(MICRO_PER_TRM)) / BigInt(sums.tokens);
  return { settle_micro_trm_per_token: Number(price), window_trades: sums.n };
}

export function createSettlementPrice(db: Database.Database) {
  const inWindow = "timestamp_ms >= ? AND timestamp_ms < ? AND completion_tokens > 0";
  const record = db.prepare(
    `INSERT INTO future_window_trades (future_id, trade_id) SELECT ?, trade_id FROM trades WHERE ${inWindow}`,
  );
  const recorded = db.prepare(`SELECT count(*) AS n, coalesce(sum(t.amount_trm), 0) AS amount,
      coalesce(sum(t.completion_tokens), 0) AS tokens, coalesce(sum(${inWindow.replace(/timestamp_ms|completion_tokens/g, "t.$&")}), 0) AS valid
    FROM future_window_trades w JOIN trades t ON t.trade_id = w.trade_id WHERE w.future_id = ?`);
  const window = (f: { expires_ms: number }) => [f.expires_ms - FUTURE_PRICE_WINDOW_MS, f.expires_ms];
  return {
    /** Inside the settlement's transaction: records the window's trades and prices them. */
    settle(future: {
      future_id: string;
      expires_ms: number;
      strike_micro_trm_per_token: number;
    }): SettlementPrice {
      record.run(future.future_id, ...window(future));
      return this.recorded(future).price;
    },
    /** The price of the recorded trades, and whether every one of them is in the window. */
    recorded(future: { future_id: string; expires_ms: number; strike_micro_trm_per_token: number }): {
      price: SettlementPrice;
      inWindow: boolean;
    } {
      const row = recorded.get(...window(future), future.future_id) as Sums & { valid: number };
      return { price: priceOf(row, future.strike_micro_trm_per_token), inWindow: row.valid === row.n };
    },
  };
}
