/**
 * Proves the migration runner applies each migration once, in order, atomically with its record, and
 * refuses a malformed list or a database written by a newer build; and that a ledger database from
 * before the breaker settings (005) upgrades with its stored policies intact.
 */
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createManualClock } from "@tirami/core";
import { createSafetyGate } from "../safety/index.js";
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
      "005_safety_breaker_policies",
      "006_loans",
      "007_lightning",
      "008_bank",
      "008_bank_contracts",
    ]);
    expect(applyMigrations(db, LEDGER_MIGRATIONS)).toEqual([]);
    expect(db.prepare("SELECT id FROM schema_migrations ORDER BY id").pluck().all()).toEqual(
      LEDGER_MIGRATIONS.map((m) => m.id),
    );
  });

  it("upgrades a database from before 005: stored policies keep their budgets and take their spender's breaker defaults", () => {
    const db = memory();
    applyMigrations(db, LEDGER_MIGRATIONS.slice(0, 4));
    const insert = db.prepare(
      `INSERT INTO safety_policies (spender, per_request_max_trm, per_request_hard_max_trm, hourly_max_trm,
         lifetime_max_trm, approval_threshold_trm, updated_at_ms) VALUES (?, 1000, 10000, ?, 1000000, 5000, 1)`,
    );
    insert.run("operator", 50_000);
    insert.run("agent-a", 500);
    expect(applyMigrations(db, LEDGER_MIGRATIONS)).toEqual([
      "005_safety_breaker_policies",
      "006_loans",
      "007_lightning",
      "008_bank",
      "008_bank_contracts",
    ]);
    const gate = createSafetyGate({ db, clock: createManualClock(1_000) });
    expect(gate.getPolicy("operator")).toMatchObject({
      hourly_max_trm: 50_000,
      velocity_spends_per_minute_max: 600,
      breaker_consecutive_errors_max: 20,
    });
    expect(gate.getPolicy("agent-a")).toMatchObject({
      hourly_max_trm: 500,
      velocity_spends_per_minute_max: 30,
      breaker_consecutive_errors_max: 5,
    });
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
