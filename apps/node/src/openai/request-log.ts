/**
 * The one info line an operator reads per answered inference request: who asked (the operator or an
 * agent), the model, where it ran (`local` or the provider bought from), tokens, generation speed,
 * time to first token and the TRM it cost. The message itself is human-readable (a TTY shows just it);
 * the same facts ride along as fields for log processors.
 * @module
 */
import { type AccountId, shortAccountId } from "@tirami/core";
import type { Logger } from "pino";
import type { AnswerTiming, Outcome } from "./answer.js";

/** What one request's line names besides its outcome. */
export interface RequestLogSubject {
  requestId: string | undefined;
  endpoint: "chat" | "completions";
  /** `operator` or `agent:<name>`. */
  who: string;
  model: string;
  /** `local`, or the provider's account when bought from the mesh. */
  servedBy: "local" | AccountId;
}

/** Tokens per second of `completionTokens` generated in `ms`, one decimal (0 for no time). */
function perSecond(completionTokens: number, ms: number): number {
  return ms > 0 ? Math.round((completionTokens / ms) * 10_000) / 10 : 0;
}

/** Writes the request line of `subject` for `outcome`. */
export function logAnswer(
  logger: Logger,
  subject: RequestLogSubject,
  outcome: Outcome,
  timing: AnswerTiming,
): void {
  const trmCost = (outcome.xTirami as { trm_cost?: number }).trm_cost ?? 0;
  // Speed counts the generation itself: from the first text to the end (the prompt is in the TTFT).
  const generationMs = timing.firstTextMs === null ? timing.totalMs : timing.totalMs - timing.firstTextMs;
  const tokensPerS = perSecond(Math.max(0, outcome.usage.completion_tokens - 1), generationMs);
  const ttftMs = timing.firstTextMs === null ? null : Math.round(timing.firstTextMs);
  const where = subject.servedBy === "local" ? "local" : `provider ${shortAccountId(subject.servedBy)}`;
  const calls = outcome.toolCalls === undefined ? "" : `, ${outcome.toolCalls.length} tool call(s)`;
  logger.info(
    {
      request_id: subject.requestId,
      endpoint: subject.endpoint,
      who: subject.who,
      model: subject.model,
      served_by: subject.servedBy,
      prompt_tokens: outcome.usage.prompt_tokens,
      completion_tokens: outcome.usage.completion_tokens,
      tokens_per_s: tokensPerS,
      ttft_ms: ttftMs,
      total_ms: Math.round(timing.totalMs),
      trm_cost: trmCost,
      finish_reason: outcome.finishReason,
    },
    `${subject.endpoint} ${subject.model} for ${subject.who} on ${where}: ` +
      `${outcome.usage.prompt_tokens}+${outcome.usage.completion_tokens} tokens, ${tokensPerS} tok/s, ` +
      `TTFT ${ttftMs ?? "-"} ms, ${trmCost} TRM, ${outcome.finishReason}${calls}`,
  );
}
