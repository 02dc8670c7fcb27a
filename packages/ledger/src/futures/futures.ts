/**
 * `ledger.futures` (docs/bank.md): the futures book behind one facade — each money-moving call is one
 * IMMEDIATE transaction whose leaves reach the Merkle cache after commit — plus queries.
 * @module
 */
import type Database from "better-sqlite3";
import type { AccountId } from "@tirami/core";
import { isTradeId } from "@tirami/proto";
import { checkAccountId } from "../accounts.js";
import type { MerkleLog } from "../merkle-log.js";
import type { ApplyFutureResult, FuturesBook } from "./book.js";
import { type FutureRow, type FutureStatus, type StoredFuture, storedFuture } from "./rows.js";

/** Most futures one list returns. */
export const FUTURE_PAGE_MAX = 1_000;

export interface Futures {
  /** Verifies (fields, rules, id, both signatures, freshness) and applies a future once: both margins held. */
  applySignedFuture(signed: unknown, options?: { nowMs?: number }): ApplyFutureResult;
  /** Settles every future due at `nowMs` (default: clock): `expires_ms + 1 h` passed. Returns them. */
  applyDueSettlements(nowMs?: number): StoredFuture[];
  get(futureId: string): StoredFuture | undefined;
  /** Newest first; `account` on either side. */
  list(request?: { account?: AccountId; status?: FutureStatus; limit?: number }): StoredFuture[];
  /** Margin `account` has held on open futures, and how many it is long and short. */
  exposure(account: AccountId): { margin_held_trm: number; long_count: number; short_count: number };
}

export function createFutures(deps: {
  db: Database.Database;
  book: FuturesBook;
  merkle: MerkleLog;
  tx: <T>(fn: () => T) => T;
  now: () => number;
  open: () => void;
}): Futures {
  const { db, book, merkle, tx, now, open } = deps;
  const get = db.prepare("SELECT * FROM futures WHERE future_id = ?");
  const exposure = db.prepare(`SELECT coalesce(sum(margin_trm), 0) AS margin_held_trm,
      coalesce(sum(long = ?), 0) AS long_count, coalesce(sum(short = ?), 0) AS short_count
    FROM futures WHERE status = 'open' AND (long = ? OR short = ?)`);
  const time = (nowMs: number | undefined) => {
    const t = nowMs ?? now();
    if (!Number.isSafeInteger(t) || t < 0) throw new RangeError(`"nowMs" expected a non-negative integer`);
    return t;
  };
  return {
    applySignedFuture(signed, options = {}) {
      open();
      const checked = book.check(signed, time(options.nowMs));
      if ("exists" in checked) return { status: "exists", future_id: checked.exists };
      const leaf = tx(() => book.write(checked, now()));
      merkle.added([leaf]);
      return { status: "applied", future_id: checked.future_id };
    },
    applyDueSettlements(nowMs) {
      open();
      const { futureIds, leaves } = tx(() => book.settleDue(time(nowMs)));
      merkle.added(leaves);
      return futureIds.map((id) => storedFuture(get.get(id) as FutureRow));
    },
    get(futureId) {
      open();
      if (!isTradeId(futureId)) throw new TypeError(`"futureId" expected 64 lowercase hex characters`);
      const row = get.get(futureId) as FutureRow | undefined;
      return row === undefined ? undefined : storedFuture(row);
    },
    list(request = {}) {
      open();
      const limit = request.limit ?? 100;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > FUTURE_PAGE_MAX)
        throw new RangeError(`"limit" expected 1..${FUTURE_PAGE_MAX}`);
      const where: string[] = [];
      const args: unknown[] = [];
      if (request.account !== undefined) {
        checkAccountId(request.account, "account");
        where.push("(long = ? OR short = ?)");
        args.push(request.account, request.account);
      }
      if (request.status !== undefined) {
        if (!["open", "settled"].includes(request.status))
          throw new RangeError(`"status" expected open or settled`);
        where.push("status = ?");
        args.push(request.status);
      }
      const sql = `SELECT * FROM futures ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY created_ms DESC, future_id DESC LIMIT ?`;
      return (db.prepare(sql).all(...args, limit) as FutureRow[]).map(storedFuture);
    },
    exposure(account) {
      open();
      checkAccountId(account, "account");
      return exposure.get(account, account, account, account) as {
        margin_held_trm: number;
        long_count: number;
        short_count: number;
      };
    },
  };
}
