/**
 * Node accounts: rows created on first sight with the implicit free tier (journalled, the same amount on
 * every node so balances converge), operator grants, and the balance view callers see.
 * @module
 */
import type Database from "better-sqlite3";
import { type AccountId, isAccountId } from "@tirami/core";
import { REASON_LENGTH_MAX } from "./constants.js";
import { LedgerError, LedgerErrorCode } from "./errors.js";
import type { AccountsTable } from "./db/kysely.js";
import type { Journal } from "./journal.js";

/** An account row as stored (the `accounts` table's shape, declared once in db/kysely.ts). */
export type AccountRow = AccountsTable;

/** What the ledger reports per account. `effective_balance_trm = balance_trm − reserved_trm`. */
export interface AccountBalance extends AccountRow {
  effective_balance_trm: number;
  /** False for an account never seen: the figures are its implicit free tier, nothing is stored. */
  known: boolean;
}

export interface Accounts {
  row(accountId: string): AccountRow | undefined;
  /** The stored row, creating it with its journalled free tier when missing. Inside a write transaction. */
  ensure(accountId: string, nowMs: number): AccountRow;
  /** Like `ensure` without reading the row back (one statement when the account exists). */
  touch(accountId: string, nowMs: number): void;
  /** The balance view; for an unseen account, its implicit free tier with `known: false`. */
  balance(accountId: string): AccountBalance;
  list(): AccountBalance[];
  /** `balance_trm − reserved_trm` of a stored account (one indexed read); undefined for an unseen one. */
  storedEffectiveTrm(accountId: string): number | undefined;
  addReserved(accountId: string, deltaTrm: number): void;
}

/** Throws `TypeError` unless `value` is an account id (64 lowercase hex characters). */
export function checkAccountId(value: unknown, field: string): asserts value is AccountId {
  if (!isAccountId(value)) throw new TypeError(`"${field}" expected 64 lowercase hex characters`);
}

/** Throws `TypeError` unless `value` is a non-empty printable reason of bounded length. */
export function checkReason(value: unknown, field = "reason"): asserts value is string {
  if (typeof value !== "string" || value.trim() === "" || value.length > REASON_LENGTH_MAX) {
    throw new TypeError(`"${field}" expected a non-empty string of at most ${REASON_LENGTH_MAX} characters`);
  }
}

export function toBalance(row: AccountRow, known = true): AccountBalance {
  return { ...row, effective_balance_trm: row.balance_trm - row.reserved_trm, known };
}

export function createAccounts(db: Database.Database, journal: Journal, freeTierTrm: number): Accounts {
  const select = db.prepare("SELECT * FROM accounts WHERE account_id = ?");
  const insert = db.prepare(
    "INSERT INTO accounts (account_id, balance_trm, free_tier_trm, first_seen_ms) VALUES (?, 0, 0, ?) ON CONFLICT DO NOTHING",
  );
  const selectAll = db.prepare("SELECT * FROM accounts ORDER BY account_id");
  const reserved = db.prepare("UPDATE accounts SET reserved_trm = reserved_trm + ? WHERE account_id = ?");
  const effective = db
    .prepare("SELECT balance_trm - reserved_trm FROM accounts WHERE account_id = ?")
    .pluck(true);
  const row = (accountId: string) => select.get(accountId) as AccountRow | undefined;
  return {
    row,
    ensure(accountId, nowMs) {
      const existing = row(accountId);
      if (existing !== undefined) return existing;
      insert.run(accountId, nowMs);
      journal.append({ accountId, kind: "free_tier", amountTrm: freeTierTrm, nowMs });
      return row(accountId)!;
    },
    touch(accountId, nowMs) {
      if (insert.run(accountId, nowMs).changes === 1) {
        journal.append({ accountId, kind: "free_tier", amountTrm: freeTierTrm, nowMs });
      }
    },
    balance(accountId) {
      const existing = row(accountId);
      if (existing !== undefined) return toBalance(existing);
      const implicit: AccountRow = {
        account_id: accountId,
        balance_trm: freeTierTrm,
        free_tier_trm: freeTierTrm,
        granted_trm: 0,
        contributed_trm: 0,
        consumed_trm: 0,
        reserved_trm: 0,
        trade_count: 0,
        first_seen_ms: 0,
      };
      return toBalance(implicit, false);
    },
    storedEffectiveTrm(accountId) {
      return effective.get(accountId) as number | undefined;
    },
    list() {
      return (selectAll.all() as AccountRow[]).map((r) => toBalance(r));
    },
    addReserved(accountId, deltaTrm) {
      const result = reserved.run(deltaTrm, accountId);
      if (result.changes !== 1)
        throw new LedgerError(LedgerErrorCode.UNKNOWN_ACCOUNT, `unknown account ${accountId}`);
    },
  };
}
