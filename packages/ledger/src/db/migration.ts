/**
 * Migrations in code: an ordered list of `{ id, sql }`, each applied once, in order, inside one
 * `BEGIN IMMEDIATE` transaction together with its row in `schema_migrations`. A half-applied migration
 * cannot exist: SQLite DDL is transactional.
 * @module
 */
import type Database from "better-sqlite3";

/** One schema step. `id` sorts in application order (`001_core`, `002_safety`, …) and never changes. */
export interface Migration {
  readonly id: string;
  readonly sql: string;
}

const MIGRATION_ID_RE = /^[0-9]{3}_[a-z0-9_]{1,60}$/;

/**
 * Applies every migration of `migrations` not yet recorded, in list order. Throws `RangeError` when the
 * list is malformed (bad or duplicate ids, out of order) and `Error` when the database holds a migration
 * this code does not know (a newer build wrote it): running old code on a newer schema is refused.
 * Returns the ids applied by this call.
 */
export function applyMigrations(db: Database.Database, migrations: readonly Migration[]): string[] {
  checkList(migrations);
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY NOT NULL, applied_ms INTEGER NOT NULL) STRICT",
  );
  const known = new Set(migrations.map((m) => m.id));
  const applied = new Set(
    (db.prepare("SELECT id FROM schema_migrations").all() as { id: string }[]).map((row) => row.id),
  );
  for (const id of applied) {
    if (!known.has(id))
      throw new Error(`database has migration "${id}" unknown to this build; refusing to open`);
  }
  const insert = db.prepare("INSERT INTO schema_migrations (id, applied_ms) VALUES (?, ?)");
  const done: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      insert.run(migration.id, Date.now());
    }).immediate();
    done.push(migration.id);
  }
  return done;
}

function checkList(migrations: readonly Migration[]): void {
  let previous = "";
  for (const migration of migrations) {
    if (!MIGRATION_ID_RE.test(migration.id)) throw new RangeError(`bad migration id "${migration.id}"`);
    if (migration.id <= previous)
      throw new RangeError(`migration "${migration.id}" is out of order or duplicated`);
    if (typeof migration.sql !== "string" || migration.sql.trim() === "") {
      throw new RangeError(`migration "${migration.id}" has no SQL`);
    }
    previous = migration.id;
  }
}
