/**
 * One improvement cycle (upstream `ImprovementCycleRunner.run_one`, docs/upstream.md §10.2): no cycle
 * starts once the day's cycles are used up or the kill switch is on; otherwise it is recorded `running`,
 * then measures the current harness (baseline), asks the optimiser for a proposal, stores the proposal
 * as a new harness version (its parent the current one), measures it (candidate) and judges it: keep
 * when the delta and the return on the TRM invested (every trade of the cycle) are worth it, else
 * revert. Any stop on the way — a budget reached, the kill switch, a gate denial, the provider failing,
 * an abort — closes the cycle as deferred with that code and what it really spent.
 * @module
 */
import { randomBytes } from "node:crypto";
import { type BenchmarkResult, runBenchmark } from "./benchmark.js";
import { judgeCycle, type MindBudget, mayStartCycle } from "./budget.js";
import { MindStop, MindStopCode } from "./errors.js";
import type { Harness } from "./harness.js";
import type { MindInference } from "./inference.js";
import { createRunMeter } from "./meter.js";
import type { Optimiser, Proposal } from "./optimisers/optimiser.js";
import type { CycleView, MindStore } from "./store.js";
import type { TaskSet } from "./tasks.js";

export interface CycleDeps {
  store: MindStore;
  harness: Harness;
  budget: MindBudget;
  taskSet: TaskSet;
  optimiser: Optimiser;
  inference: MindInference;
  killed(): boolean;
  nowMs(): number;
  signal?: AbortSignal | undefined;
}

/** A cycle that ran (recorded), or why none started (nothing recorded). */
export type CycleOutcome =
  { started: true; cycle: CycleView } | { started: false; stop_code: string; stop_message: string };

/** Runs one cycle. Errors that are not the mind's or the market's close the cycle as deferred and are rethrown. */
export async function runCycle(deps: CycleDeps): Promise<CycleOutcome> {
  const { store, harness, budget } = deps;
  const day = store.dayUsage(deps.nowMs());
  if (!mayStartCycle(budget, day))
    return {
      started: false,
      stop_code: MindStopCode.CYCLES_PER_DAY_REACHED,
      stop_message: `${day.cycles} of ${budget.max_cycles_per_day} cycles used in this day window`,
    };
  if (deps.killed())
    return {
      started: false,
      stop_code: MindStopCode.KILL_SWITCH_ACTIVE,
      stop_message: "the kill switch is active",
    };
  const cycleId = store.beginCycle({ optimiser: deps.optimiser.name, baseline_version: harness.version });
  const tag = `mind-c${cycleId}-${randomBytes(3).toString("hex")}`;
  const meter = createRunMeter({
    budget,
    day,
    inference: deps.inference,
    cycleId,
    record: (spend) => store.recordSpend(spend),
    killed: deps.killed,
    signal: deps.signal,
  });
  const bench = (subject: Harness, role: string) =>
    runBenchmark({
      harness: subject,
      taskSet: deps.taskSet,
      answer: meter.answer,
      requestIdPrefix: `${tag}-${role}`,
      nowMs: deps.nowMs,
      signal: deps.signal,
    });
  let baseline: BenchmarkResult | null = null;
  let proposal: Proposal | null = null;
  let proposalCostTrm = 0;
  let candidateVersion: Harness | null = null;
  let candidate: BenchmarkResult | null = null;
  const closeDeferred = (code: string, message: string) =>
    store.closeCycle(cycleId, {
      candidate_version: candidateVersion?.version ?? null,
      decision: "defer",
      stop_code: code,
      stop_message: message,
      baseline,
      candidate,
      proposal:
        proposal === null
          ? null
          : { proposer: proposal.proposer, rationale: proposal.rationale, cost_trm: proposalCostTrm },
      delta: null,
      return_trm: null,
      roi: null,
    });
  try {
    baseline = await bench(harness, "b");
    const before = meter.spentTrm();
    proposal = await deps.optimiser.propose({
      harness,
      baseline,
      taskSet: deps.taskSet,
      answer: meter.answer,
      requestId: (n) => `${tag}-p${n}`,
      signal: deps.signal,
    });
    proposalCostTrm = meter.spentTrm() - before;
    candidateVersion = store.addVersion(proposal.spec, harness.version);
    candidate = await bench(candidateVersion, "c");
    const verdict = judgeCycle(budget, {
      baseline: baseline.score,
      candidate: candidate.score,
      investedTrm: meter.spentTrm(),
    });
    const cycle = store.closeCycle(cycleId, {
      candidate_version: candidateVersion.version,
      decision: verdict.decision,
      stop_code: null,
      stop_message: null,
      baseline,
      candidate,
      proposal: { proposer: proposal.proposer, rationale: proposal.rationale, cost_trm: proposalCostTrm },
      delta: verdict.delta,
      return_trm: verdict.return_trm,
      roi: verdict.roi,
    });
    return { started: true, cycle };
  } catch (error) {
    if (error instanceof MindStop) return { started: true, cycle: closeDeferred(error.code, error.message) };
    closeDeferred("INTERNAL_ERROR", (error as Error).message ?? String(error));
    throw error;
  }
}
