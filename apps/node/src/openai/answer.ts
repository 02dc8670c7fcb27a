/**
 * The OpenAI shapes of an answer, whoever generated it (this node's model or a provider in the mesh):
 * `chat.completion` / `chat.completion.chunk` for `POST /v1/chat/completions` and `text_completion` for
 * `POST /v1/completions` (docs/upstream.md §3.3). Non-streaming answers one object; streaming sends (for chat)
 * a role chunk, one chunk per piece of text, a finish chunk, with `stream_options.include_usage` a usage
 * chunk (`choices: []`), then `data: [DONE]`. `x_tirami` rides on the response body, and on the last chunk
 * of a stream.
 * @module
 */
import { performance } from "node:perf_hooks";
import type { Context } from "hono";
import type { ToolCall } from "@tirami/infer";
import type { AppEnv } from "../principal.js";
import type { LocalGenerationRequest } from "./generate.js";
import type { RouteHints } from "./route-hints.js";
import { type Framing, jsonAroundText, type RawJson } from "./sse.js";
import { sseTargetOf, streamGeneration } from "./stream.js";
import { type ToolOutput, toolReader } from "./tool-output.js";

/** What a finished generation reports, in OpenAI terms. */
export interface Outcome {
  text: string;
  finishReason: "stop" | "length" | "tool_calls";
  /** Calls the model made (chat under tools); then `text` is "" and `finishReason` is `tool_calls`. */
  toolCalls?: ToolCall[] | undefined;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  /** The Tirami extension (cost, balance, trade, provider, …). */
  xTirami: object;
}

/** One validated OpenAI generation request (answered locally here, or bought from the mesh). */
export interface AnswerRequest {
  endpoint: LocalGenerationRequest["endpoint"];
  model: string;
  input: LocalGenerationRequest["input"];
  sampling: LocalGenerationRequest["sampling"];
  stream: boolean;
  includeUsage: boolean;
  /** Routing hints for the mesh (read once at the boundary; `NO_ROUTE_HINTS` when there are none). */
  route: RouteHints;
  /** Chat under tools: how to read the answer back (see `tool-output.ts`). */
  tools?: ToolOutput | undefined;
  /** Another shape than the endpoint's own (the Responses API answers a chat in its own objects). */
  shape?: ((meta: AnswerMeta) => AnswerShape) | undefined;
}

/** Identity of one response: its id, creation second and model. */
export interface AnswerMeta {
  id: string;
  created: number;
  model: string;
}

/** How one endpoint shapes its answers. */
export interface AnswerShape {
  /** The non-streamed response body. */
  body(outcome: Outcome): unknown;
  /** The first frame of a stream, if the endpoint sends one. */
  head?: (() => unknown) | undefined;
  /** The frame of one piece of streamed text. */
  piece(text: string): RawJson;
  /** The frames closing a stream. */
  tail(outcome: Outcome, includeUsage: boolean): unknown[];
  /** SSE (default) or NDJSON frames (Ollama). */
  framing?: Framing | undefined;
  /** The frame reporting a failure after the stream started (default: the OpenAI error body). */
  errorFrame?: ((body: { error: { message: string } }) => unknown) | undefined;
}

const tailOf = (base: object, finish: object, outcome: Outcome, includeUsage: boolean): unknown[] =>
  includeUsage
    ? [finish, { ...base, choices: [], usage: outcome.usage, x_tirami: outcome.xTirami }]
    : [{ ...finish, x_tirami: outcome.xTirami }];

/** Arguments of a streamed call are sent in pieces of at most this many characters, as OpenAI does. */
const ARGUMENTS_PIECE_CHARS = 32;

/** The `tool_calls` deltas of a stream: per call its id, type and name, then its arguments in pieces. */
function toolCallDeltas(calls: readonly ToolCall[]): object[] {
  const deltas: object[] = [];
  calls.forEach((call, index) => {
    deltas.push({ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } });
    for (let at = 0; at < call.arguments.length; at += ARGUMENTS_PIECE_CHARS)
      deltas.push({ index, function: { arguments: call.arguments.slice(at, at + ARGUMENTS_PIECE_CHARS) } });
  });
  return deltas;
}

/** `POST /v1/chat/completions`. */
export function chatShape(meta: AnswerMeta): AnswerShape {
  const base = { ...meta, object: "chat.completion.chunk", system_fingerprint: null };
  const chunk = (delta: object) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
  });
  return {
    body: (outcome) => ({
      ...meta,
      object: "chat.completion",
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          message:
            outcome.toolCalls === undefined
              ? { role: "assistant", content: outcome.text, refusal: null }
              : {
                  role: "assistant",
                  content: null,
                  refusal: null,
                  tool_calls: outcome.toolCalls.map((call) => ({
                    id: call.id,
                    type: "function",
                    function: { name: call.name, arguments: call.arguments },
                  })),
                },
          logprobs: null,
          finish_reason: outcome.finishReason,
        },
      ],
      usage: outcome.usage,
      x_tirami: outcome.xTirami,
    }),
    head: () => ({
      ...base,
      choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
    }),
    piece: jsonAroundText((text) => ({
      ...base,
      choices: [{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }],
    })),
    tail: (outcome, includeUsage) => [
      ...toolCallDeltas(outcome.toolCalls ?? []).map((delta) => chunk({ tool_calls: [delta] })),
      ...tailOf(
        base,
        {
          ...base,
          choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: outcome.finishReason }],
        },
        outcome,
        includeUsage,
      ),
    ],
  };
}

/** `POST /v1/completions`. */
export function completionShape(meta: AnswerMeta): AnswerShape {
  const base = { ...meta, object: "text_completion", system_fingerprint: null };
  return {
    body: (outcome) => ({
      ...base,
      choices: [{ index: 0, text: outcome.text, logprobs: null, finish_reason: outcome.finishReason }],
      usage: outcome.usage,
      x_tirami: outcome.xTirami,
    }),
    piece: jsonAroundText((text) => ({
      ...base,
      choices: [{ index: 0, text, logprobs: null, finish_reason: null }],
    })),
    tail: (outcome, includeUsage) =>
      tailOf(
        base,
        {
          ...base,
          choices: [{ index: 0, text: "", logprobs: null, finish_reason: outcome.finishReason }],
        },
        outcome,
        includeUsage,
      ),
  };
}

/** The shape of `endpoint`'s answers. */
export function shapeOf(endpoint: "chat" | "completions", meta: AnswerMeta): AnswerShape {
  return endpoint === "chat" ? chatShape(meta) : completionShape(meta);
}

/** How to produce one answer. */
export interface AnswerPlan<R> {
  stream: boolean;
  includeUsage: boolean;
  /** Streamed text is coalesced per this many ms (default `SSE_FLUSH_INTERVAL_MS`). */
  flushIntervalMs?: number | undefined;
  /** Generates; `onText` gets each piece when streaming; `signal` aborts when the client leaves. */
  run(signal: AbortSignal, onText?: (text: string) => void): Promise<R>;
  outcome(result: R): Outcome;
  /** Called with unexpected errors after a stream started. */
  onLateError(error: unknown): void;
  /** Chat under tools: the answer is read back into calls or text (see `tool-output.ts`). */
  tools?: ToolOutput | undefined;
  /** Called once per answered request with its outcome and timings (the request log line). */
  onAnswered?: ((outcome: Outcome, timing: AnswerTiming) => void) | undefined;
}

/** Timings of one answer, in milliseconds from the start of `run`. */
export interface AnswerTiming {
  /** Until the first generated text (null when there was none). */
  firstTextMs: number | null;
  totalMs: number;
}

/** Runs `plan` and answers in `shape`: one JSON body, or an SSE stream (see `streamGeneration`). */
export async function answer<R>(
  c: Context<AppEnv>,
  shape: AnswerShape,
  plan: AnswerPlan<R>,
): Promise<Response> {
  const reader = plan.tools === undefined ? undefined : toolReader(plan.tools);
  const startedMs = performance.now();
  let firstTextMs: number | null = null;
  const run = (signal: AbortSignal, emit?: (text: string) => void): Promise<R> =>
    plan.run(signal, (raw) => {
      firstTextMs ??= performance.now() - startedMs;
      if (emit === undefined) return;
      const text = reader === undefined ? raw : reader.text(raw);
      if (text !== "") emit(text);
    });
  const outcomeOf = (result: R): Outcome => {
    const raw = plan.outcome(result);
    const outcome = reader === undefined ? raw : reader.outcome(raw);
    plan.onAnswered?.(outcome, { firstTextMs, totalMs: performance.now() - startedMs });
    return outcome;
  };
  if (!plan.stream) {
    const result = await run(new AbortController().signal);
    return c.json(shape.body(outcomeOf(result)));
  }
  return streamGeneration({
    target: sseTargetOf(c),
    flushIntervalMs: plan.flushIntervalMs,
    run: (emit, signal) => run(signal, emit),
    head: shape.head,
    piece: shape.piece,
    tail: (result: R) => shape.tail(outcomeOf(result), plan.includeUsage),
    onLateError: plan.onLateError,
    framing: shape.framing,
    errorFrame: shape.errorFrame,
  });
}
