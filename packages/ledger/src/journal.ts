/**
 * The journal: append-only money movements, and the cached balances derived from them. Every entry is
 * written together with the matching change to its account row, in the caller's transaction, so the
 * cache can never drift from the journal (verify() recomputes both and compares).
 * @module
 */
import type Database from "better-sqlite3";

/** What moved the money. Credits: free_tier, grant, trade_credit. Debits: trade_debit. */
export type JournalKind = "free_tier" | "grant" | "trade_credit" | "trade_debit";

/** One journal entry as stored. */
export interface JournalEntry {
  entry_id: number;
  account_id: string;
  kind: JournalKind;
  amount_trm: number;
  trade_id: string | null;
  reason: string | null;
  created_ms: number;
}

export interface JournalAppend {
  accountId: string;
  kind: JournalKind;
  amountTrm: number;
  tradeId?: string;
  reason?: string;
  nowMs: number;
}

export interface Journal {
  /** Appends one entry and applies it to the account's cached columns. Call inside a write transaction. */
  append(entry: JournalAppend): void;
  /** Entries of one account, oldest first, after `afterEntryId`, at most `limit`. */
  entriesOf(accountId: string, afterEntryId: number, limit: number): JournalEntry[];
}

const ACCOUNT_UPDATE_SQL: Record<JournalKind, string> = {
  free_tier:
    "UPDATE accounts SET balance_trm = balance_trm + @amount, free_tier_trm = free_tier_trm + @amount WHERE account_id = @account",
  grant:
    "UPDATE accounts SET balance_trm = balance_trm + @amount, granted_trm = granted_trm + @amount WHERE account_id = @account",
  trade_credit:
    "UPDATE accounts SET balance_trm = balance_trm + @amount, contributed_trm = contributed_trm + @amount, trade_count = trade_count + 1 WHERE account_id = @account",
  trade_debit:
    "UPDATE accounts SET balance_trm = balance_trm - @amount, consumed_trm = consumed_trm + @amount, trade_count = trade_count + 1 WHERE account_id = @account",
};

/** Builds the journal over `db` (statements are prepared once). */
export function createJournal(db: Database.Database): Journal {
  const insert = db.prepare(
    "INSERT INTO journal (account_id, kind, amount_trm, trade_id, reason, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const updates = Object.fromEntries(
    Object.entries(ACCOUNT_UPDATE_SQL).map(([kind, sql]) => [kind, db.prepare(sql)]),
  ) as Record<JournalKind, Database.Statement>;
  const entries = db.prepare(
    "SELECT * FROM journal WHERE account_id = ? AND entry_id > ? ORDER BY entry_id LIMIT ?",
  );
  return {
    append(entry) {
      insert.run(
        entry.accountId,
        entry.kind,
        entry.amountTrm,
        entry.tradeId ?? null,
        entry.reason ?? null,
        entry.nowMs,
      );
      const result = updates[entry.kind].run({ amount: entry.amountTrm, account: entry.accountId });
      if (result.changes !== 1) throw new Error(`journal: account ${entry.accountId} has no row`);
    },
    entriesOf(accountId, afterEntryId, limit) {
      return entries.all(accountId, afterEntryId, limit) as JournalEntry[];
    },
  };
}
