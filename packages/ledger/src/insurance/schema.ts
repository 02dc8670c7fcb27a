/**
 * Migration `008_bank_contracts`, first part (docs/bank.md): the journal for the bank's contracts, and
 * insurance on loans (futures' tables are in `futures/schema.ts`, the second part).
 *
 * - `journal` is rebuilt (SQLite cannot change a CHECK in place), keeping every kind of `006_loans`, with
 *   the kinds `insurance_credit`/`insurance_debit` (column `policy_id`) and `futures_credit`/`futures_debit`
 *   (column `future_id`), each id carried by its kinds and only by them. Its trigger applies them to
 *   `balance_trm` only. They always come in pairs between two accounts (a premium, a payout, a
 *   settlement), so conservation is unchanged: Σ balances = Σ free tiers + Σ grants − Σ burns.
 * - `insurance_policies`: every applied dual-signed policy with its canonical bytes and both signatures;
 *   `status` (`active` → `paid` | `expired`, once), `closed_ms` are the only columns that change.
 * - `insurance_events`: the policy's Merkle leaves — `created` (its own bytes), `paid` (the derived payout
 *   record), `expired` (the derived expiry record) — at most one of each, append-only.
 * - `holds.policy_id` / `holds.future_id`: the policy whose coverage, or the future whose margin, a hold is
 *   (it never expires by time; its contract closes it).
 * @module
 */
export const INSURANCE_SCHEMA_SQL = `
DROP TRIGGER journal_apply;
DROP TRIGGER journal_append_only_update;
DROP TRIGGER journal_append_only_delete;
CREATE TABLE journal_v3 (
  entry_id INTEGER PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(account_id),
  kind TEXT NOT NULL CHECK (kind IN ('free_tier', 'grant', 'trade_credit', 'trade_debit', 'loan_credit', 'loan_debit', 'burn', 'insurance_credit', 'insurance_debit', 'futures_credit', 'futures_debit')),
  amount_trm INTEGER NOT NULL CHECK (amount_trm >= 0),
  trade_id TEXT,
  reason TEXT,
  created_ms INTEGER NOT NULL,
  loan_id TEXT,
  policy_id TEXT,
  future_id TEXT,
  CHECK ((kind IN ('trade_credit', 'trade_debit')) = (trade_id IS NOT NULL)),
  CHECK ((kind IN ('loan_credit', 'loan_debit', 'burn')) = (loan_id IS NOT NULL)),
  CHECK ((kind IN ('insurance_credit', 'insurance_debit')) = (policy_id IS NOT NULL)),
  CHECK ((kind IN ('futures_credit', 'futures_debit')) = (future_id IS NOT NULL))
) STRICT;
INSERT INTO journal_v3 (entry_id, account_id, kind, amount_trm, trade_id, reason, created_ms, loan_id, policy_id, future_id)
  SELECT entry_id, account_id, kind, amount_trm, trade_id, reason, created_ms, loan_id, NULL, NULL FROM journal;
DROP TABLE journal;
ALTER TABLE journal_v3 RENAME TO journal;
CREATE INDEX journal_account ON journal (account_id, entry_id);
CREATE INDEX journal_loan ON journal (loan_id) WHERE loan_id IS NOT NULL;
CREATE INDEX journal_policy ON journal (policy_id) WHERE policy_id IS NOT NULL;
CREATE INDEX journal_future ON journal (future_id) WHERE future_id IS NOT NULL;

CREATE TRIGGER journal_apply AFTER INSERT ON journal
BEGIN
  UPDATE accounts SET
    balance_trm = balance_trm + (CASE WHEN NEW.kind IN ('trade_debit', 'loan_debit', 'burn', 'insurance_debit', 'futures_debit') THEN -NEW.amount_trm ELSE NEW.amount_trm END),
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

CREATE TABLE insurance_policies (
  policy_id TEXT PRIMARY KEY NOT NULL CHECK (length(policy_id) = 64),
  insurer TEXT NOT NULL,
  insured TEXT NOT NULL CHECK (insured <> insurer),
  loan_id TEXT NOT NULL REFERENCES loans(loan_id),
  coverage_trm INTEGER NOT NULL CHECK (coverage_trm > 0),
  premium_trm INTEGER NOT NULL CHECK (premium_trm > 0 AND premium_trm <= coverage_trm),
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL CHECK (expires_ms > created_ms),
  nonce TEXT NOT NULL,
  canonical BLOB NOT NULL,
  insurer_signature BLOB NOT NULL CHECK (length(insurer_signature) = 64),
  insured_signature BLOB NOT NULL CHECK (length(insured_signature) = 64),
  status TEXT NOT NULL CHECK (status IN ('active', 'paid', 'expired')),
  hold_id TEXT,
  closed_ms INTEGER,
  applied_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX insurance_active_expiry ON insurance_policies (status, expires_ms);
CREATE INDEX insurance_loan ON insurance_policies (loan_id);
CREATE INDEX insurance_insurer ON insurance_policies (insurer, created_ms);
CREATE INDEX insurance_insured ON insurance_policies (insured, created_ms);
CREATE TRIGGER insurance_terms_fixed BEFORE UPDATE ON insurance_policies
WHEN NEW.policy_id IS NOT OLD.policy_id OR NEW.canonical IS NOT OLD.canonical OR NEW.coverage_trm IS NOT OLD.coverage_trm
  OR NEW.premium_trm IS NOT OLD.premium_trm OR NEW.insurer IS NOT OLD.insurer OR NEW.insured IS NOT OLD.insured
  OR NEW.loan_id IS NOT OLD.loan_id OR NEW.expires_ms IS NOT OLD.expires_ms OR OLD.status <> 'active'
BEGIN SELECT RAISE(ABORT, 'a policy changes only its status, once'); END;
CREATE TRIGGER insurance_no_delete BEFORE DELETE ON insurance_policies
BEGIN SELECT RAISE(ABORT, 'policies are append-only'); END;

CREATE TABLE insurance_events (
  event_id TEXT PRIMARY KEY NOT NULL CHECK (length(event_id) = 64),
  policy_id TEXT NOT NULL REFERENCES insurance_policies(policy_id),
  kind TEXT NOT NULL CHECK (kind IN ('created', 'paid', 'expired')),
  timestamp_ms INTEGER NOT NULL CHECK (timestamp_ms >= 0),
  canonical BLOB NOT NULL,
  leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
  applied_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX insurance_events_order ON insurance_events (timestamp_ms, event_id);
CREATE UNIQUE INDEX insurance_events_once ON insurance_events (policy_id, kind);
CREATE TRIGGER insurance_events_append_only_update BEFORE UPDATE ON insurance_events
BEGIN SELECT RAISE(ABORT, 'insurance events are append-only'); END;
CREATE TRIGGER insurance_events_append_only_delete BEFORE DELETE ON insurance_events
BEGIN SELECT RAISE(ABORT, 'insurance events are append-only'); END;

ALTER TABLE holds ADD COLUMN policy_id TEXT;
ALTER TABLE holds ADD COLUMN future_id TEXT;
`;
