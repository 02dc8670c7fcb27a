/**
 * Cycles, their spends and their benchmark results in the mind's database. A cycle row is inserted
 * `running` and closed once, in one `BEGIN IMMEDIATE` transaction with its benchmark rows and, on keep,
 * the new current version; its cost and trades are read from its spends, one row per settled purchase.
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";
import type { BenchmarkResult } from "./benchmark.js";
import type { CycleDecision } from "./budget.js";
import { LIST_LIMIT_MAX } from "./constants.js";
import { MindStopCode } from "./errors.js";

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

/** The `record` column: what a cycle's row holds beyond its columns (its benchmarks have their own rows). */
type CycleRecord = Pick<CycleClose, "proposal" | "delta" | "return_trm" | "roi">;

/** The cycle half of the store. */
export interface CycleStore {
  beginCycle(input: { optimiser: string; baseline_version: number }): number;
  recordSpend(spend: SpendRow): void;
  /** Closes a running cycle in one transaction (on keep the candidate becomes current). */
  closeCycle(cycleId: number, close: CycleClose): CycleView;
  cycle(cycleId: number): CycleView | undefined;
  cycles(options?: { limit?: number; beforeId?: number }): CycleView[];
  /** Records a standalone benchmark result. */
  recordBenchmark(result: BenchmarkResult): void;
  /**
   * Adds a trade this node paid for a closed cycle (its request id `mind-c<cycle>-…`) that the cycle did
   * not record — the process died between the ledger settling it and the run recording it, or its
   * provider settled it after a restart. True when added; a trade already recorded, of a running cycle
   * (its run records it) or of no cycle is left alone.
   */
  adoptTrade(trade: AdoptedTrade): boolean;
}

/** A trade as the ledger holds it, the fields the mind reads. */
export interface AdoptedTrade {
  trade_id: string;
  request_id: string;
  amount_trm: number;
  model_id: string;
  provider: string;
  timestamp_ms: number;
}

const CYCLE_REQUEST_RE = /^mind-c(\d{1,15})-/;

/**
 * The cycle store over an open database; closes cycles left `running` by a process that died as
 * deferred (`INTERRUPTED`), keeping the spends they recorded.
 */
export function createCycleStore(
  db: BetterSqlite3.Database,
  now: () => number,
  setCurrent: (version: number) => void,
): CycleStore {
  const spendsOf = db.prepare<[number], { trade_id: string | null; amount_trm: number }>(
    "SELECT trade_id, amount_trm FROM spends WHERE cycle_id = ? ORDER BY spend_id",
  );
  const benchmarksOf = db.prepare<[number], { role: string; result: string }>(
    "SELECT role, result FROM benchmarks WHERE cycle_id = ? ORDER BY bench_id",
  );
  function view(row: CycleRow): CycleView {
    const record = row.record === null ? null : (JSON.parse(row.record) as CycleRecord);
    const spends = spendsOf.all(row.cycle_id);
    const results = new Map(
      benchmarksOf.all(row.cycle_id).map((b) => [b.role, JSON.parse(b.result) as BenchmarkResult]),
    );
    const baseline = results.get("baseline") ?? null;
    const candidate = results.get("candidate") ?? null;
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
      baseline_score: baseline?.score ?? null,
      candidate_score: candidate?.score ?? null,
      delta: record?.delta ?? null,
      return_trm: record?.return_trm ?? null,
      roi: record?.roi ?? null,
      invested_trm: spends.reduce((sum, s) => sum + s.amount_trm, 0),
      trade_ids: spends.flatMap((s) => (s.trade_id === null ? [] : [s.trade_id])),
      proposal: record?.proposal ?? null,
      baseline,
      candidate,
    };
  }

  const selectCycle = db.prepare<[number], CycleRow>("SELECT * FROM cycles WHERE cycle_id = ?");
  const closeRow = db.prepare(
    `UPDATE cycles SET status = 'done', finished_ms = ?, candidate_version = ?, decision = ?, stop_code = ?,
       stop_message = ?, record = ? WHERE cycle_id = ? AND status = 'running'`,
  );
  const adoptRow = db.prepare(
    `INSERT OR IGNORE INTO spends (cycle_id, purpose, request_id, trade_id, amount_trm, model_id, provider, created_ms)
     VALUES (?, 'adopted', ?, ?, ?, ?, ?, ?)`,
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
      JSON.stringify({
        proposal: close.proposal,
        delta: close.delta,
        return_trm: close.return_trm,
        roi: close.roi,
      } satisfies CycleRecord),
      cycleId,
    ).changes;
    if (changed !== 1) throw new Error(`cycle ${cycleId} is not running`);
    for (const [role, result] of [
      ["baseline", close.baseline],
      ["candidate", close.candidate],
    ] as const)
      if (result !== null)
        insertBench.run(cycleId, role, result.harness_version, now(), JSON.stringify(result));
    if (close.decision === "keep" && close.candidate_version !== null) setCurrent(close.candidate_version);
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

  return {
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
    adoptTrade(trade) {
      const match = CYCLE_REQUEST_RE.exec(trade.request_id);
      if (match === null) return false;
      const cycleId = Number(match[1]);
      if (selectCycle.get(cycleId)?.status !== "done") return false;
      return (
        adoptRow.run(
          cycleId,
          trade.request_id,
          trade.trade_id,
          trade.amount_trm,
          trade.model_id,
          trade.provider,
          trade.timestamp_ms,
        ).changes === 1
      );
    },
  };
}
