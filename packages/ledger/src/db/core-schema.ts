/**
 * The ledger's own tables (migration `001_core`).
 *
 * - `accounts`: one row per node account, caching the balances derived from `journal` (updated in the
 *   same transaction as the entries). CHECKs keep every amount a non-negative integer and reserved ≤ balance.
 * - `journal`: append-only money movements. balance = Σ free_tier + Σ grant + Σ trade_credit − Σ trade_debit.
 *   The trigger `journal_apply` applies each entry to its account row inside the same statement, so the
 *   cache cannot be written without the entry nor the entry without the cache. Entry ids are rowids
 *   (no AUTOINCREMENT: nothing is ever deleted, so ids are never reused).
 * - `trades`: every applied dual-signed trade with its canonical bytes, both signatures and its Merkle
 *   leaf hash (so a root over 100k trades reads one column instead of rehashing).
 * - `holds`: reservations; they never move money, they only lower the effective balance while active.
 * - `admissions`: zero-history consumers a provider admitted on credit.
 * Triggers make `journal` and `trades` append-only. `accounts` and `trades` are WITHOUT ROWID: each row
 * lives in its primary-key B-tree, so a write touches one tree instead of a table plus its key index.
 * @module
 */
export const CORE_SCHEMA_SQL = `
CREATE TABLE accounts (
  account_id TEXT PRIMARY KEY NOT NULL CHECK (length(account_id) = 64),
  balance_trm INTEGER NOT NULL CHECK (balance_trm >= 0),
  free_tier_trm INTEGER NOT NULL CHECK (free_tier_trm >= 0),
  granted_trm INTEGER NOT NULL DEFAULT 0 CHECK (granted_trm >= 0),
  contributed_trm INTEGER NOT NULL DEFAULT 0 CHECK (contributed_trm >= 0),
  consumed_trm INTEGER NOT NULL DEFAULT 0 CHECK (consumed_trm >= 0),
  reserved_trm INTEGER NOT NULL DEFAULT 0 CHECK (reserved_trm >= 0 AND reserved_trm <= balance_trm),
  trade_count INTEGER NOT NULL DEFAULT 0 CHECK (trade_count >= 0),
  first_seen_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE journal (
  entry_id INTEGER PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(account_id),
  kind TEXT NOT NULL CHECK (kind IN ('free_tier', 'grant', 'trade_credit', 'trade_debit')),
  amount_trm INTEGER NOT NULL CHECK (amount_trm >= 0),
  trade_id TEXT,
  reason TEXT,
  created_ms INTEGER NOT NULL,
  CHECK ((kind IN ('trade_credit', 'trade_debit')) = (trade_id IS NOT NULL))
) STRICT;
CREATE INDEX journal_account ON journal (account_id, entry_id);

CREATE TABLE trades (
  trade_id TEXT PRIMARY KEY NOT NULL CHECK (length(trade_id) = 64),
  provider TEXT NOT NULL,
  consumer TEXT NOT NULL CHECK (consumer <> provider),
  amount_trm INTEGER NOT NULL CHECK (amount_trm >= 0),
  prompt_tokens INTEGER NOT NULL CHECK (prompt_tokens >= 0),
  completion_tokens INTEGER NOT NULL CHECK (completion_tokens >= 0),
  model_id TEXT NOT NULL,
  price_trm_per_token REAL NOT NULL CHECK (price_trm_per_token >= 0),
  timestamp_ms INTEGER NOT NULL CHECK (timestamp_ms >= 0),
  nonce TEXT NOT NULL,
  request_id TEXT NOT NULL,
  canonical BLOB NOT NULL,
  provider_signature BLOB NOT NULL CHECK (length(provider_signature) = 64),
  consumer_signature BLOB NOT NULL CHECK (length(consumer_signature) = 64),
  leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
  applied_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX trades_order ON trades (timestamp_ms, trade_id);
CREATE INDEX trades_provider ON trades (provider, timestamp_ms, trade_id);
CREATE INDEX trades_consumer ON trades (consumer, timestamp_ms, trade_id);

CREATE TABLE holds (
  hold_id TEXT PRIMARY KEY NOT NULL,
  account_id TEXT NOT NULL REFERENCES accounts(account_id),
  amount_trm INTEGER NOT NULL CHECK (amount_trm > 0),
  reason TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'settled', 'released', 'expired')),
  settled_trm INTEGER CHECK (settled_trm IS NULL OR (settled_trm >= 0 AND settled_trm <= amount_trm)),
  trade_id TEXT,
  closed_ms INTEGER
) STRICT;
CREATE INDEX holds_active ON holds (status, expires_ms);
CREATE INDEX holds_account ON holds (account_id, status);

CREATE TABLE admissions (
  provider TEXT NOT NULL,
  consumer TEXT NOT NULL,
  admitted_ms INTEGER NOT NULL,
  PRIMARY KEY (provider, consumer)
) STRICT;

CREATE TRIGGER journal_apply AFTER INSERT ON journal
BEGIN
  UPDATE accounts SET
    balance_trm = balance_trm + (CASE NEW.kind WHEN 'trade_debit' THEN -NEW.amount_trm ELSE NEW.amount_trm END),
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
CREATE TRIGGER trades_append_only_update BEFORE UPDATE ON trades
BEGIN SELECT RAISE(ABORT, 'trades are append-only'); END;
CREATE TRIGGER trades_append_only_delete BEFORE DELETE ON trades
BEGIN SELECT RAISE(ABORT, 'trades are append-only'); END;
`;
