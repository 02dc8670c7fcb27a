/**
 * Migration `008_bank` (docs/bank.md): the tables of the node's treasury, `@tirami/bank`, which shares the
 * ledger's connection like the safety gate does. They hold what the bank decided and how it is set up,
 * never money: positions are read from the loans and the journal, so they cannot drift from them.
 *
 * - `bank_decisions`: every decision of every tick (dry runs included), append-only, with the pool it
 *   saw, what was done about it (`outcome`) and why.
 * - `bank_settings`: one row per key (`strategy`, `risk`), a JSON value, replaced on change.
 * @module
 */
export const BANK_SCHEMA_SQL = `
CREATE TABLE bank_decisions (
  decision_id INTEGER PRIMARY KEY,
  tick_id TEXT NOT NULL CHECK (length(tick_id) = 32),
  tick_ms INTEGER NOT NULL CHECK (tick_ms >= 0),
  action TEXT NOT NULL CHECK (action IN ('lend', 'borrow', 'repay', 'hold', 'open_futures', 'close_futures', 'buy_insurance')),
  amount_trm INTEGER NOT NULL CHECK (amount_trm >= 0),
  rationale TEXT NOT NULL CHECK (length(rationale) <= 1000),
  confidence REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  dry_run INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
  outcome TEXT NOT NULL CHECK (outcome IN ('done', 'planned', 'denied', 'failed', 'skipped')),
  detail TEXT CHECK (detail IS NULL OR length(detail) <= 1000),
  strategy TEXT NOT NULL CHECK (length(strategy) <= 1000),
  pool TEXT NOT NULL CHECK (length(pool) <= 4000)
) STRICT;
CREATE INDEX bank_decisions_tick ON bank_decisions (tick_ms, decision_id);
CREATE TRIGGER bank_decisions_append_only_update BEFORE UPDATE ON bank_decisions
BEGIN SELECT RAISE(ABORT, 'bank decisions are append-only'); END;
CREATE TRIGGER bank_decisions_append_only_delete BEFORE DELETE ON bank_decisions
BEGIN SELECT RAISE(ABORT, 'bank decisions are append-only'); END;

CREATE TABLE bank_settings (
  key TEXT PRIMARY KEY NOT NULL CHECK (key IN ('strategy', 'risk')),
  value TEXT NOT NULL CHECK (length(value) <= 1000),
  updated_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`;
