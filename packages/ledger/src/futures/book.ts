/**
 * The futures book (docs/bank.md): applying a dual-signed future exactly once (both margins held), and
 * settling it at `expires_ms + FUTURE_SETTLE_DELAY_MS` against the settlement price of `price.ts` —
 * the loser pays the winner `min(|P&L|, margin)`, both margins are released, a `settled` leaf derived
 * from the future and the price. All writes run inside the caller's `BEGIN IMMEDIATE` transaction.
 * @module
 */
import type Database from "better-sqlite3";
import { fromHex, sha256, toHex } from "@tirami/core";
import {
  checkSignedFuture,
  futureCanonicalBytes,
  futurePnlTrm,
  type FutureSettlement,
  futureSettlementCanonicalBytes,
  isTradeId,
  parseFuture,
  type SignedFuture,
} from "@tirami/proto";
import type { Accounts } from "../accounts.js";
import { LedgerError, LedgerErrorCode } from "../errors.js";
import type { Holds } from "../holds.js";
import type { Journal } from "../journal.js";
import { leafHash } from "../merkle/hash.js";
import type { AddedLeaf } from "../merkle-log.js";
import { createSettlementPrice, FUTURE_SETTLE_DELAY_MS, type SettlementPrice } from "./price.js";
import type { FutureRow } from "./rows.js";

/** Futures settled per sweep transaction. */
export const SETTLE_SWEEP_BATCH_MAX = 256;

export type ApplyFutureResult = { status: "applied" | "exists"; future_id: string };

export interface FuturesBook {
  check(signed: unknown, nowMs: number): SignedFuture | { exists: string };
  write(signed: SignedFuture, nowMs: number): AddedLeaf;
  settleDue(nowMs: number): { futureIds: string[]; leaves: AddedLeaf[] };
  /** The settlement of a settled future, from the trades its settlement recorded (for verify()). */
  settlement(row: FutureRow): { settlement: FutureSettlement; inWindow: boolean };
}

function fail(code: LedgerErrorCode, message: string, details: Record<string, unknown> = {}): never {
  throw new LedgerError(code, message, { details });
}

export function createFuturesBook(deps: {
  db: Database.Database;
  accounts: Accounts;
  journal: Journal;
  holds: Holds;
  freshnessWindowMs: number;
}): FuturesBook {
  const { db, accounts, journal, holds } = deps;
  const price = createSettlementPrice(db);
  const select = db.prepare("SELECT * FROM futures WHERE future_id = ?");
  const insert = db.prepare(`INSERT INTO futures (future_id, long, short, notional_tokens,
    strike_micro_trm_per_token, margin_trm, created_ms, expires_ms, nonce, canonical, long_signature,
    short_signature, status, long_hold_id, short_hold_id, settle_micro_trm_per_token, paid_trm, closed_ms,
    applied_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, NULL, NULL, NULL, ?)`);
  const close =
    db.prepare(`UPDATE futures SET status = 'settled', settle_micro_trm_per_token = ?, paid_trm = ?,
    closed_ms = ? WHERE future_id = ? AND status = 'open'`);
  const insertEvent =
    db.prepare(`INSERT INTO future_events (event_id, future_id, kind, timestamp_ms, canonical,
    leaf_hash, applied_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const due = db.prepare(
    "SELECT * FROM futures WHERE status = 'open' AND expires_ms <= ? ORDER BY expires_ms, future_id LIMIT ?",
  );

  function settlementAt(row: FutureRow, p: SettlementPrice): FutureSettlement {
    const pnl = futurePnlTrm(row, p.settle_micro_trm_per_token);
    return {
      future_id: row.future_id,
      long: row.long,
      short: row.short,
      settle_micro_trm_per_token: p.settle_micro_trm_per_token,
      window_trades: p.window_trades,
      paid_trm: Math.min(Math.abs(pnl), row.margin_trm),
      long_won: pnl > 0,
      settled_ms: row.expires_ms + FUTURE_SETTLE_DELAY_MS,
    };
  }

  function lock(account: string, row: { margin_trm: number }, futureId: string, role: string, nowMs: number) {
    try {
      return holds.lockMargin(account, row.margin_trm, futureId, nowMs);
    } catch (error) {
      if (error instanceof LedgerError)
        throw new LedgerError(error.code, `${role} cannot hold its margin: ${error.message}`, {
          details: { ...error.details, role, future_id: futureId },
        });
      throw error;
    }
  }

  function release(holdId: string | null, nowMs: number) {
    const hold = holdId === null ? undefined : holds.get(holdId);
    if (hold !== undefined && hold.status === "active") holds.close(hold, "released", null, null, nowMs);
  }

  return {
    settlement(row) {
      const { price: p, inWindow } = price.recorded(row);
      return { settlement: settlementAt(row, p), inWindow };
    },
    check(signed, nowMs) {
      const id = (signed as { future_id?: unknown } | null)?.future_id;
      const failure = checkSignedFuture(signed);
      if (isTradeId(id) && failure === null) {
        const stored = select.get(id) as FutureRow | undefined;
        if (stored !== undefined) {
          const s = signed as SignedFuture;
          if (
            s.long_signature === toHex(new Uint8Array(stored.long_signature)) &&
            s.short_signature === toHex(new Uint8Array(stored.short_signature))
          )
            return { exists: id };
          fail(LedgerErrorCode.FUTURE_CONFLICT, `future ${id} exists with other signatures`, {
            future_id: id,
          });
        }
      }
      if (failure === "malformed") fail(LedgerErrorCode.FUTURE_INVALID, "malformed signed future");
      if (failure !== null)
        fail(
          LedgerErrorCode.FUTURE_SIGNATURE_INVALID,
          `future ${String(id)}: ${failure.replace(/_/g, " ")} does not verify`,
          {
            future_id: id,
            failure,
          },
        );
      const clean = signed as SignedFuture;
      const future = parseFuture(clean.future);
      if (Math.abs(nowMs - future.created_ms) > deps.freshnessWindowMs)
        fail(
          LedgerErrorCode.FUTURE_STALE,
          `future ${clean.future_id} was made outside the freshness window`,
          {
            future_id: clean.future_id,
          },
        );
      return { ...clean, future };
    },
    write(signed, nowMs) {
      const { future, future_id: id } = signed;
      if (select.get(id) !== undefined)
        fail(LedgerErrorCode.FUTURE_CONFLICT, `future ${id} exists`, { future_id: id });
      accounts.ensure(future.long, nowMs);
      accounts.ensure(future.short, nowMs);
      const longHold = lock(future.long, future, id, "long", nowMs);
      const shortHold = lock(future.short, future, id, "short", nowMs);
      const canonical = futureCanonicalBytes(future);
      insert.run(
        id,
        future.long,
        future.short,
        future.notional_tokens,
        future.strike_micro_trm_per_token,
        future.margin_trm,
        future.created_ms,
        future.expires_ms,
        future.nonce,
        canonical,
        fromHex(signed.long_signature),
        fromHex(signed.short_signature),
        longHold,
        shortHold,
        nowMs,
      );
      const leaf = leafHash(canonical);
      insertEvent.run(id, id, "created", future.created_ms, canonical, leaf, nowMs);
      return { tradeId: id, timestampMs: future.created_ms, leafHash: leaf };
    },
    settleDue(nowMs) {
      const rows = due.all(nowMs - FUTURE_SETTLE_DELAY_MS, SETTLE_SWEEP_BATCH_MAX) as FutureRow[];
      const leaves = rows.map((row) => {
        const s = settlementAt(row, price.settle(row));
        release(row.long_hold_id, nowMs);
        release(row.short_hold_id, nowMs);
        if (s.paid_trm > 0) {
          const [loser, winner] = s.long_won ? [row.short, row.long] : [row.long, row.short];
          const reason = "future settlement";
          journal.append({
            accountId: loser,
            kind: "futures_debit",
            amountTrm: s.paid_trm,
            futureId: row.future_id,
            reason,
            nowMs,
          });
          journal.append({
            accountId: winner,
            kind: "futures_credit",
            amountTrm: s.paid_trm,
            futureId: row.future_id,
            reason,
            nowMs,
          });
        }
        close.run(s.settle_micro_trm_per_token, s.paid_trm, s.settled_ms, row.future_id);
        const bytes = futureSettlementCanonicalBytes(s);
        const leaf = leafHash(bytes);
        const eventId = toHex(sha256(bytes));
        insertEvent.run(eventId, row.future_id, "settled", s.settled_ms, bytes, leaf, nowMs);
        return { tradeId: eventId, timestampMs: s.settled_ms, leafHash: leaf };
      });
      return { futureIds: rows.map((r) => r.future_id), leaves };
    },
  };
}
