/**
 * Migration `008_bank_contracts`, second part (docs/bank.md): compute futures.
 *
 * - `futures`: every applied dual-signed future with its canonical bytes and both signatures; `status`
 *   (`open` → `settled`, once) and the settlement columns are the only ones that change.
 * - `future_window_trades`: the trades a settlement counted (its price window as this ledger held it at
 *   settlement), so verify() re-derives the price from exactly those and a later trade changes nothing.
 * - `future_events`: its Merkle leaves — `created` (its own bytes), `settled` (the derived settlement
 *   record) — at most one of each, append-only.
 * @module
 */
export const FUTURES_SCHEMA_SQL = `
CREATE TABLE futures (
  future_id TEXT PRIMARY KEY NOT NULL CHECK (length(future_id) = 64),
  long TEXT NOT NULL,
  short TEXT NOT NULL CHECK (short <> long),
  notional_tokens INTEGER NOT NULL CHECK (notional_tokens > 0),
  strike_micro_trm_per_token INTEGER NOT NULL CHECK (strike_micro_trm_per_token >= 0),
  margin_trm INTEGER NOT NULL CHECK (margin_trm > 0),
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL CHECK (expires_ms > created_ms),
  nonce TEXT NOT NULL,
  canonical BLOB NOT NULL,
  long_signature BLOB NOT NULL CHECK (length(long_signature) = 64),
  short_signature BLOB NOT NULL CHECK (length(short_signature) = 64),
  status TEXT NOT NULL CHECK (status IN ('open', 'settled')),
  long_hold_id TEXT,
  short_hold_id TEXT,
  settle_micro_trm_per_token INTEGER,
  paid_trm INTEGER,
  closed_ms INTEGER,
  applied_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX futures_open_expiry ON futures (status, expires_ms);
CREATE INDEX futures_long ON futures (long, created_ms);
CREATE INDEX futures_short ON futures (short, created_ms);
CREATE TRIGGER futures_terms_fixed BEFORE UPDATE ON futures
WHEN NEW.future_id IS NOT OLD.future_id OR NEW.canonical IS NOT OLD.canonical OR NEW.long IS NOT OLD.long
  OR NEW.short IS NOT OLD.short OR NEW.margin_trm IS NOT OLD.margin_trm OR NEW.expires_ms IS NOT OLD.expires_ms
  OR OLD.status <> 'open'
BEGIN SELECT RAISE(ABORT, 'a future changes only its settlement, once'); END;
CREATE TRIGGER futures_no_delete BEFORE DELETE ON futures
BEGIN SELECT RAISE(ABORT, 'futures are append-only'); END;

CREATE TABLE future_window_trades (
  future_id TEXT NOT NULL REFERENCES futures(future_id),
  trade_id TEXT NOT NULL REFERENCES trades(trade_id),
  PRIMARY KEY (future_id, trade_id)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER future_window_trades_append_only_update BEFORE UPDATE ON future_window_trades
BEGIN SELECT RAISE(ABORT, 'settlement windows are append-only'); END;
CREATE TRIGGER future_window_trades_append_only_delete BEFORE DELETE ON future_window_trades
BEGIN SELECT RAISE(ABORT, 'settlement windows are append-only'); END;

CREATE TABLE future_events (
  event_id TEXT PRIMARY KEY NOT NULL CHECK (length(event_id) = 64),
  future_id TEXT NOT NULL REFERENCES futures(future_id),
  kind TEXT NOT NULL CHECK (kind IN ('created', 'settled')),
  timestamp_ms INTEGER NOT NULL CHECK (timestamp_ms >= 0),
  canonical BLOB NOT NULL,
  leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
  applied_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX future_events_order ON future_events (timestamp_ms, event_id);
CREATE UNIQUE INDEX future_events_once ON future_events (future_id, kind);
CREATE TRIGGER future_events_append_only_update BEFORE UPDATE ON future_events
BEGIN SELECT RAISE(ABORT, 'future events are append-only'); END;
CREATE TRIGGER future_events_append_only_delete BEFORE DELETE ON future_events
BEGIN SELECT RAISE(ABORT, 'future events are append-only'); END;
`;
