/**
 * The journal: append-only money movements, and the cached balances derived from them. Every entry is
 * applied to its account row by the `journal_apply` trigger in the same statement (and the caller's
 * transaction), so the cache can never drift from the journal (verify() recomputes both and compares).
 * @module
 */
import type Database from "better-sqlite3";

/**
 * What moved the money. Credits: free_tier, grant, trade_credit, loan_credit. Debits: trade_debit,
 * loan_debit, burn (TRM destroyed: a defaulted loan's burned collateral share). Insurance moves in pairs:
 * insurance_debit from one account, insurance_credit to another (a premium, a payout).
 */
export type JournalKind =
  | "free_tier"
  | "grant"
  | "trade_credit"
  | "trade_debit"
  | "loan_credit"
  | "loan_debit"
  | "burn"
  | "insurance_credit"
  | "insurance_debit"
  | "futures_credit"
  | "futures_debit";

/** One journal entry as stored. */
export interface JournalEntry {
  entry_id: number;
  account_id: string;
  kind: JournalKind;
  amount_trm: number;
  trade_id: string | null;
  reason: string | null;
  created_ms: number;
  loan_id: string | null;
  /** The insurance policy of an insurance_credit or insurance_debit (docs/bank.md). */
  policy_id: string | null;
  /** The future of a futures_credit or futures_debit (docs/bank.md). */
  future_id: string | null;
}

export interface JournalAppend {
  accountId: string;
  kind: JournalKind;
  amountTrm: number;
  tradeId?: string;
  /** Set for loan_credit, loan_debit and burn, and only for them. */
  loanId?: string;
  /** Set for insurance_credit and insurance_debit, and only for them. */
  policyId?: string;
  /** Set for futures_credit and futures_debit, and only for them. */
  futureId?: string;
  reason?: string;
  nowMs: number;
}

export interface Journal {
  /** Appends one entry and applies it to the account's cached columns. Call inside a write transaction. */
  append(entry: JournalAppend): void;
  /** Entries of one account, oldest first, after `afterEntryId`, at most `limit`. */
  entriesOf(accountId: string, afterEntryId: number, limit: number): JournalEntry[];
}

/** Builds the journal over `db` (statements are prepared once). */
export function createJournal(db: Database.Database): Journal {
  const insert = db.prepare(
    "INSERT INTO journal (account_id, kind, amount_trm, trade_id, reason, created_ms, loan_id, policy_id, future_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const entries = db.prepare(
    "SELECT * FROM journal WHERE account_id = ? AND entry_id > ? ORDER BY entry_id LIMIT ?",
  );
  return {
    append(entry) {
      // The journal_apply trigger updates the account's cached columns in the same statement.
      insert.run(
        entry.accountId,
        entry.kind,
        entry.amountTrm,
        entry.tradeId ?? null,
        entry.reason ?? null,
        entry.nowMs,
        entry.loanId ?? null,
        entry.policyId ?? null,
        entry.futureId ?? null,
      );
    },
    entriesOf(accountId, afterEntryId, limit) {
      return entries.all(accountId, afterEntryId, limit) as JournalEntry[];
    },
  };
}
