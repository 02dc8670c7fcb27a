/**
 * @tirami/mind (L3) — agents that improve their own harness, paid in TRM: harness versions with lineage,
 * benchmarks that measure (task sets with checks, run on this node's model or bought from the mesh),
 * optimisers (echo, rule-based rewrite, an operator's fixed prompt, a model paid through the mesh), and
 * improvement cycles kept, reverted or deferred by score delta and return on the TRM invested, under the
 * mind's budgets and the ledger's one safety gate as the `mind` spender. Persisted in its own SQLite file.
 * @packageDocumentation
 */

/** The mind. */
export {
  createMind,
  type ImproveResult,
  type Mind,
  type MindInit,
  type MindOptions,
  type MindRouting,
  type MindState,
  type MindStats,
} from "./mind.js";
export { type CycleClose, type CycleView, type MindStore, openMindStore, type SpendRow } from "./store.js";
export { withMindSpender } from "./spender.js";

/** Harnesses. */
export {
  assertHarnessSpec,
  DEFAULT_ROUTE,
  diffHarness,
  type Harness,
  type HarnessChange,
  type HarnessSpec,
  harnessSpec,
  type ToolDefinition,
} from "./harness.js";

/** Benchmarks and task sets. */
export {
  type Answer,
  type BenchmarkResult,
  messagesFor,
  runBenchmark,
  type TaskOutcome,
} from "./benchmark.js";
export { type Check, parseCheck, passes } from "./checks.js";
export { parseTask, parseTasks, parseTasksJsonl, type Task, type TaskSet } from "./tasks.js";
export { BUILTIN_TASK_SETS, DEFAULT_TASK_SET } from "./builtin-tasks.js";
export {
  createMindInference,
  type InferenceAnswer,
  type InferenceCall,
  type MindEngine,
  type MindInference,
  type MindMarket,
} from "./inference.js";

/** The cycle rule and budgets. */
export {
  canSpend,
  type CycleDecision,
  type CycleVerdict,
  DEFAULT_MIND_BUDGET,
  isWorthKeeping,
  judgeCycle,
  mergeBudget,
  type MindBudget,
  returnTrm,
  spendRefusal,
} from "./budget.js";
export { type CycleOutcome, runCycle } from "./cycle.js";

/** Optimisers. */
export { buildOptimiser, type OptimiserConfig, parseOptimiserConfig } from "./optimisers/config.js";
export type { Optimiser, Proposal, ProposalContext } from "./optimisers/optimiser.js";
export { REWRITE_RULES, type RewriteRule } from "./optimisers/rewrite.js";
export { proposalPrompt } from "./optimisers/paid.js";

/** Errors, limits and defaults. */
export { MindError, MindErrorCode, MindStop, MindStopCode } from "./errors.js";
export * from "./constants.js";
