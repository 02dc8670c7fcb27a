/**
 * The node's own SQLite database, `$TIRAMI_HOME/node.db` (WAL): agents, self-use metering and the mesh
 * provider's unsettled consumers. It is kept apart from `ledger.db` so the ledger owns its file,
 * migrations and write lock alone, and nothing here can move money. Migrations are in code and run on open.
 * @module
 */
import { UNSETTLED_TABLE_SQL } from "@tirami/market";
import Database from "better-sqlite3";

/** A handle on node.db. */
export type NodeDatabase = Database.Database;

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE agents (
     name TEXT PRIMARY KEY,
     token_sha256 BLOB NOT NULL UNIQUE,
     status TEXT NOT NULL CHECK (status IN ('active', 'frozen', 'revoked')),
     created_ms INTEGER NOT NULL,
     updated_ms INTEGER NOT NULL
   ) STRICT`,
  `CREATE TABLE usage (
     spender TEXT PRIMARY KEY,
     requests INTEGER NOT NULL DEFAULT 0,
     prompt_tokens INTEGER NOT NULL DEFAULT 0,
     completion_tokens INTEGER NOT NULL DEFAULT 0,
     spent_trm INTEGER NOT NULL DEFAULT 0,
     last_request_ms INTEGER
   ) STRICT`,
  // The market's book of consumers that owe this provider a signature (its own schema).
  UNSETTLED_TABLE_SQL,
  // Stored Responses API answers (`store: true`), readable and chainable by the principal that made them.
  `CREATE TABLE responses (
     id TEXT PRIMARY KEY,
     spender TEXT NOT NULL,
     created_ms INTEGER NOT NULL,
     response TEXT NOT NULL,
     history TEXT NOT NULL
   ) STRICT`,
  `CREATE INDEX responses_by_spender ON responses (spender, created_ms)`,
];

/** Opens (creating if needed) node.db at `path` and brings its schema up to date. */
export function openNodeDatabase(path: string): NodeDatabase {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  const version = db.pragma("user_version", { simple: true }) as number;
  const migrate = db.transaction(() => {
    for (let index = version; index < MIGRATIONS.length; index += 1) db.exec(MIGRATIONS[index] as string);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  migrate.immediate();
  return db;
}
