/**
 * Reading applied trades: one by id, or pages newest-first in Merkle leaf order reversed
 * (timestamp_ms, trade_id descending), optionally for one account. Queries are built with kysely and run
 * synchronously through better-sqlite3.
 * @module
 */
import type Database from "better-sqlite3";
import { isTradeId } from "@tirami/proto";
import { checkAccountId } from "./accounts.js";
import { LIST_TRADES_LIMIT_DEFAULT, LIST_TRADES_LIMIT_MAX } from "./constants.js";
import { LedgerError, LedgerErrorCode } from "./errors.js";
import { createQueryBuilder } from "./db/kysely.js";
import { type StoredTrade, storedTradeFromRow, type TradeRow } from "./trade-rows.js";

export interface ListTradesRequest {
  /** Page size, 1..LIST_TRADES_LIMIT_MAX; default LIST_TRADES_LIMIT_DEFAULT. */
  limit?: number;
  /** Cursor: a trade id; the page starts just after (older than) that trade. */
  before?: string;
  /** Only trades where this account is provider or consumer. */
  account?: string;
}

/** A sync cursor: trades strictly after `(afterTimestampMs, afterTradeId)` in leaf order. */
export interface TradesAfterRequest {
  afterTimestampMs: number;
  /** 64 hex; `"0".repeat(64)` starts before every trade at `afterTimestampMs`. */
  afterTradeId: string;
  /** 1 to LIST_TRADES_LIMIT_MAX. */
  limit: number;
}

export function checkTradeId(value: unknown): asserts value is string {
  if (!isTradeId(value)) throw new TypeError(`"tradeId" expected 64 lowercase hex characters`);
}

export function createTradeQueries(db: Database.Database) {
  const builder = createQueryBuilder();
  const byId = db.prepare("SELECT * FROM trades WHERE trade_id = ?");
  const count = db.prepare("SELECT count(*) FROM trades").pluck(true);
  function get(tradeId: string): StoredTrade | undefined {
    checkTradeId(tradeId);
    const row = byId.get(tradeId) as TradeRow | undefined;
    return row === undefined ? undefined : storedTradeFromRow(row);
  }
  function list(request: ListTradesRequest = {}): StoredTrade[] {
    const limit = request.limit ?? LIST_TRADES_LIMIT_DEFAULT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_TRADES_LIMIT_MAX) {
      throw new RangeError(`"limit" expected an integer from 1 to ${LIST_TRADES_LIMIT_MAX}`);
    }
    let query = builder.selectFrom("trades").selectAll();
    if (request.account !== undefined) {
      checkAccountId(request.account, "account");
      const account = request.account;
      query = query.where((eb) => eb.or([eb("provider", "=", account), eb("consumer", "=", account)]));
    }
    if (request.before !== undefined) {
      checkTradeId(request.before);
      const cursor = byId.get(request.before) as TradeRow | undefined;
      if (cursor === undefined) {
        throw new LedgerError(LedgerErrorCode.TRADE_NOT_FOUND, `cursor trade ${request.before} not found`, {
          details: { trade_id: request.before },
        });
      }
      query = query.where((eb) =>
        eb(eb.refTuple("timestamp_ms", "trade_id"), "<", eb.tuple(cursor.timestamp_ms, cursor.trade_id)),
      );
    }
    const compiled = query.orderBy("timestamp_ms", "desc").orderBy("trade_id", "desc").limit(limit).compile();
    const rows = db.prepare(compiled.sql).all(...(compiled.parameters as unknown[])) as TradeRow[];
    return rows.map(storedTradeFromRow);
  }
  const afterCursor = db.prepare(
    `SELECT * FROM trades WHERE timestamp_ms > ? OR (timestamp_ms = ? AND trade_id > ?)
      ORDER BY timestamp_ms, trade_id LIMIT ?`,
  );
  /**
   * Up to `limit` trades strictly after the cursor in Merkle-leaf order `(timestamp_ms, trade_id)`, and
   * whether more follow: the pages a peer catching up by sync reads (docs/architecture.md §5, §7).
   */
  function after(request: TradesAfterRequest): { trades: StoredTrade[]; more: boolean } {
    const { afterTimestampMs, afterTradeId, limit } = request;
    if (!Number.isSafeInteger(afterTimestampMs) || afterTimestampMs < 0) {
      throw new RangeError(
        `"afterTimestampMs" expected a non-negative safe integer, got ${afterTimestampMs}`,
      );
    }
    checkTradeId(afterTradeId);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_TRADES_LIMIT_MAX) {
      throw new RangeError(`"limit" expected an integer from 1 to ${LIST_TRADES_LIMIT_MAX}`);
    }
    const rows = afterCursor.all(afterTimestampMs, afterTimestampMs, afterTradeId, limit + 1) as TradeRow[];
    return { trades: rows.slice(0, limit).map(storedTradeFromRow), more: rows.length > limit };
  }
  return { get, list, after, count: () => count.get() as number };
}
