/**
 * The benchmark runner: runs every task of a set through a harness — its system prompt as the system
 * message, the task's prompt as the user message, on the model its route names — and scores the answers
 * with their checks. The score is the share of tasks passed, in [0, 1], with the sample count, duration,
 * tokens, TRM spent and the trades that paid for it. Upstream scored every harness with a constant 0.5
 * (docs/upstream.md §13.1); here a score is only ever measured.
 * @module
 */
import type { ChatMessage } from "@tirami/infer";
import { roundScore } from "./budget.js";
import { passes } from "./checks.js";
import { OUTPUT_PREVIEW_CHARS } from "./constants.js";
import { MindError, MindErrorCode } from "./errors.js";
import type { HarnessSpec } from "./harness.js";
import type { InferenceAnswer, InferenceCall, MindInference } from "./inference.js";
import type { Task, TaskSet } from "./tasks.js";

/** One task's outcome. */
export interface TaskOutcome {
  id: string;
  passed: boolean;
  output_preview: string;
  finish_reason: string;
  prompt_tokens: number;
  completion_tokens: number;
  amount_trm: number;
  trade_id: string | null;
}

/** A measured benchmark run (upstream `BenchmarkResult`, with the trades). */
export interface BenchmarkResult {
  harness_version: number;
  task_set: string;
  /** Tasks passed / sample count, rounded to 6 decimals. */
  score: number;
  passed: number;
  sample_count: number;
  duration_ms: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_trm: number;
  trade_ids: string[];
  details: TaskOutcome[];
}

/**
 * Asks for one answer through the run's meter, which checks budgets and records spends; `via` answers
 * instead of the mind's own inference (a paid optimiser's own route or provider).
 */
export type Answer = (call: InferenceCall, purpose: string, via?: MindInference) => Promise<InferenceAnswer>;

/** The messages a harness sends for `prompt`: its system prompt (when not empty), then the prompt. */
export function messagesFor(harness: Pick<HarnessSpec, "system_prompt">, prompt: string): ChatMessage[] {
  const user: ChatMessage = { role: "user", content: prompt };
  return harness.system_prompt === "" ? [user] : [{ role: "system", content: harness.system_prompt }, user];
}

/** The model `harness` routes `task` to. @throws {MindError} NO_MODEL_FOR_ROUTE. */
export function modelFor(harness: HarnessSpec, task: Pick<Task, "route" | "id">): string {
  const model = harness.model_routes[task.route];
  if (model === undefined)
    throw new MindError(
      MindErrorCode.NO_MODEL_FOR_ROUTE,
      `the harness has no route "${task.route}" (task ${task.id})`,
      {
        details: { route: task.route },
      },
    );
  return model;
}

export interface RunBenchmarkOptions {
  harness: HarnessSpec & { version: number };
  taskSet: TaskSet;
  answer: Answer;
  /** Prefix of each request id (`<prefix>-<task index>`). */
  requestIdPrefix: string;
  nowMs(): number;
  signal?: AbortSignal | undefined;
}

/** Runs the benchmark, task by task (the stop of any one stops the run: budgets, kill switch, abort). */
export async function runBenchmark(options: RunBenchmarkOptions): Promise<BenchmarkResult> {
  const { harness, taskSet } = options;
  const startedMs = options.nowMs();
  const details: TaskOutcome[] = [];
  for (const [index, task] of taskSet.tasks.entries()) {
    const answer = await options.answer(
      {
        modelId: modelFor(harness, task),
        messages: messagesFor(harness, task.prompt),
        maxTokens: task.max_tokens,
        requestId: `${options.requestIdPrefix}-${index + 1}`,
        signal: options.signal,
      },
      `benchmark ${task.id}`,
    );
    details.push({
      id: task.id,
      passed: passes(task.check, answer.text),
      output_preview: answer.text.slice(0, OUTPUT_PREVIEW_CHARS),
      finish_reason: answer.finishReason,
      prompt_tokens: answer.promptTokens,
      completion_tokens: answer.completionTokens,
      amount_trm: answer.amountTrm,
      trade_id: answer.tradeId,
    });
  }
  const passed = details.filter((d) => d.passed).length;
  return {
    harness_version: harness.version,
    task_set: taskSet.name,
    score: roundScore(passed / details.length),
    passed,
    sample_count: details.length,
    duration_ms: Math.max(0, options.nowMs() - startedMs),
    prompt_tokens: details.reduce((sum, d) => sum + d.prompt_tokens, 0),
    completion_tokens: details.reduce((sum, d) => sum + d.completion_tokens, 0),
    cost_trm: details.reduce((sum, d) => sum + d.amount_trm, 0),
    trade_ids: details.flatMap((d) => (d.trade_id === null ? [] : [d.trade_id])),
    details,
  };
}
