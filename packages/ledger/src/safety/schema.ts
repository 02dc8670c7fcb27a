/**
 * SQLite tables of the safety gate. Applied by the ledger's migrations (and by the tests directly).
 * Everything the gate decides from is persisted, so a restart neither clears the kill switch nor a
 * tripped breaker nor the budgets (upstream kept all of it in memory, docs/upstream.md §13.19).
 * @module
 */

/**
 * The gate's first tables: the ledger's migration `002_safety`. Released: never edit (a database that
 * already recorded 002 would not see the change); add a new statement below and a new migration.
 */
export const SAFETY_TABLES_SQL = `
CREATE TABLE IF NOT EXISTS safety_kill_switch (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  active INTEGER NOT NULL CHECK (active IN (0, 1)),
  reason TEXT,
  activated_at_ms INTEGER,
  activated_by TEXT,
  resumed_at_ms INTEGER,
  resumed_by TEXT
);
CREATE TABLE IF NOT EXISTS safety_policies (
  spender TEXT PRIMARY KEY,
  per_request_max_trm INTEGER NOT NULL CHECK (per_request_max_trm >= 0),
  per_request_hard_max_trm INTEGER NOT NULL CHECK (per_request_hard_max_trm >= per_request_max_trm),
  hourly_max_trm INTEGER NOT NULL CHECK (hourly_max_trm >= 0),
  lifetime_max_trm INTEGER NOT NULL CHECK (lifetime_max_trm >= 0),
  approval_threshold_trm INTEGER CHECK (approval_threshold_trm IS NULL OR approval_threshold_trm >= 0),
  updated_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS safety_breakers (
  spender TEXT PRIMARY KEY,
  consecutive_errors INTEGER NOT NULL DEFAULT 0,
  tripped_at_ms INTEGER,
  trip_code TEXT
);
CREATE TABLE IF NOT EXISTS safety_velocity (
  spender TEXT NOT NULL,
  time_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS safety_velocity_by_spender ON safety_velocity (spender, time_ms);
CREATE TABLE IF NOT EXISTS safety_lifetime (
  spender TEXT PRIMARY KEY,
  settled_trm INTEGER NOT NULL CHECK (settled_trm >= 0)
);
CREATE TABLE IF NOT EXISTS safety_grants (
  grant_id TEXT PRIMARY KEY,
  spender TEXT NOT NULL,
  granted_trm INTEGER NOT NULL CHECK (granted_trm >= 0),
  spent_trm INTEGER CHECK (spent_trm IS NULL OR spent_trm >= 0),
  state TEXT NOT NULL CHECK (state IN ('pending', 'settled', 'released')),
  time_ms INTEGER NOT NULL,
  settled_at_ms INTEGER,
  approval_id TEXT
);
CREATE INDEX IF NOT EXISTS safety_grants_by_spender ON safety_grants (spender, time_ms);
CREATE TABLE IF NOT EXISTS safety_approvals (
  approval_id TEXT PRIMARY KEY,
  spender TEXT NOT NULL,
  amount_trm INTEGER NOT NULL CHECK (amount_trm >= 0),
  request_id TEXT,
  reason TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'consumed')),
  created_at_ms INTEGER NOT NULL,
  deadline_ms INTEGER NOT NULL,
  decided_at_ms INTEGER,
  decided_by TEXT,
  redeem_deadline_ms INTEGER
);
CREATE INDEX IF NOT EXISTS safety_approvals_by_status ON safety_approvals (status, spender);
CREATE TABLE IF NOT EXISTS safety_decisions (
  decision_id INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ms INTEGER NOT NULL,
  spender TEXT NOT NULL,
  amount_trm INTEGER,
  allowed INTEGER NOT NULL CHECK (allowed IN (0, 1)),
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  reason TEXT,
  request_id TEXT,
  approval_id TEXT,
  grant_id TEXT
);
CREATE INDEX IF NOT EXISTS safety_decisions_by_spender ON safety_decisions (spender, time_ms);
`;

/**
 * Per-spender breaker settings (the ledger's migration `005_safety_breaker_policies`): the breaker half
 * of a spender's policy, written with its budget row by `setPolicy`. A budget row without one (written
 * before this table existed) takes the breaker settings of the spender's default policy.
 */
export const SAFETY_BREAKER_POLICIES_SQL = `
CREATE TABLE IF NOT EXISTS safety_breaker_policies (
  spender TEXT PRIMARY KEY,
  velocity_spends_per_minute_max INTEGER NOT NULL CHECK (velocity_spends_per_minute_max >= 1),
  breaker_consecutive_errors_max INTEGER NOT NULL CHECK (breaker_consecutive_errors_max >= 1)
);
`;

/**
 * Every table of the safety gate, as CREATE … IF NOT EXISTS statements: idempotent. For a gate on a
 * database the ledger's migrations did not create (tests, embedders); the ledger applies the parts as
 * its migrations 002 and 005.
 */
export const SAFETY_SCHEMA_SQL = SAFETY_TABLES_SQL + SAFETY_BREAKER_POLICIES_SQL;
