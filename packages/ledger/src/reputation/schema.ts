/**
 * SQLite tables of reputation: the local score per account and the latest signed observation per
 * observer→subject (proto's format; the signature stored as its 64 raw bytes). The `weight` column dates
 * from when observations carried a self-reported weight; it is always NULL. Applied by the ledger's
 * migrations (and by the tests directly).
 * @module
 */

/** CREATE TABLE IF NOT EXISTS statements for reputation. Idempotent. */
export const REPUTATION_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS reputation_scores (
  account TEXT PRIMARY KEY,
  score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
  successes INTEGER NOT NULL DEFAULT 0 CHECK (successes >= 0),
  failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
  updated_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS reputation_observations (
  observer TEXT NOT NULL,
  subject TEXT NOT NULL,
  score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
  weight REAL,
  timestamp_ms INTEGER NOT NULL,
  signature BLOB NOT NULL,
  received_at_ms INTEGER NOT NULL,
  PRIMARY KEY (observer, subject)
);
CREATE INDEX IF NOT EXISTS reputation_observations_by_subject ON reputation_observations (subject, timestamp_ms);
CREATE INDEX IF NOT EXISTS reputation_observations_by_received ON reputation_observations (received_at_ms);
`;
