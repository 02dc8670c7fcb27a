/**
 * Settlement statements: the trades of a window `[fromMs, toMs)`, the Merkle root of exactly those
 * trades (upstream attached the root of the whole log), and per-account gross earned / spent / net.
 * Plain JSON, so it can be signed, sent and archived as is.
 * @module
 */
import type {
  SettlementAccount as WireSettlementAccount,
  SettlementStatement as WireSettlementStatement,
} from "@tirami/client";
import type Database from "better-sqlite3";
import { toHex } from "@tirami/core";
import { SETTLEMENT_TRADES_MAX } from "./constants.js";
import { LedgerError, LedgerErrorCode } from "./errors.js";
import { merkleRoot } from "./merkle/tree.js";
import { type StoredTrade, storedTradeFromRow, type TradeRow } from "./trade-rows.js";

export interface SettlementRequest {
  fromMs: number;
  toMs: number;
  /** Optional reference price in satoshis per TRM: each account then gets `estimated_value_sats`. */
  referencePriceSatsPerTrm?: number;
}

export type SettlementAccount = WireSettlementAccount;

/** A statement as served (@tirami/client's wire type), with the ledger's own stored trades. */
export type SettlementStatement = Omit<WireSettlementStatement, "trades"> & {
  /** In leaf order: index i here is leaf i of `merkle_root`. */
  trades: StoredTrade[];
};

function checkWindow(request: SettlementRequest): void {
  const { fromMs, toMs, referencePriceSatsPerTrm: price } = request;
  if (!Number.isSafeInteger(fromMs) || fromMs < 0)
    throw new RangeError(`"fromMs" expected a non-negative integer`);
  if (!Number.isSafeInteger(toMs) || toMs < fromMs)
    throw new RangeError(`"toMs" expected an integer ≥ fromMs`);
  if (price !== undefined && (typeof price !== "number" || !Number.isFinite(price) || price < 0)) {
    throw new RangeError(`"referencePriceSatsPerTrm" expected a finite non-negative number`);
  }
}

export function createSettlement(db: Database.Database) {
  const count = db
    .prepare("SELECT count(*) FROM trades WHERE timestamp_ms >= ? AND timestamp_ms < ?")
    .pluck(true);
  const select = db.prepare(
    "SELECT * FROM trades WHERE timestamp_ms >= ? AND timestamp_ms < ? ORDER BY timestamp_ms, trade_id",
  );
  return function settlement(request: SettlementRequest, nowMs: number): SettlementStatement {
    checkWindow(request);
    const n = count.get(request.fromMs, request.toMs) as number;
    if (n > SETTLEMENT_TRADES_MAX) {
      throw new LedgerError(
        LedgerErrorCode.WINDOW_TOO_LARGE,
        `window holds ${n} trades (max ${SETTLEMENT_TRADES_MAX})`,
        {
          details: { trade_count: n, trades_max: SETTLEMENT_TRADES_MAX },
        },
      );
    }
    const rows = select.all(request.fromMs, request.toMs) as TradeRow[];
    const byAccount = new Map<string, SettlementAccount>();
    const entry = (id: string) => {
      let a = byAccount.get(id);
      if (a === undefined) {
        a = { account_id: id, gross_earned_trm: 0, gross_spent_trm: 0, net_trm: 0, trade_count: 0 };
        byAccount.set(id, a);
      }
      return a;
    };
    let total = 0;
    for (const row of rows) {
      total += row.amount_trm;
      const provider = entry(row.provider);
      provider.gross_earned_trm += row.amount_trm;
      provider.trade_count += 1;
      const consumer = entry(row.consumer);
      consumer.gross_spent_trm += row.amount_trm;
      consumer.trade_count += 1;
    }
    const price = request.referencePriceSatsPerTrm;
    const accounts = [...byAccount.values()].map((a) => {
      a.net_trm = a.gross_earned_trm - a.gross_spent_trm;
      if (price !== undefined) a.estimated_value_sats = a.net_trm * price;
      return a;
    });
    accounts.sort((x, y) => y.net_trm - x.net_trm || (x.account_id < y.account_id ? -1 : 1));
    return {
      generated_at_ms: nowMs,
      window_start_ms: request.fromMs,
      window_end_ms: request.toMs,
      trade_count: rows.length,
      total_trm_transferred: total,
      merkle_root: toHex(merkleRoot(rows.map((r) => new Uint8Array(r.leaf_hash)))),
      reference_price_sats_per_trm: price ?? null,
      accounts,
      trades: rows.map(storedTradeFromRow),
    };
  };
}
