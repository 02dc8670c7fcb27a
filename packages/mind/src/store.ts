/**
 * The mind's store on its own SQLite file (`schema.ts`): harness versions and the current one, settings
 * (budget, optimiser, task set, day window), cycles, benchmark results and spends. Every write that
 * closes a cycle — its decision, its benchmark rows and, on keep, the new current version — is one
 * `BEGIN IMMEDIATE` transaction, so a cycle is never half-recorded. A cycle found `running` on open died
 * with its process: it is closed as deferred (`INTERRUPTED`) with the spends it had recorded.
 * @module
 */
import type { Clock } from "@tirami/core";
import Database from "better-sqlite3";
import type { BenchmarkResult } from "./benchmark.js";
import { type CycleDecision, dayWindowStart, type DayUsage } from "./budget.js";
import { LIST_LIMIT_MAX } from "./constants.js";
import { MindError, MindErrorCode, MindStopCode } from "./errors.js";
import { type Harness, type HarnessSpec, specOf } from "./harness.js";
import { MIND_MIGRATIONS } from "./schema.js";

/** A settled purchase the mind made. */
export interface SpendRow {
  cycle_id: number | null;
  purpose: string;
  request_id: string;
  trade_id: string | null;
  amount_trm: number;
  model_id: string;
  provider: string | null;
}

/** What a closed cycle adds to its row. */
export interface CycleClose {
  candidate_version: number | null;
  decision: CycleDecision;
  stop_code: string | null;
  stop_message: string | null;
  baseline: BenchmarkResult | null;
  candidate: BenchmarkResult | null;
  proposal: { proposer: string; rationale: string; cost_trm: number } | null;
  delta: number | null;
  return_trm: number | null;
  roi: number | null;
}

/** A cycle as the API shows it (upstream `ImprovementCycle`, with its trades). */
export interface CycleView {
  cycle_id: number;
  started_ms: number;
  finished_ms: number | null;
  status: "running" | "done";
  optimiser: string;
  baseline_version: number;
  candidate_version: number | null;
  decision: CycleDecision | null;
  stop_code: string | null;
  stop_message: string | null;
  baseline_score: number | null;
  candidate_score: number | null;
  delta: number | null;
  return_trm: number | null;
  roi: number | null;
  /** Sum of the cycle's spends: always equal to the sum of `trade_ids`' amounts in the ledger. */
  invested_trm: number;
  trade_ids: string[];
  proposal: CycleClose["proposal"];
  baseline: BenchmarkResult | null;
  candidate: BenchmarkResult | null;
}

interface CycleRow {
  cycle_id: number;
  started_ms: number;
  finished_ms: number | null;
  status: "running" | "done";
  optimiser: string;
  baseline_version: number;
  candidate_version: number | null;
  decision: CycleDecision | null;
  stop_code: string | null;
  stop_message: string | null;
  record: string | null;
}

/** The store. */
export interface MindStore {
  getSetting<T>(key: string): T | undefined;
  setSetting(key: string, value: unknown): void;
  /** Adds a harness version (the next number); with `makeCurrent` it becomes the current one. */
  addVersion(spec: HarnessSpec, parent: number | null, options?: { makeCurrent?: boolean }): Harness;
  /** @throws {MindError} HARNESS_VERSION_NOT_FOUND. */
  version(version: number): Harness;
  /** The current harness, or undefined before init. */
  current(): Harness | undefined;
  versions(options?: { limit?: number; beforeVersion?: number }): Harness[];
  versionCount(): number;
  beginCycle(input: { optimiser: string; baseline_version: number }): number;
  recordSpend(spend: SpendRow): void;
  /** Closes a running cycle in one transaction (on keep the candidate becomes current). */
  closeCycle(cycleId: number, close: CycleClose): CycleView;
  cycle(cycleId: number): CycleView | undefined;
  cycles(options?: { limit?: number; beforeId?: number }): CycleView[];
  /** Records a standalone benchmark result. */
  recordBenchmark(result: BenchmarkResult): void;
  /** Spends and started cycles in the current day window (starting a new one when the last expired). */
  dayUsage(nowMs: number): DayUsage & { day_started_ms: number };
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

  const toHarness = (row: {
    version: number;
    parent_version: number | null;
    created_ms: number;
    spec: string;
  }): Harness => ({
    ...(JSON.parse(row.spec) as HarnessSpec),
    version: row.version,
    parent_version: row.parent_version,
    created_ms: row.created_ms,
  });
  const spendsOf = db.prepare<[number], { trade_id: string | null; amount_trm: number }>(
    "SELECT trade_id, amount_trm FROM spends WHERE cycle_id = ? ORDER BY spend_id",
  );
  function view(row: CycleRow): CycleView {
    const record = row.record === null ? null : (JSON.parse(row.record) as CycleClose);
    const spends = spendsOf.all(row.cycle_id);
    return {
      cycle_id: row.cycle_id,
      started_ms: row.started_ms,
      finished_ms: row.finished_ms,
      status: row.status,
      optimiser: row.optimiser,
      baseline_version: row.baseline_version,
      candidate_version: row.candidate_version,
      decision: row.decision,
      stop_code: row.stop_code,
      stop_message: row.stop_message,
      baseline_score: record?.baseline?.score ?? null,
      candidate_score: record?.candidate?.score ?? null,
      delta: record?.delta ?? null,
      return_trm: record?.return_trm ?? null,
      roi: record?.roi ?? null,
      invested_trm: spends.reduce((sum, s) => sum + s.amount_trm, 0),
      trade_ids: spends.flatMap((s) => (s.trade_id === null ? [] : [s.trade_id])),
      proposal: record?.proposal ?? null,
      baseline: record?.baseline ?? null,
      candidate: record?.candidate ?? null,
    };
  }

  const getSetting = <T>(key: string): T | undefined => {
    const row = db.prepare<[string], { value: string }>("SELECT value FROM settings WHERE key = ?").get(key);
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  };
  const setSetting = (key: string, value: unknown): void => {
    db.prepare(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(key, JSON.stringify(value));
  };
  const selectCycle = db.prepare<[number], CycleRow>("SELECT * FROM cycles WHERE cycle_id = ?");
  const closeRow = db.prepare(
    `UPDATE cycles SET status = 'done', finished_ms = ?, candidate_version = ?, decision = ?, stop_code = ?,
       stop_message = ?, record = ? WHERE cycle_id = ? AND status = 'running'`,
  );
  const insertBench = db.prepare(
    "INSERT INTO benchmarks (cycle_id, role, harness_version, created_ms, result) VALUES (?, ?, ?, ?, ?)",
  );

  const closeCycleTx = db.transaction((cycleId: number, close: CycleClose) => {
    const changed = closeRow.run(
      now(),
      close.candidate_version,
      close.decision,
      close.stop_code,
      close.stop_message,
      JSON.stringify(close),
      cycleId,
    ).changes;
    if (changed !== 1) throw new Error(`cycle ${cycleId} is not running`);
    for (const [role, result] of [
      ["baseline", close.baseline],
      ["candidate", close.candidate],
    ] as const)
      if (result !== null)
        insertBench.run(cycleId, role, result.harness_version, now(), JSON.stringify(result));
    if (close.decision === "keep" && close.candidate_version !== null)
      setSetting("current_version", close.candidate_version);
  });

  // A cycle still running belongs to a process that died: close it as deferred with what it spent.
  for (const row of db
    .prepare<[], { cycle_id: number }>("SELECT cycle_id FROM cycles WHERE status = 'running'")
    .all())
    closeCycleTx.immediate(row.cycle_id, {
      candidate_version: null,
      decision: "defer",
      stop_code: MindStopCode.INTERRUPTED,
      stop_message: "the process stopped while the cycle ran",
      baseline: null,
      candidate: null,
      proposal: null,
      delta: null,
      return_trm: null,
      roi: null,
    });

  const store: MindStore = {
    getSetting,
    setSetting,
    addVersion(spec, parent, addOptions = {}) {
      return db
        .transaction(() => {
          const info = db
            .prepare("INSERT INTO harness_versions (parent_version, created_ms, spec) VALUES (?, ?, ?)")
            .run(parent, now(), JSON.stringify(specOf(spec)));
          const version = Number(info.lastInsertRowid);
          if (addOptions.makeCurrent === true) setSetting("current_version", version);
          return store.version(version);
        })
        .immediate();
    },
    version(version) {
      const row = db
        .prepare<
          [number],
          { version: number; parent_version: number | null; created_ms: number; spec: string }
        >("SELECT * FROM harness_versions WHERE version = ?")
        .get(version);
      if (row === undefined)
        throw new MindError(MindErrorCode.HARNESS_VERSION_NOT_FOUND, `no harness version ${version}`, {
          details: { version },
        });
      return toHarness(row);
    },
    current() {
      const version = getSetting<number>("current_version");
      return version === undefined ? undefined : store.version(version);
    },
    versions(listOptions = {}) {
      const limit = Math.min(listOptions.limit ?? 100, LIST_LIMIT_MAX);
      return db
        .prepare<
          [number, number],
          { version: number; parent_version: number | null; created_ms: number; spec: string }
        >("SELECT * FROM harness_versions WHERE version < ? ORDER BY version DESC LIMIT ?")
        .all(listOptions.beforeVersion ?? Number.MAX_SAFE_INTEGER, limit)
        .map(toHarness);
    },
    versionCount: () => db.prepare("SELECT count(*) FROM harness_versions").pluck().get() as number,
    beginCycle(input) {
      const info = db
        .prepare(
          "INSERT INTO cycles (started_ms, status, optimiser, baseline_version) VALUES (?, 'running', ?, ?)",
        )
        .run(now(), input.optimiser, input.baseline_version);
      return Number(info.lastInsertRowid);
    },
    recordSpend(spend) {
      db.prepare(
        `INSERT INTO spends (cycle_id, purpose, request_id, trade_id, amount_trm, model_id, provider, created_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        spend.cycle_id,
        spend.purpose,
        spend.request_id,
        spend.trade_id,
        spend.amount_trm,
        spend.model_id,
        spend.provider,
        now(),
      );
    },
    closeCycle(cycleId, close) {
      closeCycleTx.immediate(cycleId, close);
      return view(selectCycle.get(cycleId) as CycleRow);
    },
    cycle(cycleId) {
      const row = selectCycle.get(cycleId);
      return row === undefined ? undefined : view(row);
    },
    cycles(listOptions = {}) {
      const limit = Math.min(listOptions.limit ?? 100, LIST_LIMIT_MAX);
      return db
        .prepare<[number, number], CycleRow>(
          "SELECT * FROM cycles WHERE cycle_id < ? ORDER BY cycle_id DESC LIMIT ?",
        )
        .all(listOptions.beforeId ?? Number.MAX_SAFE_INTEGER, limit)
        .map(view);
    },
    recordBenchmark(result) {
      insertBench.run(null, "standalone", result.harness_version, now(), JSON.stringify(result));
    },
    dayUsage(nowMs) {
      const stored = getSetting<number>(SETTING_DAY) ?? null;
      const start = dayWindowStart(stored, nowMs);
      if (start !== stored) setSetting(SETTING_DAY, start);
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
  return store;
}
