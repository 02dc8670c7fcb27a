/**
 * Migration `006_loans` (docs/lending.md): the journal learns loan movements and burns, loans and their
 * life-cycle events get tables, and a hold can be a loan's collateral.
 *
 * - `journal` is rebuilt (SQLite cannot change a CHECK in place) with the kinds `loan_credit`,
 *   `loan_debit` and `burn` and a `loan_id` column that those kinds, and only those, carry. Its trigger
 *   applies them to `balance_trm` only: `contributed_trm`/`consumed_trm`/`trade_count` stay trade figures.
 *   Conservation becomes Σ balances = Σ free tiers + Σ grants − Σ burns.
 * - `loans`: every applied dual-signed loan with its canonical bytes and both signatures; `status`,
 *   `hold_id` and `closed_ms` are the only columns that ever change (a trigger refuses anything else).
 * - `loan_events`: the loan's Merkle leaves — `created` (the loan's own bytes), `repaid` (the borrower's
 *   signed repayment), `defaulted` (the derived default record) — at most one of each per loan; the only
 *   update allowed replaces a repayment with an earlier-stamped one by the same borrower (docs/lending.md).
 * - `holds.loan_id`: the loan a collateral hold secures (such a hold never expires by time).
 * @module
 */
export const LOANS_SCHEMA_SQL = `
DROP TRIGGER journal_apply;
DROP TRIGGER journal_append_only_update;
DROP TRIGGER journal_append_only_delete;
CREATE TABLE journal_v2 (
  entry_id INTEGER PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(account_id),
  kind TEXT NOT NULL CHECK (kind IN ('free_tier', 'grant', 'trade_credit', 'trade_debit', 'loan_credit', 'loan_debit', 'burn')),
  amount_trm INTEGER NOT NULL CHECK (amount_trm >= 0),
  trade_id TEXT,
  reason TEXT,
  created_ms INTEGER NOT NULL,
  loan_id TEXT,
  CHECK ((kind IN ('trade_credit', 'trade_debit')) = (trade_id IS NOT NULL)),
  CHECK ((kind IN ('loan_credit', 'loan_debit', 'burn')) = (loan_id IS NOT NULL))
) STRICT;
INSERT INTO journal_v2 (entry_id, account_id, kind, amount_trm, trade_id, reason, created_ms, loan_id)
  SELECT entry_id, account_id, kind, amount_trm, trade_id, reason, created_ms, NULL FROM journal;
DROP TABLE journal;
ALTER TABLE journal_v2 RENAME TO journal;
CREATE INDEX journal_account ON journal (account_id, entry_id);
CREATE INDEX journal_loan ON journal (loan_id) WHERE loan_id IS NOT NULL;

CREATE TRIGGER journal_apply AFTER INSERT ON journal
BEGIN
  UPDATE accounts SET
    balance_trm = balance_trm + (CASE WHEN NEW.kind IN ('trade_debit', 'loan_debit', 'burn') THEN -NEW.amount_trm ELSE NEW.amount_trm END),
    free_tier_trm = free_tier_trm + (CASE NEW.kind WHEN 'free_tier' THEN NEW.amount_trm ELSE 0 END),
    granted_trm = granted_trm + (CASE NEW.kind WHEN 'grant' THEN NEW.amount_trm ELSE 0 END),
    contributed_trm = contributed_trm + (CASE NEW.kind WHEN 'trade_credit' THEN NEW.amount_trm ELSE 0 END),
    consumed_trm = consumed_trm + (CASE NEW.kind WHEN 'trade_debit' THEN NEW.amount_trm ELSE 0 END),
    trade_count = trade_count + (CASE WHEN NEW.kind IN ('trade_credit', 'trade_debit') THEN 1 ELSE 0 END)
  WHERE account_id = NEW.account_id;
  SELECT RAISE(ABORT, 'journal entry for an account without a row') WHERE changes() = 0;
END;
CREATE TRIGGER journal_append_only_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
CREATE TRIGGER journal_append_only_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;

CREATE TABLE loans (
  loan_id TEXT PRIMARY KEY NOT NULL CHECK (length(loan_id) = 64),
  lender TEXT NOT NULL,
  borrower TEXT NOT NULL CHECK (borrower <> lender),
  principal_trm INTEGER NOT NULL CHECK (principal_trm > 0),
  interest_ppm_per_hour INTEGER NOT NULL CHECK (interest_ppm_per_hour >= 0),
  term_hours INTEGER NOT NULL CHECK (term_hours > 0),
  collateral_trm INTEGER NOT NULL CHECK (collateral_trm > 0),
  created_ms INTEGER NOT NULL,
  due_ms INTEGER NOT NULL CHECK (due_ms > created_ms),
  nonce TEXT NOT NULL,
  interest_trm INTEGER NOT NULL CHECK (interest_trm >= 0),
  total_due_trm INTEGER NOT NULL CHECK (total_due_trm = principal_trm + interest_trm),
  canonical BLOB NOT NULL,
  lender_signature BLOB NOT NULL CHECK (length(lender_signature) = 64),
  borrower_signature BLOB NOT NULL CHECK (length(borrower_signature) = 64),
  status TEXT NOT NULL CHECK (status IN ('active', 'repaid', 'defaulted')),
  hold_id TEXT,
  closed_ms INTEGER,
  applied_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX loans_active_due ON loans (status, due_ms);
CREATE INDEX loans_lender ON loans (lender, created_ms);
CREATE INDEX loans_borrower ON loans (borrower, created_ms);
CREATE TRIGGER loans_terms_fixed BEFORE UPDATE ON loans
WHEN NEW.loan_id IS NOT OLD.loan_id OR NEW.canonical IS NOT OLD.canonical OR NEW.principal_trm IS NOT OLD.principal_trm
  OR NEW.collateral_trm IS NOT OLD.collateral_trm OR NEW.lender IS NOT OLD.lender OR NEW.borrower IS NOT OLD.borrower
  OR NEW.total_due_trm IS NOT OLD.total_due_trm OR NEW.due_ms IS NOT OLD.due_ms
  OR (OLD.status <> 'active' AND NOT (OLD.status = 'repaid' AND NEW.status = 'repaid'))
BEGIN SELECT RAISE(ABORT, 'a loan changes only its status, once (and a repaid loan its repayment time)'); END;
CREATE TRIGGER loans_no_delete BEFORE DELETE ON loans
BEGIN SELECT RAISE(ABORT, 'loans are append-only'); END;

CREATE TABLE loan_events (
  event_id TEXT PRIMARY KEY NOT NULL CHECK (length(event_id) = 64),
  loan_id TEXT NOT NULL REFERENCES loans(loan_id),
  kind TEXT NOT NULL CHECK (kind IN ('created', 'repaid', 'defaulted')),
  timestamp_ms INTEGER NOT NULL CHECK (timestamp_ms >= 0),
  canonical BLOB NOT NULL,
  signature BLOB CHECK (signature IS NULL OR length(signature) = 64),
  leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
  applied_ms INTEGER NOT NULL,
  CHECK ((kind = 'repaid') = (signature IS NOT NULL))
) STRICT, WITHOUT ROWID;
CREATE INDEX loan_events_order ON loan_events (timestamp_ms, event_id);
CREATE UNIQUE INDEX loan_events_once ON loan_events (loan_id, kind);
CREATE TRIGGER loan_events_append_only_update BEFORE UPDATE ON loan_events
WHEN NOT (OLD.kind = 'repaid' AND NEW.kind = 'repaid' AND NEW.loan_id = OLD.loan_id
  AND (NEW.timestamp_ms < OLD.timestamp_ms OR (NEW.timestamp_ms = OLD.timestamp_ms AND NEW.event_id < OLD.event_id)))
BEGIN SELECT RAISE(ABORT, 'loan events are append-only (but an earlier-stamped repayment replaces a later one)'); END;
CREATE TRIGGER loan_events_append_only_delete BEFORE DELETE ON loan_events
BEGIN SELECT RAISE(ABORT, 'loan events are append-only'); END;

ALTER TABLE holds ADD COLUMN loan_id TEXT;
`;
