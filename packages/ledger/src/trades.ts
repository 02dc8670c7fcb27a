/**
 * Applying dual-signed trades, exactly once. The expensive checks (fields, trade_id, both Ed25519
 * signatures) run before the write transaction; the money checks and all writes run inside one
 * `BEGIN IMMEDIATE` transaction, so a trade is either fully applied (journal, balances, hold, trade row)
 * or not at all.
 * @module
 */
import type Database from "better-sqlite3";
import { costTrm, equalBytes, fromHex } from "@tirami/core";
import {
  checkSignedTrade,
  parseTrade,
  type SignedTrade,
  type Trade,
  tradeCanonicalBytes,
} from "@tirami/proto";
import type { Accounts } from "./accounts.js";
import { LedgerError, LedgerErrorCode } from "./errors.js";
import type { Holds } from "./holds.js";
import type { Journal } from "./journal.js";
import { leafHash } from "./merkle/hash.js";
import type { TradeRow } from "./trade-rows.js";

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

/** A trade that verified and is about to be written (internal to the ledger). */
export interface VerifiedTrade {
  tradeId: string;
  trade: Trade;
  canonical: Uint8Array;
  providerSignature: Uint8Array;
  consumerSignature: Uint8Array;
}

export interface TradeApplierDeps {
  db: Database.Database;
  accounts: Accounts;
  journal: Journal;
  holds: Holds;
  freshnessWindowMs: number;
  /** Called inside the transaction after the trade is written (e.g. reputation); a throw rolls it back. */
  onApplied?: (trade: Trade, tradeId: string, nowMs: number) => void;
}

export interface TradeApplier {
  /** The database checks only: `exists` for an identical replay, TRADE_CONFLICT, or null (unknown id). */
  lookup(signed: unknown): { exists: string } | null;
  /** Checks without writing; returns the verified trade, or `exists` for an identical replay. */
  check(signed: unknown, nowMs: number): VerifiedTrade | { exists: string };
  /**
   * Inside a write transaction: the money checks, then the writes. Returns the new leaf hash, or null if
   * the trade already existed.
   * Throws a LedgerError only before its first write.
   */
  write(verified: VerifiedTrade, nowMs: number, holdId: string | undefined): Uint8Array | null;
}

const TRADE_ID_RE = /^[0-9a-f]{64}$/;

/**
 * The pure checks of a signed trade, no database: fields, trade_id and both signatures
 * (`checkSignedTrade`), freshness against `nowMs`, and `amount_trm = costTrm(completion_tokens, price)`.
 * Returns what the ledger stores; throws LedgerError (TRADE_INVALID, TRADE_SIGNATURE_INVALID,
 * TRADE_STALE). Safe to run on a worker thread.
 */
export function verifySignedTrade(signed: unknown, nowMs: number, freshnessWindowMs: number): VerifiedTrade {
  if (signed === null || typeof signed !== "object")
    invalid(LedgerErrorCode.TRADE_INVALID, "signed trade expected an object", {});
  const candidate = signed as SignedTrade;
  const failure = checkSignedTrade(signed);
  if (failure === "malformed")
    invalid(LedgerErrorCode.TRADE_INVALID, "signed trade is malformed", { failure });
  if (failure !== null)
    invalid(LedgerErrorCode.TRADE_SIGNATURE_INVALID, `signed trade failed: ${failure}`, { failure });
  const trade = parseTrade(candidate.trade);
  const skewMs = Math.abs(nowMs - trade.timestamp_ms);
  if (skewMs > freshnessWindowMs) {
    invalid(
      LedgerErrorCode.TRADE_STALE,
      `trade timestamp is ${skewMs} ms from now (window ${freshnessWindowMs} ms)`,
      {
        trade_id: candidate.trade_id,
        skew_ms: skewMs,
      },
    );
  }
  let expectedTrm: number;
  try {
    expectedTrm = costTrm(trade.completion_tokens, trade.price_trm_per_token);
  } catch {
    invalid(LedgerErrorCode.TRADE_INVALID, "trade cost is out of range", { trade_id: candidate.trade_id });
  }
  if (trade.amount_trm !== expectedTrm) {
    invalid(LedgerErrorCode.TRADE_INVALID, `amount_trm ${trade.amount_trm} ≠ cost ${expectedTrm}`, {
      trade_id: candidate.trade_id,
      amount_trm: trade.amount_trm,
      expected_trm: expectedTrm,
    });
  }
  return {
    tradeId: candidate.trade_id,
    trade,
    canonical: tradeCanonicalBytes(trade),
    providerSignature: fromHex(candidate.provider_signature),
    consumerSignature: fromHex(candidate.consumer_signature),
  };
}

type StoredParts = Pick<TradeRow, "canonical" | "provider_signature" | "consumer_signature">;

function invalid(code: LedgerErrorCode, message: string, details: Record<string, unknown>): never {
  throw new LedgerError(code, message, { details });
}

export function createTradeApplier(deps: TradeApplierDeps): TradeApplier {
  const { db, accounts, journal, holds } = deps;
  const selectStored = db.prepare(
    "SELECT canonical, provider_signature, consumer_signature FROM trades WHERE trade_id = ?",
  );
  const insert = db.prepare(
    `INSERT INTO trades (trade_id, provider, consumer, amount_trm, prompt_tokens, completion_tokens, model_id,
       price_trm_per_token, timestamp_ms, nonce, request_id, canonical, provider_signature, consumer_signature,
       leaf_hash, applied_ms)
     VALUES (@trade_id, @provider, @consumer, @amount_trm, @prompt_tokens, @completion_tokens, @model_id,
       @price_trm_per_token, @timestamp_ms, @nonce, @request_id, @canonical, @provider_signature,
       @consumer_signature, @leaf_hash, @applied_ms)`,
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
    if (typeof candidate.trade_id !== "string" || !TRADE_ID_RE.test(candidate.trade_id)) return null;
    return compareStored(candidate.trade_id, candidate) === "exists" ? { exists: candidate.trade_id } : null;
  }

  function check(signed: unknown, nowMs: number): VerifiedTrade | { exists: string } {
    return lookup(signed) ?? verifySignedTrade(signed, nowMs, deps.freshnessWindowMs);
  }

  function write(verified: VerifiedTrade, nowMs: number, holdId: string | undefined): Uint8Array | null {
    const { trade, tradeId } = verified;
    // Stored since `check` (earlier in the same batch, or another submit): a replay, or a conflict.
    const stored = selectStored.get(tradeId) as StoredParts | undefined;
    if (stored !== undefined) {
      const same =
        equalBytes(stored.canonical, verified.canonical) &&
        equalBytes(stored.provider_signature, verified.providerSignature) &&
        equalBytes(stored.consumer_signature, verified.consumerSignature);
      if (!same)
        invalid(LedgerErrorCode.TRADE_CONFLICT, `trade ${tradeId} exists with different content`, {
          trade_id: tradeId,
        });
      return null;
    }
    // Every check runs before the first write, so a rejected trade leaves no trace even without a
    // savepoint (applySignedTrades relies on this and asserts it).
    const hold = holdId === undefined ? undefined : holds.active(holdId, nowMs);
    const consumer = accounts.balance(trade.consumer); // an unseen consumer: its implicit free tier
    let availableTrm = consumer.effective_balance_trm;
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
    accounts.touch(trade.provider, nowMs);
    accounts.touch(trade.consumer, nowMs);
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
    const leaf = leafHash(verified.canonical);
    insert.run({
      ...trade,
      trade_id: tradeId,
      canonical: verified.canonical,
      provider_signature: verified.providerSignature,
      consumer_signature: verified.consumerSignature,
      leaf_hash: leaf,
      applied_ms: nowMs,
    });
    deps.onApplied?.(trade, tradeId, nowMs);
    return leaf;
  }

  return { lookup, check, write };
}
