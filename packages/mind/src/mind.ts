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
import type { BenchmarkResult } from "./benchmark.js";
import { type MindBudget, roundScore } from "./budget.js";
import { MindError, MindErrorCode } from "./errors.js";
import { diffHarness, type Harness, type HarnessChange, type HarnessSpec, harnessSpec } from "./harness.js";
import { createMindInference, type MindEngine, type MindMarket } from "./inference.js";
import type { OptimiserConfig } from "./optimisers/config.js";
import { benchRun, type ImproveResult, improveRun, type RunContext } from "./runs.js";
import { type MindRouting, mindSettings } from "./settings.js";
import type { AdoptedTrade, CycleView, MindStore } from "./store.js";
import type { TaskSet } from "./tasks.js";

export type { ImproveResult } from "./runs.js";
export type { MindRouting } from "./settings.js";

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

export interface MindOptions {
  store: MindStore;
  /** This node's account: the consumer of every trade the mind pays. */
  account: AccountId;
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
  /**
   * Adopts this node's trades that belong to a closed cycle but were not recorded with it (a crash
   * between settling and recording, or a purchase its provider settled after a restart), so every
   * cycle's cost stays the sum of its trades. Feed it the ledger's recent trades at start and every trade
   * the market takes in. Returns how many were adopted.
   */
  adoptTrades(
    trades: Iterable<{ trade_id: string; trade: Omit<AdoptedTrade, "trade_id"> & { consumer: string } }>,
  ): number;
  /** Aborts the run in progress (it closes its cycle as deferred, ABORTED) and waits for it to end. */
  stop(): Promise<void>;
}

const PREVIEW_CHARS = 80;

/** Builds the mind over its store. */
export function createMind(options: MindOptions): Mind {
  const { store, clock } = options;
  const settings = mindSettings(store);
  const context: RunContext = {
    store,
    settings,
    current() {
      const harness = store.current();
      if (harness === undefined)
        throw new MindError(
          MindErrorCode.MIND_NOT_INITIALISED,
          "no mind is initialised on this node: init it first",
        );
      return harness;
    },
    inferenceFor: (route) =>
      createMindInference({
        engine: options.engine,
        market: options.market,
        preference: route.preference ?? settings.routing().preference,
        provider: route.provider ?? settings.routing().provider ?? undefined,
      }),
    killed: () => options.safety.killSwitch().active,
    nowMs: () => clock.nowMs(),
  };
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
      const pending = settings.validated(input);
      if (store.current() !== undefined && input.replace !== true)
        throw new MindError(
          MindErrorCode.MIND_ALREADY_INITIALISED,
          "a mind is already initialised here; pass replace to start over",
        );
      store.addVersion(spec, null, { makeCurrent: true });
      pending.write();
      return mind.state();
    },
    state() {
      const harness = context.current();
      const day = store.dayUsage(context.nowMs());
      const taskSet = settings.taskSet();
      return {
        harness_version: harness.version,
        system_prompt_preview: harness.system_prompt.slice(0, PREVIEW_CHARS),
        optimiser: settings.optimiser(),
        task_set: { name: taskSet.name, task_count: taskSet.tasks.length },
        routing: settings.routing(),
        cycle_history_len: store.stats().cycle_count,
        budget_spent_today_trm: day.spent_trm,
        budget_cycles_today: day.cycles,
        day_started_ms: day.day_started_ms,
        running: active !== undefined,
      };
    },
    stats() {
      const harness = context.current();
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
    budget: settings.budget,
    setBudget: settings.setBudget,
    setOptimiser(config) {
      context.current();
      return settings.setOptimiser(config);
    },
    improve: (input) => exclusively(input.signal, (signal) => improveRun(context, input, signal)),
    bench: (input = {}) => exclusively(input.signal, (signal) => benchRun(context, input, signal)),
    version: (version) => store.version(version),
    versions: (listOptions) => store.versions(listOptions),
    diff: (from, to) => diffHarness(store.version(from), store.version(to)),
    cycles: (listOptions) => store.cycles(listOptions),
    cycle: (id) => store.cycle(id),
    running: () => active !== undefined,
    adoptTrades(trades) {
      let adopted = 0;
      for (const { trade_id, trade } of trades)
        if (trade.consumer === options.account && store.adoptTrade({ ...trade, trade_id })) adopted += 1;
      return adopted;
    },
    async stop() {
      const run = active;
      if (run === undefined) return;
      run.controller.abort();
      await run.done.catch(() => undefined);
    },
  };
  return mind;
}
