/**
 * SQLite table of the pricing engine: one row holding the EMA state and the last observed inputs, so a
 * restart resumes the same price. Applied by the ledger's migrations (and by the tests directly).
 * @module
 */

/** CREATE TABLE IF NOT EXISTS statements for pricing. Idempotent. */
export const PRICING_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS pricing_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  supply_factor REAL NOT NULL,
  demand_factor REAL NOT NULL,
  raw_supply_factor REAL NOT NULL,
  raw_demand_factor REAL NOT NULL,
  providers_seen INTEGER NOT NULL,
  requests_in_flight INTEGER NOT NULL,
  peers_known INTEGER NOT NULL,
  trades_total INTEGER NOT NULL,
  observations_total INTEGER NOT NULL,
  observed_at_ms INTEGER,
  ema_updated_at_ms INTEGER
);
`;
