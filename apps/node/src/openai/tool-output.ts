/**
 * Reads a chat answer generated under tools (@tirami/infer's envelope, enforced by grammar) back into
 * OpenAI terms: while streaming, only the text of a `{"response": …}` answer reaches the client, as
 * `delta.content`; at the end, calls become `message.tool_calls` (or the stream's `tool_calls` deltas)
 * with fresh `call_…` ids and `finish_reason: "tool_calls"`. An answer cut by `max_tokens` keeps
 * `length` and the text decoded so far.
 * @module
 */
import { randomBytes } from "node:crypto";
import { createResponseTextDecoder, type OutputFormat, parseToolAnswer, type ToolMode } from "@tirami/infer";
import type { Outcome } from "./answer.js";

/** The tool output contract of a request. */
export interface ToolOutput {
  mode: ToolMode;
  format: OutputFormat;
}

/** An OpenAI tool-call id. */
function callId(): string {
  return `call_${randomBytes(12).toString("hex")}`;
}

/** One answer's reader: `text` maps raw generated text to client text; `outcome` reads the whole. */
export function toolReader(tools: ToolOutput): {
  text(raw: string): string;
  outcome(outcome: Outcome): Outcome;
} {
  const streamed = createResponseTextDecoder();
  return {
    text: (raw) => (tools.mode === "calls" ? "" : streamed.push(raw)),
    outcome(outcome) {
      const answer = parseToolAnswer(outcome.text, tools.format, callId);
      if (answer === null) {
        const decoder = createResponseTextDecoder();
        return { ...outcome, text: decoder.push(outcome.text) };
      }
      if (answer.kind === "text") return { ...outcome, text: answer.text };
      return { ...outcome, text: "", toolCalls: answer.calls, finishReason: "tool_calls" };
    },
  };
}
