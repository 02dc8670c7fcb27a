/**
 * The consumer's check of a structured answer before it signs the trade: a provider asked for JSON (or
 * for tool calls, which travel as the JSON schema of their envelope) enforces it by grammar, so an
 * answer that ended by itself must parse and validate against the format. An answer cut by `max_tokens`
 * may be incomplete JSON and is accepted only when it really used every token asked for and is still
 * the start of some JSON text (`isJsonPrefix`); a provider claiming `length` early is refused. Pure: it reads what was asked and what arrived.
 * @module
 */
import { validateJson } from "@tirami/core";
import type { OutputFormat } from "@tirami/infer";
import { isJsonPrefix } from "./json-prefix.js";

/** What arrived. */
export interface ReceivedAnswer {
  text: string;
  finishReason: "stop" | "length";
  completionTokens: number;
  maxTokens: number;
}

/** Null when `answer` satisfies `format`, else why not (sent to the provider with `INVALID_OUTPUT`). */
export function checkAnswerFormat(format: OutputFormat, answer: ReceivedAnswer): string | null {
  if (answer.finishReason === "length") {
    if (answer.completionTokens !== answer.maxTokens)
      return `finish_reason length after ${answer.completionTokens} of ${answer.maxTokens} tokens`;
    const opens = answer.text.trimStart().startsWith(format.type === "json_object" ? "{" : "");
    return opens && isJsonPrefix(answer.text) ? null : "the cut answer is not the start of JSON";
  }
  let value: unknown;
  try {
    value = JSON.parse(answer.text);
  } catch {
    return "the answer is not JSON";
  }
  if (format.type === "json_object")
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? null
      : "the answer is not a JSON object";
  const violation = validateJson(value, format.schema);
  return violation === null ? null : `the answer does not match the schema: ${violation}`;
}
