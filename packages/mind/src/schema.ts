/**
 * The mind's SQLite schema (its own file, `mind.db` in the node's home: nothing here moves money, and
 * the ledger keeps its file and write lock alone). Migrations run on open, in order, under `user_version`.
 * Every harness version is kept (`harness_versions`, lineage by `parent_version`); a cycle is a row that
 * is inserted `running` and closed once, in one transaction (`cycles`); every TRM the mind paid is a row
 * of `spends` with its trade id, written as the purchase settles, so a cycle's cost is always the sum of
 * its trades even when the process dies mid-cycle (the cycle is then closed as `INTERRUPTED` on reopen,
 * and a trade of it that settled unrecorded is adopted from the ledger, `adoptTrades`).
 * @module
 */
export const MIND_MIGRATIONS: readonly string[] = [
  `CREATE TABLE harness_versions (
     version INTEGER PRIMARY KEY,
     parent_version INTEGER REFERENCES harness_versions (version),
     created_ms INTEGER NOT NULL,
     spec TEXT NOT NULL
   ) STRICT`,
  `CREATE TABLE settings (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL
   ) STRICT`,
  `CREATE TABLE cycles (
     cycle_id INTEGER PRIMARY KEY,
     started_ms INTEGER NOT NULL,
     finished_ms INTEGER,
     status TEXT NOT NULL CHECK (status IN ('running', 'done')),
     optimiser TEXT NOT NULL,
     baseline_version INTEGER NOT NULL REFERENCES harness_versions (version),
     candidate_version INTEGER REFERENCES harness_versions (version),
     decision TEXT CHECK (decision IN ('keep', 'revert', 'defer')),
     stop_code TEXT,
     stop_message TEXT,
     record TEXT
   ) STRICT`,
  `CREATE TABLE benchmarks (
     bench_id INTEGER PRIMARY KEY,
     cycle_id INTEGER REFERENCES cycles (cycle_id),
     role TEXT NOT NULL CHECK (role IN ('baseline', 'candidate', 'standalone')),
     harness_version INTEGER NOT NULL,
     created_ms INTEGER NOT NULL,
     result TEXT NOT NULL
   ) STRICT`,
  `CREATE TABLE spends (
     spend_id INTEGER PRIMARY KEY,
     cycle_id INTEGER REFERENCES cycles (cycle_id),
     purpose TEXT NOT NULL,
     request_id TEXT NOT NULL,
     trade_id TEXT,
     amount_trm INTEGER NOT NULL CHECK (amount_trm >= 0),
     model_id TEXT NOT NULL,
     provider TEXT,
     created_ms INTEGER NOT NULL
   ) STRICT`,
  `CREATE INDEX spends_by_time ON spends (created_ms)`,
  `CREATE INDEX spends_by_cycle ON spends (cycle_id)`,
  `CREATE INDEX cycles_by_time ON cycles (started_ms)`,
  // A trade is one spend, whichever way it was recorded (the run's meter, or adopted later).
  `CREATE UNIQUE INDEX spends_by_trade ON spends (trade_id) WHERE trade_id IS NOT NULL`,
];
