/**
 * Ollama's answer objects for one generation (`/api/chat`, `/api/generate`): streamed as NDJSON — one
 * `{model, created_at, message|response, done: false}` line per piece of text, then a final line with
 * `done: true`, `done_reason` and the counts (`prompt_eval_count`, `eval_count`) and durations in
 * nanoseconds — or one JSON object with the whole text when `stream` is false. Tool calls appear on the
 * final chat message as Ollama shapes them (`{function: {name, arguments: {…}}}`, arguments an object).
 * `x_tirami` rides on the final object. Durations are measured here: `total_duration` from the request,
 * `eval_duration` from the first text, `prompt_eval_duration` the rest; `load_duration` is 0 (the model
 * is loaded when the node starts).
 * @module
 */
import { performance } from "node:perf_hooks";
import type { AnswerMeta, AnswerShape, Outcome } from "../openai/answer.js";
import { jsonAroundText } from "../openai/sse.js";

/** Which Ollama endpoint answers. */
export type OllamaEndpoint = "chat" | "generate";

function toolCallsOf(outcome: Outcome): object[] | undefined {
  return outcome.toolCalls?.map((call) => ({
    function: { name: call.name, arguments: JSON.parse(call.arguments) as unknown },
  }));
}

/** The Ollama shape of one answer of `endpoint`. */
export function ollamaShape(endpoint: OllamaEndpoint): (meta: AnswerMeta) => AnswerShape {
  return (meta) => {
    const startedMs = performance.now();
    let firstTextMs: number | undefined;
    const base = { model: meta.model, created_at: new Date(meta.created * 1_000).toISOString() };
    const content = (text: string): object =>
      endpoint === "chat" ? { message: { role: "assistant", content: text } } : { response: text };
    const piece = jsonAroundText((text) => ({ ...base, ...content(text), done: false }));
    const final = (outcome: Outcome, text: string): object => {
      const nowMs = performance.now();
      const totalNs = Math.round((nowMs - startedMs) * 1e6);
      const evalNs = firstTextMs === undefined ? totalNs : Math.round((nowMs - firstTextMs) * 1e6);
      const calls = toolCallsOf(outcome);
      return {
        ...base,
        ...(endpoint === "chat"
          ? {
              message: {
                role: "assistant",
                content: text,
                ...(calls === undefined ? {} : { tool_calls: calls }),
              },
            }
          : { response: text, context: [] }),
        done: true,
        done_reason: outcome.finishReason === "length" ? "length" : "stop",
        total_duration: totalNs,
        load_duration: 0,
        prompt_eval_count: outcome.usage.prompt_tokens,
        prompt_eval_duration: totalNs - evalNs,
        eval_count: outcome.usage.completion_tokens,
        eval_duration: evalNs,
        x_tirami: outcome.xTirami,
      };
    };
    return {
      framing: "ndjson",
      errorFrame: (body) => ({ error: body.error.message }),
      body: (outcome) => final(outcome, outcome.text),
      piece(text) {
        firstTextMs ??= performance.now();
        return piece(text);
      },
      tail: (outcome) => [final(outcome, "")],
    };
  };
}
