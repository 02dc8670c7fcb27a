/**
 * The mind's two kinds of run: an improvement run of cycles (stopping at the first deferred cycle, as
 * upstream's `improve(n)`, or when no cycle may start) and a standalone benchmark, bounded like a cycle
 * by the per-cycle and per-day budgets, whose spends count toward the day.
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { RoutePreference } from "@tirami/market";
import { type BenchmarkResult, runBenchmark } from "./benchmark.js";
import { IMPROVE_CYCLES_MAX } from "./constants.js";
import { runCycle } from "./cycle.js";
import { MindError, MindErrorCode, MindStop } from "./errors.js";
import type { Harness } from "./harness.js";
import type { MindInference } from "./inference.js";
import { createRunMeter } from "./meter.js";
import { buildOptimiser, type OptimiserConfig, parseOptimiserConfig } from "./optimisers/config.js";
import type { MindSettings } from "./settings.js";
import { taskSetOf } from "./settings.js";
import type { CycleView, MindStore } from "./store.js";
import type { TaskSet } from "./tasks.js";

/** What an improvement run did. */
export interface ImproveResult {
  cycles_executed: number;
  cycles: CycleView[];
  harness_version: number;
  /** Why the run ended before its count, or null. */
  stopped: { code: string; message: string } | null;
}

/** What a run uses. */
export interface RunContext {
  store: MindStore;
  settings: MindSettings;
  /** The current harness. @throws {MindError} MIND_NOT_INITIALISED. */
  current(): Harness;
  inferenceFor(route: {
    preference?: RoutePreference | undefined;
    provider?: AccountId | undefined;
  }): MindInference;
  killed(): boolean;
  nowMs(): number;
}

/** Runs up to `input.cycles` cycles. @throws {MindError} INVALID_MIND_REQUEST, MIND_NOT_INITIALISED. */
export async function improveRun(
  context: RunContext,
  input: {
    cycles: number;
    optimiser?: OptimiserConfig | undefined;
    onCycle?: ((cycle: CycleView) => void) | undefined;
  },
  signal: AbortSignal,
): Promise<ImproveResult> {
  if (!Number.isSafeInteger(input.cycles) || input.cycles < 1 || input.cycles > IMPROVE_CYCLES_MAX)
    throw new MindError(
      MindErrorCode.INVALID_MIND_REQUEST,
      `cycles: an integer from 1 to ${IMPROVE_CYCLES_MAX}`,
      {
        details: { param: "n_cycles" },
      },
    );
  context.current();
  const { settings } = context;
  const optimiser = buildOptimiser(
    parseOptimiserConfig(input.optimiser ?? settings.optimiser()),
    context.inferenceFor,
  );
  const taskSet = settings.taskSet();
  const cycles: CycleView[] = [];
  let stopped: ImproveResult["stopped"] = null;
  for (let i = 0; i < input.cycles && stopped === null; i += 1) {
    const outcome = await runCycle({
      store: context.store,
      harness: context.current(),
      budget: settings.budget(),
      taskSet,
      optimiser,
      inference: context.inferenceFor({}),
      killed: context.killed,
      nowMs: context.nowMs,
      signal,
    });
    if (!outcome.started) {
      stopped = { code: outcome.stop_code, message: outcome.stop_message };
      continue;
    }
    cycles.push(outcome.cycle);
    input.onCycle?.(outcome.cycle);
    if (outcome.cycle.decision === "defer")
      stopped = { code: outcome.cycle.stop_code ?? "DEFERRED", message: outcome.cycle.stop_message ?? "" };
  }
  return { cycles_executed: cycles.length, cycles, harness_version: context.current().version, stopped };
}

/**
 * Measures a harness version (default: the current) on a task set (default: the mind's).
 * @throws {MindError} BENCHMARK_STOPPED (with `details.stop_code`), HARNESS_VERSION_NOT_FOUND.
 */
export async function benchRun(
  context: RunContext,
  input: { version?: number | undefined; tasks?: TaskSet | string | undefined },
  signal: AbortSignal,
): Promise<BenchmarkResult> {
  const { store, settings } = context;
  const harness = input.version === undefined ? context.current() : store.version(input.version);
  const taskSet = input.tasks === undefined ? settings.taskSet() : taskSetOf(input.tasks);
  const meter = createRunMeter({
    budget: settings.budget(),
    day: store.dayUsage(context.nowMs(), { start: true }),
    inference: context.inferenceFor({}),
    cycleId: null,
    record: (spend) => store.recordSpend(spend),
    killed: context.killed,
    signal,
  });
  try {
    const result = await runBenchmark({
      harness,
      taskSet,
      answer: meter.answer,
      requestIdPrefix: `mind-bench-${context.nowMs()}`,
      nowMs: context.nowMs,
      signal,
    });
    store.recordBenchmark(result);
    return result;
  } catch (error) {
    if (!(error instanceof MindStop)) throw error;
    throw new MindError(
      MindErrorCode.BENCHMARK_STOPPED,
      `benchmark stopped: ${error.code}: ${error.message}`,
      {
        details: { stop_code: error.code, spent_trm: meter.spentTrm() },
      },
    );
  }
}
