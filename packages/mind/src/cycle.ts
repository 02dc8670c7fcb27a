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
import { runBenchmark } from "./benchmark.js";
import { type DayUsage, judgeCycle, type MindBudget, mayStartCycle } from "./budget.js";
import { MindStop, MindStopCode } from "./errors.js";
import type { Harness } from "./harness.js";
import type { MindInference } from "./inference.js";
import { createRunMeter, type RunMeter } from "./meter.js";
import type { Optimiser } from "./optimisers/optimiser.js";
import type { CycleClose, CycleView, MindStore } from "./store.js";
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

/** What a cycle has reached so far: the fields of its record (a deferred cycle keeps what it had). */
type Progress = Pick<CycleClose, "baseline" | "candidate" | "proposal" | "candidate_version">;

/** Why no cycle may start now (the day's cycles used up, the kill switch on), or null. */
function startRefusal(deps: CycleDeps, day: DayUsage): { stop_code: string; stop_message: string } | null {
  if (!mayStartCycle(deps.budget, day))
    return {
      stop_code: MindStopCode.CYCLES_PER_DAY_REACHED,
      stop_message: `${day.cycles} of ${deps.budget.max_cycles_per_day} cycles used in this day window`,
    };
  if (deps.killed())
    return { stop_code: MindStopCode.KILL_SWITCH_ACTIVE, stop_message: "the kill switch is active" };
  return null;
}

/** Baseline → proposal → candidate version → candidate → verdict, filling `progress` on the way. */
async function steps(deps: CycleDeps, meter: RunMeter, tag: string, progress: Progress): Promise<CycleClose> {
  const { harness } = deps;
  const bench = (subject: Harness, role: string) =>
    runBenchmark({
      harness: subject,
      taskSet: deps.taskSet,
      answer: meter.answer,
      requestIdPrefix: `${tag}-${role}`,
      nowMs: deps.nowMs,
      signal: deps.signal,
    });
  const baseline = await bench(harness, "b");
  progress.baseline = baseline;
  const before = meter.spentTrm();
  const proposal = await deps.optimiser.propose({
    harness,
    baseline,
    taskSet: deps.taskSet,
    answer: meter.answer,
    requestId: (n) => `${tag}-p${n}`,
    signal: deps.signal,
  });
  progress.proposal = {
    proposer: proposal.proposer,
    rationale: proposal.rationale,
    cost_trm: meter.spentTrm() - before,
  };
  const candidateVersion = deps.store.addVersion(proposal.spec, harness.version);
  progress.candidate_version = candidateVersion.version;
  const candidate = await bench(candidateVersion, "c");
  progress.candidate = candidate;
  const verdict = judgeCycle(deps.budget, {
    baseline: baseline.score,
    candidate: candidate.score,
    investedTrm: meter.spentTrm(),
  });
  return {
    ...progress,
    decision: verdict.decision,
    stop_code: null,
    stop_message: null,
    delta: verdict.delta,
    return_trm: verdict.return_trm,
    roi: verdict.roi,
  };
}

/** Runs one cycle. Errors that are not the mind's or the market's close the cycle as deferred and are rethrown. */
export async function runCycle(deps: CycleDeps): Promise<CycleOutcome> {
  const { store } = deps;
  const day = store.dayUsage(deps.nowMs(), { start: true });
  const refusal = startRefusal(deps, day);
  if (refusal !== null) return { started: false, ...refusal };
  const cycleId = store.beginCycle({
    optimiser: deps.optimiser.name,
    baseline_version: deps.harness.version,
  });
  const meter = createRunMeter({
    budget: deps.budget,
    day,
    inference: deps.inference,
    cycleId,
    record: (spend) => store.recordSpend(spend),
    killed: deps.killed,
    signal: deps.signal,
  });
  const progress: Progress = { baseline: null, candidate: null, proposal: null, candidate_version: null };
  const deferred = (code: string, message: string): CycleClose => ({
    ...progress,
    decision: "defer",
    stop_code: code,
    stop_message: message,
    delta: null,
    return_trm: null,
    roi: null,
  });
  try {
    const tag = `mind-c${cycleId}-${randomBytes(3).toString("hex")}`;
    return { started: true, cycle: store.closeCycle(cycleId, await steps(deps, meter, tag, progress)) };
  } catch (error) {
    if (error instanceof MindStop)
      return { started: true, cycle: store.closeCycle(cycleId, deferred(error.code, error.message)) };
    store.closeCycle(cycleId, deferred("INTERNAL_ERROR", (error as Error).message ?? String(error)));
    throw error;
  }
}
