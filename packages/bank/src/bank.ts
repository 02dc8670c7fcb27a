/**
 * `createBank`: the node's treasury (docs/bank.md). Reads the portfolio and the pool live from the
 * ledger and lending, decides with the configured strategy, fits the decisions to the bank's budget in
 * the safety gate, and acts through lending as the `bank` spender — or, in a dry run, only records the
 * plan. Every decision of every tick is persisted with its outcome. Ticks run one at a time.
 * @module
 */
import { randomBytes } from "node:crypto";
import type { AccountId, Clock } from "@tirami/core";
import { act } from "./act.js";
import { type BankBudget, readBudget } from "./budget.js";
import {
  OPTIMIZE_VAR_FRACTION_MAX,
  OPTIMIZE_VAR_FRACTION_MIN,
  POSITIONS_MAX,
  TICK_INTERVAL_MS_MAX,
  TICK_INTERVAL_MS_MIN,
} from "./constants.js";
import { BankError, BankErrorCode } from "./errors.js";
import { type PlannedDecision, planTick, repaymentsDue } from "./plan.js";
import { poolSnapshot } from "./pool.js";
import { readPortfolio, readRiskInput } from "./portfolio.js";
import type { BankLedger, BankLending } from "./ports.js";
import { assessRisk, passesRiskBudget, type RiskAssessment } from "./risk.js";
import { simulate } from "./simulate.js";
import { createBankStore, type RecordedDecision } from "./store.js";
import { decide, parseRiskTolerance, parseStrategy, type Strategy } from "./strategy.js";
import type { PoolSnapshot, Portfolio, RiskTolerance } from "./types.js";

export interface BankOptions {
  ledger: BankLedger;
  /** The mesh's lending, when the node runs one; without it a tick can only be a dry run. */
  lending: () => BankLending | undefined;
  /** This node's account. */
  account: AccountId;
  clock: Clock;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface TickResult {
  tick_id: string;
  tick_ms: number;
  dry_run: boolean;
  strategy: Strategy;
  risk_tolerance: RiskTolerance;
  pool: PoolSnapshot;
  budget: BankBudget;
  decisions: RecordedDecision[];
}

export interface OptimizeResult extends TickResult {
  /** Whether the decisions were acted on (the post-decision VaR fits the budget and it was no dry run). */
  applied: boolean;
  rationale: string;
  max_var_fraction: number;
  risk_before: RiskAssessment;
  risk_after: RiskAssessment;
}

export interface Bank {
  portfolio(): Portfolio;
  pool(): PoolSnapshot;
  settings(): { strategy: Strategy; risk_tolerance: RiskTolerance };
  setStrategy(strategy: Strategy): Strategy;
  setRiskTolerance(tolerance: RiskTolerance): RiskTolerance;
  risk(): RiskAssessment;
  budget(): BankBudget;
  /** Decides and acts (or, with `dryRun`, only records the plan). */
  tick(options?: { dryRun?: boolean }): Promise<TickResult>;
  /** A tick acted on only if its post-decision VaR99 ≤ `maxVar99Trm` as a share of the portfolio value. */
  optimize(options: { maxVar99Trm: number; dryRun?: boolean }): Promise<OptimizeResult>;
  /** The persisted decision history, newest first. */
  decisions(limit?: number): RecordedDecision[];
  /** Ticks every `intervalMs` in the background until `stop()`. */
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

export function createBank(options: BankOptions): Bank {
  const { ledger, account: self, clock } = options;
  const store = createBankStore(ledger.sqlite);
  const log = options.log ?? (() => undefined);
  let queue: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  /** Runs `fn` after every tick before it: two ticks never act at once. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }

  function plan(): { plan: PlannedDecision[]; tick: Omit<TickResult, "decisions" | "dry_run"> } {
    const nowMs = clock.nowMs();
    const lending = options.lending();
    const pool = poolSnapshot(ledger, lending, self);
    const strategy = store.strategy();
    const tolerance = store.risk();
    const portfolio = readPortfolio(ledger, self, 0);
    const budget = readBudget(ledger);
    const borrowed = ledger.loans
      .list({ account: self, status: "active", limit: POSITIONS_MAX })
      .filter((l) => l.loan.borrower === self);
    const planned = planTick({
      decisions: decide(strategy, portfolio, pool, tolerance),
      repayments: repaymentsDue(borrowed, nowMs),
      budget,
      pool,
      cashTrm: portfolio.cash_trm,
    });
    const tick = {
      tick_id: randomBytes(16).toString("hex"),
      tick_ms: nowMs,
      strategy,
      risk_tolerance: tolerance,
      pool,
      budget,
    };
    return { plan: planned, tick };
  }

  async function carryOut(
    planned: readonly PlannedDecision[],
    tick: Omit<TickResult, "decisions" | "dry_run">,
    dryRun: boolean,
    veto: string | null,
  ): Promise<RecordedDecision[]> {
    const lending = options.lending();
    const recorded: RecordedDecision[] = [];
    for (const { decision, preset } of planned) {
      let result = preset;
      if (result === null && veto !== null) result = { outcome: "skipped", detail: veto };
      if (result === null && dryRun) result = { outcome: "planned", detail: null };
      if (result === null && lending === undefined)
        result = {
          outcome: "failed",
          detail: "MESH_DISABLED: the bank acts through the mesh, which is not running",
        };
      result ??= await act(decision, { ledger, lending: lending!, self });
      recorded.push(
        store.record({
          tickId: tick.tick_id,
          tickMs: tick.tick_ms,
          dryRun,
          strategy: tick.strategy,
          pool: tick.pool,
          decision,
          outcome: result.outcome,
          detail: result.detail,
        }),
      );
    }
    if (!dryRun)
      log("bank tick", { tick_id: tick.tick_id, outcomes: recorded.map((d) => `${d.action}:${d.outcome}`) });
    return recorded;
  }

  async function tick(dryRun: boolean): Promise<TickResult> {
    const { plan: planned, tick: t } = plan();
    return { ...t, dry_run: dryRun, decisions: await carryOut(planned, t, dryRun, null) };
  }

  async function optimize(maxVar99Trm: number, dryRun: boolean): Promise<OptimizeResult> {
    const { plan: planned, tick: t } = plan();
    const before = readRiskInput(ledger, self);
    const fraction = Math.min(
      OPTIMIZE_VAR_FRACTION_MAX,
      Math.max(OPTIMIZE_VAR_FRACTION_MIN, maxVar99Trm / Math.max(1, before.cash_trm + before.lent_trm)),
    );
    const riskBefore = assessRisk(before);
    const riskAfter = assessRisk(simulate(before, planned));
    const passes = passesRiskBudget(riskAfter, fraction);
    const rationale = passes
      ? `risk budget OK: post-decision VaR99 ${riskAfter.var_99_trm} TRM of ${riskAfter.portfolio_value_trm} (≤ ${fraction})`
      : `REJECTED: post-decision VaR99 ${riskAfter.var_99_trm} TRM of ${riskAfter.portfolio_value_trm} exceeds ${fraction}`;
    const decisions = await carryOut(planned, t, dryRun, passes ? null : `VAR_BUDGET: ${rationale}`);
    return {
      ...t,
      dry_run: dryRun,
      decisions,
      applied: passes && !dryRun,
      rationale,
      max_var_fraction: fraction,
      risk_before: riskBefore,
      risk_after: riskAfter,
    };
  }

  return {
    portfolio: () => readPortfolio(ledger, self, store.count()),
    pool: () => poolSnapshot(ledger, options.lending(), self),
    settings: () => ({ strategy: store.strategy(), risk_tolerance: store.risk() }),
    setStrategy(strategy) {
      const clean = parseStrategy(strategy);
      store.setStrategy(clean, clock.nowMs());
      return clean;
    },
    setRiskTolerance(tolerance) {
      const clean = parseRiskTolerance(tolerance);
      store.setRisk(clean, clock.nowMs());
      return clean;
    },
    risk: () => assessRisk(readRiskInput(ledger, self)),
    budget: () => readBudget(ledger),
    tick: (o = {}) => serial(() => tick(o.dryRun === true)),
    optimize(o) {
      if (typeof o.maxVar99Trm !== "number" || !Number.isSafeInteger(o.maxVar99Trm) || o.maxVar99Trm < 0)
        throw new BankError(BankErrorCode.INVALID_BANK_REQUEST, `"max_var_99_trm" expected an integer ≥ 0`);
      return serial(() => optimize(o.maxVar99Trm, o.dryRun === true));
    },
    decisions: (limit) => store.list(limit),
    start(intervalMs) {
      if (
        !Number.isSafeInteger(intervalMs) ||
        intervalMs < TICK_INTERVAL_MS_MIN ||
        intervalMs > TICK_INTERVAL_MS_MAX
      )
        throw new BankError(
          BankErrorCode.INVALID_BANK_SETTING,
          `"tick_interval_ms" expected ${TICK_INTERVAL_MS_MIN}..${TICK_INTERVAL_MS_MAX}`,
        );
      if (timer !== undefined) return;
      timer = setInterval(() => {
        void serial(() => tick(false)).catch((error: unknown) =>
          log("bank tick failed", { err: (error as Error).message }),
        );
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await queue;
    },
  };
}
