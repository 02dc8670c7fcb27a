/**
 * Applying dual-signed trades, exactly once. The expensive checks (fields, trade_id, both Ed25519
 * signatures: `trade-verify.ts`) run before the write transaction; the money checks and all writes run
 * inside one `BEGIN IMMEDIATE` transaction, so a trade is either fully applied (journal, balances, hold,
 * trade row) or not at all.
 * @module
 */
import type Database from "better-sqlite3";
import { equalBytes, fromHex } from "@tirami/core";
import { isTradeId, parseTrade, type SignedTrade, type Trade, tradeCanonicalBytes } from "@tirami/proto";
import type { Accounts } from "./accounts.js";
import { LedgerError, LedgerErrorCode } from "./errors.js";
import type { Hold, Holds } from "./holds.js";
import type { Journal } from "./journal.js";
import type { TradeRow } from "./trade-rows.js";
import { type VerifiedTrade, verifySignedTrade } from "./trade-verify.js";

export interface ApplyTradeOptions {
  /** The time the freshness window is measured from; defaults to the ledger's clock. */
  nowMs?: number;
  /**
   * An active hold on the consumer's account to settle with this trade, in the same transaction: the
   * trade may spend the held TRM, must not exceed the hold (HOLD_EXCEEDED), and the hold is closed as
   * settled with `settled_trm = amount_trm`; any remainder is released.
   */
  holdId?: string;
}

/** `applied`: this call moved the money. `exists`: the identical trade was already applied (a replay). */
export type ApplyTradeResult =
  { status: "applied"; trade_id: string } | { status: "exists"; trade_id: string };

export { type VerifiedTrade, verifySignedTrade } from "./trade-verify.js";

export interface TradeApplierDeps {
  db: Database.Database;
  accounts: Accounts;
  journal: Journal;
  holds: Holds;
  freshnessWindowMs: number;
  /** The implicit balance of an account never seen. */
  freeTierTrm: number;
}

export interface TradeApplier {
  /** The database checks only: `exists` for an identical replay, TRADE_CONFLICT, or null (unknown id). */
  lookup(signed: unknown): { exists: string } | null;
  /** Checks without writing; returns the verified trade, or `exists` for an identical replay. */
  check(signed: unknown, nowMs: number): VerifiedTrade | { exists: string };
  /**
   * Inside a write transaction: the money checks, then the writes. Returns true when applied, false when
   * the identical trade already existed (TRADE_CONFLICT when a different one did).
   * Throws a LedgerError only before its first write.
   */
  write(verified: VerifiedTrade, nowMs: number, holdId: string | undefined): boolean;
}

type StoredParts = Pick<TradeRow, "canonical" | "provider_signature" | "consumer_signature">;

function invalid(code: LedgerErrorCode, message: string, details: Record<string, unknown>): never {
  throw new LedgerError(code, message, { details });
}

export function createTradeApplier(deps: TradeApplierDeps): TradeApplier {
  const { db, accounts, journal, holds, freeTierTrm } = deps;
  const selectStored = db.prepare(
    "SELECT canonical, provider_signature, consumer_signature FROM trades WHERE trade_id = ?",
  );
  // Positional parameters: binding 16 named ones from a fresh object costs more than the insert.
  const insert = db.prepare(
    `INSERT INTO trades (trade_id, provider, consumer, amount_trm, prompt_tokens, completion_tokens, model_id,
       price_trm_per_token, timestamp_ms, nonce, request_id, canonical, provider_signature, consumer_signature,
       leaf_hash, applied_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (trade_id) DO NOTHING`,
  );

  /** Same id already stored: identical bytes and signatures → a replay; anything else → a conflict. */
  function compareStored(tradeId: string, signed: SignedTrade): "exists" | "absent" {
    const stored = selectStored.get(tradeId) as
      Pick<TradeRow, "canonical" | "provider_signature" | "consumer_signature"> | undefined;
    if (stored === undefined) return "absent";
    let same = false;
    try {
      same =
        equalBytes(stored.canonical, tradeCanonicalBytes(parseTrade(signed.trade))) &&
        equalBytes(stored.provider_signature, fromHex(signed.provider_signature)) &&
        equalBytes(stored.consumer_signature, fromHex(signed.consumer_signature));
    } catch {
      same = false;
    }
    if (!same)
      invalid(LedgerErrorCode.TRADE_CONFLICT, `trade ${tradeId} exists with different content`, {
        trade_id: tradeId,
      });
    return "exists";
  }

  /** The database part of the checks: an identical replay is `exists`, a different one a conflict. */
  function lookup(signed: unknown): { exists: string } | null {
    if (signed === null || typeof signed !== "object") return null;
    const candidate = signed as SignedTrade;
    if (!isTradeId(candidate.trade_id)) return null;
    return compareStored(candidate.trade_id, candidate) === "exists" ? { exists: candidate.trade_id } : null;
  }

  function check(signed: unknown, nowMs: number): VerifiedTrade | { exists: string } {
    return lookup(signed) ?? verifySignedTrade(signed, nowMs, deps.freshnessWindowMs);
  }

  /** Inside the transaction: false when `verified` is not stored, true for an identical replay. */
  function stored(verified: VerifiedTrade): boolean {
    const row = selectStored.get(verified.tradeId) as StoredParts | undefined;
    if (row === undefined) return false;
    const same =
      equalBytes(row.canonical, verified.canonical) &&
      equalBytes(row.provider_signature, verified.providerSignature) &&
      equalBytes(row.consumer_signature, verified.consumerSignature);
    if (!same)
      invalid(LedgerErrorCode.TRADE_CONFLICT, `trade ${verified.tradeId} exists with different content`, {
        trade_id: verified.tradeId,
      });
    return true;
  }

  /**
   * The money checks (reads only). Throws HOLD_NOT_FOUND, HOLD_EXCEEDED or INSUFFICIENT_BALANCE. Returns
   * the hold and whether the consumer's account row exists.
   */
  function checkFunds(
    trade: Trade,
    nowMs: number,
    holdId: string | undefined,
  ): { hold: Hold | undefined; consumerStored: boolean } {
    const hold = holdId === undefined ? undefined : holds.active(holdId, nowMs);
    const storedTrm = accounts.storedEffectiveTrm(trade.consumer);
    let availableTrm = storedTrm ?? freeTierTrm; // unseen: its implicit free tier
    if (hold !== undefined) {
      if (hold.account_id !== trade.consumer || trade.amount_trm > hold.amount_trm) {
        invalid(LedgerErrorCode.HOLD_EXCEEDED, `hold ${hold.hold_id} does not cover this trade`, {
          hold_id: hold.hold_id,
          hold_account: hold.account_id,
          hold_trm: hold.amount_trm,
          amount_trm: trade.amount_trm,
        });
      }
      availableTrm += hold.amount_trm;
    }
    if (trade.amount_trm > availableTrm) {
      invalid(
        LedgerErrorCode.INSUFFICIENT_BALANCE,
        `consumer can pay ${availableTrm} TRM, trade costs ${trade.amount_trm}`,
        {
          account: trade.consumer,
          amount_trm: trade.amount_trm,
          effective_balance_trm: availableTrm,
        },
      );
    }
    return { hold, consumerStored: storedTrm !== undefined };
  }

  function write(verified: VerifiedTrade, nowMs: number, holdId: string | undefined): boolean {
    const { trade, tradeId } = verified;
    // Every check runs before the first write, so a rejected trade leaves no trace even without a
    // savepoint (applySignedTrades relies on this and asserts it). A trade stored since `check` (earlier
    // in the same batch, or another submit) is found by the trade row's INSERT, which probes the primary
    // key anyway: no separate lookup on the hot path.
    let funds: ReturnType<typeof checkFunds>;
    try {
      funds = checkFunds(trade, nowMs, holdId);
    } catch (error) {
      if (error instanceof LedgerError && stored(verified)) return false; // a replay: not a money error
      throw error;
    }
    const inserted = insert.run(
      tradeId,
      trade.provider,
      trade.consumer,
      trade.amount_trm,
      trade.prompt_tokens,
      trade.completion_tokens,
      trade.model_id,
      trade.price_trm_per_token,
      trade.timestamp_ms,
      trade.nonce,
      trade.request_id,
      verified.canonical,
      verified.providerSignature,
      verified.consumerSignature,
      verified.leafHash,
      nowMs,
    );
    if (inserted.changes === 0) {
      stored(verified); // present: an identical replay (false below) or TRADE_CONFLICT, nothing written
      return false;
    }
    const { hold } = funds;
    accounts.touch(trade.provider, nowMs);
    if (!funds.consumerStored) accounts.touch(trade.consumer, nowMs);
    if (hold !== undefined) holds.close(hold, "settled", trade.amount_trm, tradeId, nowMs);
    journal.append({
      accountId: trade.consumer,
      kind: "trade_debit",
      amountTrm: trade.amount_trm,
      tradeId,
      nowMs,
    });
    journal.append({
      accountId: trade.provider,
      kind: "trade_credit",
      amountTrm: trade.amount_trm,
      tradeId,
      nowMs,
    });
    return true;
  }

  return { lookup, check, write };
}
