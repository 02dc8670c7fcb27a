/**
 * Reading the ledger's applied trades for the agora: newest first, page by page through
 * `ledger.listTrades` (its own bound is `LIST_TRADES_LIMIT_MAX` a page), stopping at `max` trades or at
 * the first trade older than `sinceMs`. Only dual-signed trades the ledger verified are ever read, so
 * every score here is computed from trades that really happened (upstream fed its agora made-up trade
 * ids, docs/upstream.md §10.3).
 * @module
 */
import type { AccountId } from "@tirami/core";
import { LIST_TRADES_LIMIT_MAX, type Ledger } from "@tirami/ledger";
import type { Trade } from "@tirami/proto";

/** The ledger call the agora reads trades with. */
export type TradeLedger = Pick<Ledger, "listTrades">;

export interface ReadTradesRequest {
  /** Only trades where this account is provider or consumer. */
  account?: AccountId | undefined;
  /** Stop at the first trade older than this (ms). */
  sinceMs?: number | undefined;
  /** The most trades read. */
  max: number;
}

/** Trades newest first, at most `request.max`. */
export function readTrades(ledger: TradeLedger, request: ReadTradesRequest): Trade[] {
  if (!Number.isSafeInteger(request.max) || request.max < 1)
    throw new RangeError(`"max" expected a positive integer, got ${request.max}`);
  const out: Trade[] = [];
  let before: string | undefined;
  while (out.length < request.max) {
    const page = ledger.listTrades({
      limit: Math.min(LIST_TRADES_LIMIT_MAX, request.max - out.length),
      ...(request.account === undefined ? {} : { account: request.account }),
      ...(before === undefined ? {} : { before }),
    });
    for (const stored of page) {
      if (request.sinceMs !== undefined && stored.trade.timestamp_ms < request.sinceMs) return out;
      out.push(stored.trade);
    }
    if (page.length === 0 || page.length < LIST_TRADES_LIMIT_MAX) return out;
    before = page[page.length - 1]?.trade_id;
  }
  return out;
}
