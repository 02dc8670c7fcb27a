/**
 * `createMind`: one node's self-improving agent (docs/mind.md). It owns the mind's store and runs one
 * thing at a time — an improvement run of up to `IMPROVE_CYCLES_MAX` cycles (`cycle.ts`), stopping at
 * the first deferred cycle as upstream does, or a standalone benchmark. Answers come from this node's
 * model or are bought from the mesh as the `mind` spender (`inference.ts`); the safety gate's kill switch
 * stops a run between two answers and denies any purchase.
 * @module
 */
import type { AccountId, Clock } from "@tirami/core";
import type { SafetyGate } from "@tirami/ledger";
import type { RoutePreference } from "@tirami/market";
import { isAccountId } from "@tirami/core";
import { isRoutePreference } from "@tirami/market";
import { type BenchmarkResult, runBenchmark } from "./benchmark.js";
import { DEFAULT_MIND_BUDGET, type MindBudget, mergeBudget, roundScore } from "./budget.js";
import { BUILTIN_TASK_SETS, DEFAULT_TASK_SET } from "./builtin-tasks.js";
import { IMPROVE_CYCLES_MAX } from "./constants.js";
import { runCycle } from "./cycle.js";
import { MindError, MindErrorCode, MindStop } from "./errors.js";
import { diffHarness, type Harness, type HarnessChange, type HarnessSpec, harnessSpec } from "./harness.js";
import { createMindInference, type MindEngine, type MindInference, type MindMarket } from "./inference.js";
import { createRunMeter } from "./meter.js";
import { buildOptimiser, type OptimiserConfig, parseOptimiserConfig } from "./optimisers/config.js";
import type { CycleView, MindStore } from "./store.js";
import type { TaskSet } from "./tasks.js";

/** How purchases are routed. */
export interface MindRouting {
  preference: RoutePreference;
  provider: AccountId | null;
}

/** What `init` takes. */
export interface MindInit {
  harness: Partial<HarnessSpec> & Pick<HarnessSpec, "system_prompt" | "model_routes">;
  optimiser?: OptimiserConfig | undefined;
  budget?: Partial<MindBudget> | undefined;
  /** A task set, or the name of a built-in one (default `stories`). */
  tasks?: TaskSet | string | undefined;
  routing?: Partial<MindRouting> | undefined;
  /** Start over from this harness when a mind exists (history is kept; the new root has no parent). */
  replace?: boolean | undefined;
}

/** `GET /mind/state`. */
export interface MindState {
  harness_version: number;
  system_prompt_preview: string;
  optimiser: OptimiserConfig;
  task_set: { name: string; task_count: number };
  routing: MindRouting;
  cycle_history_len: number;
  budget_spent_today_trm: number;
  budget_cycles_today: number;
  day_started_ms: number;
  running: boolean;
}

/** `GET /mind/stats` (upstream's, in TRM). */
export interface MindStats {
  harness_version: number;
  cycle_count: number;
  kept: number;
  reverted: number;
  deferred: number;
  total_trm_invested: number;
  first_score: number | null;
  latest_score: number | null;
  score_delta: number | null;
}

/** What an improvement run did. */
export interface ImproveResult {
  cycles_executed: number;
  cycles: CycleView[];
  harness_version: number;
  /** Why the run ended before its count, or null. */
  stopped: { code: string; message: string } | null;
}

export interface MindOptions {
  store: MindStore;
  clock: Clock;
  /** The ledger's safety gate (its kill switch stops runs). */
  safety: Pick<SafetyGate, "killSwitch">;
  engine?: (() => MindEngine | undefined) | undefined;
  market?: (() => MindMarket | undefined) | undefined;
}

/** The mind of one node. */
export interface Mind {
  init(input: MindInit): MindState;
  state(): MindState;
  stats(): MindStats;
  budget(): MindBudget;
  setBudget(partial: Partial<MindBudget>): MindBudget;
  setOptimiser(config: OptimiserConfig): OptimiserConfig;
  /**
   * Runs up to `cycles` cycles; `onCycle` sees each as it closes.
   * @throws {MindError} MIND_NOT_INITIALISED, MIND_BUSY, INVALID_MIND_REQUEST.
   */
  improve(input: {
    cycles: number;
    optimiser?: OptimiserConfig | undefined;
    signal?: AbortSignal | undefined;
    onCycle?: ((cycle: CycleView) => void) | undefined;
  }): Promise<ImproveResult>;
  /** Measures a harness version (default: the current one) on a task set (default: the mind's). */
  bench(input?: {
    version?: number;
    tasks?: TaskSet | string;
    signal?: AbortSignal;
  }): Promise<BenchmarkResult>;
  version(version: number): Harness;
  versions(options?: { limit?: number; beforeVersion?: number }): Harness[];
  diff(from: number, to: number): HarnessChange[];
  cycles(options?: { limit?: number; beforeId?: number }): CycleView[];
  cycle(id: number): CycleView | undefined;
  running(): boolean;
  /** Aborts the run in progress (it closes its cycle as deferred, ABORTED) and waits for it to end. */
  stop(): Promise<void>;
}

const KEY = { budget: "budget", optimiser: "optimiser", tasks: "task_set", routing: "routing" } as const;
const PREVIEW_CHARS = 80;

function taskSetOf(tasks: TaskSet | string | undefined): TaskSet {
  if (tasks === undefined || typeof tasks === "string") {
    const set = BUILTIN_TASK_SETS[tasks ?? DEFAULT_TASK_SET];
    if (set === undefined)
      throw new MindError(
        MindErrorCode.INVALID_MIND_REQUEST,
        `no built-in task set "${tasks}" (${Object.keys(BUILTIN_TASK_SETS).join(", ")})`,
        {
          details: { param: "tasks" },
        },
      );
    return set;
  }
  return tasks;
}

function routingOf(partial: Partial<MindRouting> | undefined): MindRouting {
  const preference = partial?.preference ?? "balanced";
  const provider = partial?.provider ?? null;
  if (!isRoutePreference(preference))
    throw new MindError(MindErrorCode.INVALID_MIND_REQUEST, "routing.preference: cost, quality or balanced", {
      details: { param: "preference" },
    });
  if (provider !== null && !isAccountId(provider))
    throw new MindError(MindErrorCode.INVALID_MIND_REQUEST, "routing.provider: 64 lowercase hex characters", {
      details: { param: "provider" },
    });
  return { preference, provider };
}

/** Builds the mind over its store. */
export function createMind(options: MindOptions): Mind {
  const { store, clock } = options;
  const nowMs = () => clock.nowMs();
  const killed = () => options.safety.killSwitch().active;

  function current(): Harness {
    const harness = store.current();
    if (harness === undefined)
      throw new MindError(
        MindErrorCode.MIND_NOT_INITIALISED,
        "no mind is initialised on this node: init it first",
      );
    return harness;
  }
  const budget = () => store.getSetting<MindBudget>(KEY.budget) ?? DEFAULT_MIND_BUDGET;
  const routing = () => store.getSetting<MindRouting>(KEY.routing) ?? routingOf(undefined);
  const inferenceFor = (route: {
    preference?: RoutePreference | undefined;
    provider?: AccountId | undefined;
  }): MindInference =>
    createMindInference({
      engine: options.engine,
      market: options.market,
      preference: route.preference ?? routing().preference,
      provider: route.provider ?? routing().provider ?? undefined,
    });

  let active: { controller: AbortController; done: Promise<unknown> } | undefined;

  /** Runs `run` alone, with a signal that aborts on the caller's signal or on `stop()`. */
  async function exclusively<T>(
    signal: AbortSignal | undefined,
    run: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (active !== undefined)
      throw new MindError(MindErrorCode.MIND_BUSY, "the mind is already running a cycle or a benchmark");
    const controller = new AbortController();
    const done = run(signal === undefined ? controller.signal : AbortSignal.any([signal, controller.signal]));
    active = { controller, done };
    try {
      return await done;
    } finally {
      active = undefined;
    }
  }

  const mind: Mind = {
    init(input) {
      if (active !== undefined)
        throw new MindError(MindErrorCode.MIND_BUSY, "the mind is running; init waits for it");
      const spec = harnessSpec(input.harness);
      const optimiser = parseOptimiserConfig(input.optimiser ?? { kind: "rewrite" });
      const nextBudget = mergeBudget(budget(), input.budget ?? {});
      const taskSet = taskSetOf(input.tasks);
      const nextRouting = routingOf(input.routing);
      if (store.current() !== undefined && input.replace !== true)
        throw new MindError(
          MindErrorCode.MIND_ALREADY_INITIALISED,
          "a mind is already initialised here; pass replace to start over",
        );
      store.addVersion(spec, null, { makeCurrent: true });
      store.setSetting(KEY.optimiser, optimiser);
      store.setSetting(KEY.budget, nextBudget);
      store.setSetting(KEY.tasks, taskSet);
      store.setSetting(KEY.routing, nextRouting);
      return mind.state();
    },

    state() {
      const harness = current();
      const day = store.dayUsage(nowMs());
      const taskSet = store.getSetting<TaskSet>(KEY.tasks) ?? taskSetOf(undefined);
      return {
        harness_version: harness.version,
        system_prompt_preview: harness.system_prompt.slice(0, PREVIEW_CHARS),
        optimiser: store.getSetting<OptimiserConfig>(KEY.optimiser) ?? { kind: "rewrite" },
        task_set: { name: taskSet.name, task_count: taskSet.tasks.length },
        routing: routing(),
        cycle_history_len: store.stats().cycle_count,
        budget_spent_today_trm: day.spent_trm,
        budget_cycles_today: day.cycles,
        day_started_ms: day.day_started_ms,
        running: active !== undefined,
      };
    },

    stats() {
      const harness = current();
      const { first_score, latest_score } = store.scores();
      return {
        harness_version: harness.version,
        ...store.stats(),
        first_score,
        latest_score,
        score_delta:
          first_score === null || latest_score === null ? null : roundScore(latest_score - first_score),
      };
    },

    budget,
    setBudget(partial) {
      const next = mergeBudget(budget(), partial);
      store.setSetting(KEY.budget, next);
      return next;
    },
    setOptimiser(config) {
      current();
      const parsed = parseOptimiserConfig(config);
      store.setSetting(KEY.optimiser, parsed);
      return parsed;
    },

    improve(input) {
      return exclusively(input.signal, async (signal) => {
        if (!Number.isSafeInteger(input.cycles) || input.cycles < 1 || input.cycles > IMPROVE_CYCLES_MAX)
          throw new MindError(
            MindErrorCode.INVALID_MIND_REQUEST,
            `cycles: an integer from 1 to ${IMPROVE_CYCLES_MAX}`,
            { details: { param: "n_cycles" } },
          );
        current();
        const config = parseOptimiserConfig(
          input.optimiser ?? store.getSetting<OptimiserConfig>(KEY.optimiser) ?? { kind: "rewrite" },
        );
        const optimiser = buildOptimiser(config, inferenceFor);
        const taskSet = store.getSetting<TaskSet>(KEY.tasks) ?? taskSetOf(undefined);
        const cycles: CycleView[] = [];
        let stopped: ImproveResult["stopped"] = null;
        for (let i = 0; i < input.cycles; i += 1) {
          const outcome = await runCycle({
            store,
            harness: current(),
            budget: budget(),
            taskSet,
            optimiser,
            inference: inferenceFor({}),
            killed,
            nowMs,
            signal,
          });
          if (!outcome.started) {
            stopped = { code: outcome.stop_code, message: outcome.stop_message };
            break;
          }
          cycles.push(outcome.cycle);
          input.onCycle?.(outcome.cycle);
          if (outcome.cycle.decision === "defer") {
            stopped = {
              code: outcome.cycle.stop_code ?? "DEFERRED",
              message: outcome.cycle.stop_message ?? "",
            };
            break;
          }
        }
        return { cycles_executed: cycles.length, cycles, harness_version: current().version, stopped };
      });
    },

    bench(input = {}) {
      return exclusively(input.signal, async (signal) => {
        const harness = input.version === undefined ? current() : store.version(input.version);
        const taskSet =
          input.tasks === undefined
            ? (store.getSetting<TaskSet>(KEY.tasks) ?? taskSetOf(undefined))
            : taskSetOf(input.tasks);
        const meter = createRunMeter({
          budget: { ...budget() },
          day: store.dayUsage(nowMs()),
          inference: inferenceFor({}),
          cycleId: null,
          record: (spend) => store.recordSpend(spend),
          killed,
          signal,
        });
        try {
          const result = await runBenchmark({
            harness,
            taskSet,
            answer: meter.answer,
            requestIdPrefix: `mind-bench-${nowMs()}`,
            nowMs,
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
      });
    },

    version: (version) => store.version(version),
    versions: (listOptions) => store.versions(listOptions),
    diff: (from, to) => diffHarness(store.version(from), store.version(to)),
    cycles: (listOptions) => store.cycles(listOptions),
    cycle: (id) => store.cycle(id),
    running: () => active !== undefined,
    async stop() {
      const run = active;
      if (run === undefined) return;
      run.controller.abort();
      await run.done.catch(() => undefined);
    },
  };
  return mind;
}
