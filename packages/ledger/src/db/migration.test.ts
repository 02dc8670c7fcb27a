/**
 * Proves the migration runner applies each migration once, in order, atomically with its record, and
 * refuses a malformed list or a database written by a newer build.
 */
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { applyMigrations, type Migration } from "./migration.js";
import { LEDGER_MIGRATIONS } from "./migrations.js";

const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});
function memory(): Database.Database {
  const db = new Database(":memory:");
  open.push(db);
  return db;
}

describe("applyMigrations", () => {
  it("applies the ledger's list once and records each id", () => {
    const db = memory();
    expect(applyMigrations(db, LEDGER_MIGRATIONS)).toEqual([
      "001_core",
      "002_safety",
      "003_pricing",
      "004_reputation",
    ]);
    expect(applyMigrations(db, LEDGER_MIGRATIONS)).toEqual([]);
    expect(db.prepare("SELECT id FROM schema_migrations ORDER BY id").pluck().all()).toEqual(
      LEDGER_MIGRATIONS.map((m) => m.id),
    );
  });

  it("rolls a failing migration back entirely, record included", () => {
    const db = memory();
    const broken: Migration[] = [
      { id: "001_a", sql: "CREATE TABLE a (x INTEGER);" },
      { id: "002_b", sql: "CREATE TABLE b (x INTEGER); CREATE TABLE a (y INTEGER);" },
    ];
    expect(() => applyMigrations(db, broken)).toThrow();
    expect(db.prepare("SELECT id FROM schema_migrations").pluck().all()).toEqual(["001_a"]);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'b'").get()).toBeUndefined();
  });

  it("refuses malformed lists and unknown applied migrations", () => {
    const db = memory();
    expect(() => applyMigrations(db, [{ id: "bad", sql: "SELECT 1" }])).toThrow(RangeError);
    expect(() =>
      applyMigrations(db, [
        { id: "002_b", sql: "SELECT 1" },
        { id: "001_a", sql: "SELECT 1" },
      ]),
    ).toThrow(RangeError);
    expect(() => applyMigrations(db, [{ id: "001_a", sql: " " }])).toThrow(RangeError);
    applyMigrations(db, [
      { id: "001_a", sql: "CREATE TABLE a (x INTEGER)" },
      { id: "002_b", sql: "CREATE TABLE b (x INTEGER)" },
    ]);
    expect(() => applyMigrations(db, [{ id: "001_a", sql: "CREATE TABLE a (x INTEGER)" }])).toThrow(
      /unknown to this build/,
    );
  });
});
