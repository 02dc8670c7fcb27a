/**
 * The optimiser interface (upstream's `MetaOptimizer`, docs/upstream.md §10.2): from the current harness
 * and its baseline benchmark, propose a candidate. A proposal's cost is never declared by the optimiser:
 * whatever it buys goes through the run's `answer` (budget check, spend path, recorded trade), and the
 * cycle's invested TRM is the sum of those trades.
 * @module
 */
import type { Answer, BenchmarkResult } from "../benchmark.js";
import type { Harness, HarnessSpec } from "../harness.js";
import type { TaskSet } from "../tasks.js";

/** What an optimiser sees. */
export interface ProposalContext {
  harness: Harness;
  baseline: BenchmarkResult;
  taskSet: TaskSet;
  /** Buys or runs an answer through the run's meter. */
  answer: Answer;
  /** A request id for the optimiser's `n`th request in this cycle. */
  requestId(n: number): string;
  signal?: AbortSignal | undefined;
}

/** A proposed harness. */
export interface Proposal {
  spec: HarnessSpec;
  /** Who proposed it: `echo`, `rewrite:<rule>`, `fixed`, `model:<id>`. */
  proposer: string;
  rationale: string;
}

/** An optimiser. */
export interface Optimiser {
  readonly name: string;
  propose(context: ProposalContext): Promise<Proposal>;
}
