/**
 * Migration `007_lightning` (docs/lightning.md): the local records of @tirami/lightning on the ledger's
 * database. The money itself moves only through dual-signed exchange trades in `trades` (nothing here
 * changes a balance or the journal); these tables keep what happened around them.
 *
 * - `lightning_payments`: one row per BOLT11 invoice this node paid or issued for a settlement or a
 *   deposit, keyed by payment hash: counterparty, TRM and msat amounts, the window of a settlement, the
 *   seller's hold on the TRM it sold, the status (`pending` → `paid` → `exchanged`, or `failed` /
 *   `expired`), the preimage once paid and the exchange trade once both signed it.
 * - `lightning_anchors`: the anchors prepared for a settlement window on a network (root, trade count) and
 *   the txid the operator reports after broadcasting.
 * @module
 */
export const LIGHTNING_SCHEMA_SQL = `
CREATE TABLE lightning_payments (
  payment_hash TEXT PRIMARY KEY NOT NULL CHECK (length(payment_hash) = 64),
  direction TEXT NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
  purpose TEXT NOT NULL CHECK (purpose IN ('settlement', 'deposit')),
  counterparty TEXT NOT NULL CHECK (length(counterparty) = 64),
  amount_trm INTEGER NOT NULL CHECK (amount_trm > 0),
  amount_msat INTEGER NOT NULL CHECK (amount_msat > 0),
  window_start_ms INTEGER,
  window_end_ms INTEGER,
  bolt11 TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'exchanged', 'failed', 'expired')),
  preimage TEXT CHECK (preimage IS NULL OR length(preimage) = 64),
  hold_id TEXT,
  trade_id TEXT CHECK (trade_id IS NULL OR length(trade_id) = 64),
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  CHECK ((purpose = 'settlement') = (window_start_ms IS NOT NULL AND window_end_ms IS NOT NULL)),
  CHECK (status NOT IN ('paid', 'exchanged') OR preimage IS NOT NULL),
  CHECK ((status = 'exchanged') = (trade_id IS NOT NULL))
) STRICT;
CREATE INDEX lightning_payments_counterparty ON lightning_payments (counterparty, window_start_ms);
CREATE INDEX lightning_payments_recent ON lightning_payments (direction, created_ms);
CREATE INDEX lightning_payments_open ON lightning_payments (status, expires_at_ms);
CREATE TRIGGER lightning_payments_fixed BEFORE UPDATE ON lightning_payments
WHEN NEW.payment_hash IS NOT OLD.payment_hash OR NEW.counterparty IS NOT OLD.counterparty
  OR NEW.amount_trm IS NOT OLD.amount_trm OR NEW.amount_msat IS NOT OLD.amount_msat
  OR NEW.bolt11 IS NOT OLD.bolt11 OR NEW.direction IS NOT OLD.direction
  OR OLD.status = 'exchanged'
BEGIN SELECT RAISE(ABORT, 'a lightning payment changes only its status, preimage and trade, and not once exchanged'); END;
CREATE TRIGGER lightning_payments_no_delete BEFORE DELETE ON lightning_payments
BEGIN SELECT RAISE(ABORT, 'lightning payments are append-only'); END;

CREATE TABLE lightning_anchors (
  window_start_ms INTEGER NOT NULL CHECK (window_start_ms >= 0),
  window_end_ms INTEGER NOT NULL CHECK (window_end_ms >= window_start_ms),
  network TEXT NOT NULL CHECK (network IN ('mainnet', 'testnet', 'signet', 'regtest')),
  merkle_root TEXT NOT NULL CHECK (length(merkle_root) = 64),
  trade_count INTEGER NOT NULL CHECK (trade_count >= 0),
  created_ms INTEGER NOT NULL,
  txid TEXT CHECK (txid IS NULL OR length(txid) = 64),
  txid_reported_ms INTEGER,
  PRIMARY KEY (window_start_ms, window_end_ms, network)
) STRICT, WITHOUT ROWID;
`;
