/**
 * The mind's store on its own SQLite file (`schema.ts`): harness versions and the current one
 * (`harness-store.ts`), settings (budget, optimiser, task set, routing, day window), cycles, their
 * benchmark results and spends (`cycle-store.ts`). Closing a cycle — its decision, its benchmark rows and,
 * on keep, the new current version — is one `BEGIN IMMEDIATE` transaction, so a cycle is never
 * half-recorded. A cycle found `running` on open died with its process: it is closed as deferred
 * (`INTERRUPTED`) with the spends it had recorded.
 * @module
 */
import type { Clock } from "@tirami/core";
import Database from "better-sqlite3";
import type { BenchmarkResult } from "./benchmark.js";
import { dayWindowStart, type DayUsage } from "./budget.js";
import { createCycleStore, type CycleStore } from "./cycle-store.js";
import { createHarnessStore, type HarnessStore } from "./harness-store.js";
import type { Harness } from "./harness.js";
import { MIND_MIGRATIONS } from "./schema.js";

export type { AdoptedTrade, CycleClose, CycleView, SpendRow } from "./cycle-store.js";

/** The store. */
export interface MindStore extends HarnessStore, CycleStore {
  getSetting<T>(key: string): T | undefined;
  setSetting(key: string, value: unknown): void;
  /** The current harness, or undefined before init. */
  current(): Harness | undefined;
  /**
   * Spends and started cycles in the current day window. A window older than a day is over: with
   * `start` (a run about to spend) a new one begins now and is stored; without, what a new one would be
   * is only reported.
   */
  dayUsage(nowMs: number, options?: { start?: boolean }): DayUsage & { day_started_ms: number };
  stats(): {
    cycle_count: number;
    kept: number;
    reverted: number;
    deferred: number;
    total_trm_invested: number;
  };
  /** Baseline score of the first cycle and score of the current harness as last measured, if any. */
  scores(): { first_score: number | null; latest_score: number | null };
  close(): void;
}

const SETTING_DAY = "day_started_ms";

/** Opens (creating and migrating) the mind's database at `path` (`:memory:` for tests). */
export function openMindStore(options: { path: string; clock: Clock }): MindStore {
  const db = new Database(options.path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  const from = db.pragma("user_version", { simple: true }) as number;
  db.transaction(() => {
    for (let index = from; index < MIND_MIGRATIONS.length; index += 1)
      db.exec(MIND_MIGRATIONS[index] as string);
    db.pragma(`user_version = ${MIND_MIGRATIONS.length}`);
  }).immediate();
  const now = () => options.clock.nowMs();

  const getSetting = <T>(key: string): T | undefined => {
    const row = db.prepare<[string], { value: string }>("SELECT value FROM settings WHERE key = ?").get(key);
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  };
  const setSetting = (key: string, value: unknown): void => {
    db.prepare(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(key, JSON.stringify(value));
  };
  const setCurrent = (version: number) => setSetting("current_version", version);
  const harnesses = createHarnessStore(db, now, setCurrent);
  const cycles = createCycleStore(db, now, setCurrent);

  return {
    ...harnesses,
    ...cycles,
    getSetting,
    setSetting,
    current() {
      const version = getSetting<number>("current_version");
      return version === undefined ? undefined : harnesses.version(version);
    },
    dayUsage(nowMs, usageOptions = {}) {
      const stored = getSetting<number>(SETTING_DAY) ?? null;
      const start = dayWindowStart(stored, nowMs);
      if (start !== stored && usageOptions.start === true) setSetting(SETTING_DAY, start);
      const spent = db
        .prepare("SELECT coalesce(sum(amount_trm), 0) FROM spends WHERE created_ms >= ?")
        .pluck()
        .get(start) as number;
      const cycles = db
        .prepare("SELECT count(*) FROM cycles WHERE started_ms >= ?")
        .pluck()
        .get(start) as number;
      return { spent_trm: spent, cycles, day_started_ms: start };
    },
    stats() {
      const row = db
        .prepare<[], { n: number; kept: number; reverted: number; deferred: number }>(
          `SELECT count(*) AS n, coalesce(sum(decision = 'keep'), 0) AS kept, coalesce(sum(decision = 'revert'), 0) AS reverted,
             coalesce(sum(decision = 'defer'), 0) AS deferred FROM cycles WHERE status = 'done'`,
        )
        .get() as { n: number; kept: number; reverted: number; deferred: number };
      const invested = db
        .prepare("SELECT coalesce(sum(amount_trm), 0) FROM spends WHERE cycle_id IS NOT NULL")
        .pluck()
        .get() as number;
      return {
        cycle_count: row.n,
        kept: row.kept,
        reverted: row.reverted,
        deferred: row.deferred,
        total_trm_invested: invested,
      };
    },
    scores() {
      const first = db
        .prepare<[], { result: string }>(
          "SELECT result FROM benchmarks WHERE role = 'baseline' ORDER BY bench_id LIMIT 1",
        )
        .get();
      const current = getSetting<number>("current_version");
      const latest =
        current === undefined
          ? undefined
          : db
              .prepare<[number], { result: string }>(
                `SELECT result FROM benchmarks WHERE harness_version = ? AND cycle_id IS NOT NULL
                 ORDER BY bench_id DESC LIMIT 1`,
              )
              .get(current);
      const scoreOf = (row: { result: string } | undefined) =>
        row === undefined ? null : (JSON.parse(row.result) as BenchmarkResult).score;
      return { first_score: scoreOf(first), latest_score: scoreOf(latest) };
    },
    close: () => db.close(),
  };
}
