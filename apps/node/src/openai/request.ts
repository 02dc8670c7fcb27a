/**
 * Checks shared by the inference endpoints: a loaded model matching the requested id, `max_tokens` within
 * the node's cap, and the sampling fields in the shape the engine takes.
 * @module
 */
import { randomBytes } from "node:crypto";
import { MAX_TOKENS_DEFAULT } from "../constants.js";
import {
  checkOutputFormat,
  type GenerationResult,
  type OutputFormat,
  planToolCalls,
  renderToolHistory,
  type ToolChatMessage,
  type ToolChoice,
  type ToolPlan,
} from "@tirami/infer";
import type { EnginePort } from "../deps.js";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { AnswerRequest } from "./answer.js";
import type { RouteHints } from "./route-hints.js";
import { type ChatCompletionRequest, type CompletionRequest, contentText } from "./schemas.js";
import { assertWireInput } from "./wire-input.js";

/**
 * The engine serving `model`.
 * @throws {NodeError} MODEL_NOT_LOADED (503) when no model is loaded, MODEL_NOT_FOUND (404) for another id.
 */
export function engineFor(engine: EnginePort | undefined, model: string): EnginePort {
  if (engine === undefined)
    throw new NodeError(NodeErrorCode.MODEL_NOT_LOADED, "no model is loaded on this node", {
      retryAfterS: 30,
    });
  if (model !== engine.manifest.id) {
    throw new NodeError(
      NodeErrorCode.MODEL_NOT_FOUND,
      `model "${model}" is not served here; GET /v1/models lists "${engine.manifest.id}"`,
      {
        param: "model",
      },
    );
  }
  return engine;
}

/** `max_tokens` with its default, refused above the node's cap. @throws {NodeError} INVALID_REQUEST */
export function maxTokensOf(
  requested: number | undefined,
  maxTokensMax: number,
  param = "max_tokens",
): number {
  const maxTokens = requested ?? Math.min(MAX_TOKENS_DEFAULT, maxTokensMax);
  if (maxTokens > maxTokensMax) {
    throw new NodeError(
      NodeErrorCode.INVALID_REQUEST,
      `${param}: must be at most ${maxTokensMax} on this node`,
      { param },
    );
  }
  return maxTokens;
}

/** A chat request's token cap: `max_completion_tokens` (the newer name) or `max_tokens`. */
function chatMaxTokensOf(body: ChatCompletionRequest, maxTokensMax: number): number {
  return body.max_completion_tokens === undefined
    ? maxTokensOf(body.max_tokens, maxTokensMax)
    : maxTokensOf(body.max_completion_tokens, maxTokensMax, "max_completion_tokens");
}

/** A chat request's messages, `developer` read as `system`, with their tool calls and results. */
function chatMessagesOf(body: ChatCompletionRequest): ToolChatMessage[] {
  return body.messages.map((message) => ({
    role: message.role === "developer" ? ("system" as const) : message.role,
    content: contentText(message.content),
    tool_calls: message.tool_calls?.map((call) => ({
      id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
    })),
    tool_call_id: message.tool_call_id,
  }));
}

function invalid(param: string, message: string): NodeError {
  return new NodeError(NodeErrorCode.INVALID_REQUEST, `${param}: ${message}`, { param });
}

/** The tool plan of a chat request (undefined without tools or with `tool_choice: "none"`). */
function toolPlanOf(body: ChatCompletionRequest): ToolPlan | undefined {
  const choice: ToolChoice =
    body.tool_choice === undefined
      ? "auto"
      : typeof body.tool_choice === "string"
        ? body.tool_choice
        : { name: body.tool_choice.function.name };
  if (body.tools === undefined || body.tools.length === 0) {
    if (choice !== "auto" && choice !== "none") throw invalid("tool_choice", "needs tools");
    return undefined;
  }
  return planToolCalls({
    tools: body.tools.map((tool) => ({
      name: tool.function.name,
      description: tool.function.description,
      parameters: tool.function.parameters,
    })),
    choice,
    parallel: body.parallel_tool_calls ?? true,
  });
}

/** The structured output a chat request asks for, checked. */
function responseFormatOf(body: ChatCompletionRequest): OutputFormat | undefined {
  const format = body.response_format;
  if (format === undefined || format.type === "text") return undefined;
  return checkOutputFormat(
    format.type === "json_object" ? format : { type: "json_schema", schema: format.json_schema.schema },
  );
}

/**
 * The model a request names, or — when it names none — the one model this node serves: its loaded
 * model, else the only model the mesh offers. @throws {NodeError} INVALID_REQUEST when that is ambiguous
 */
export function modelOf(
  requested: string | undefined,
  localModel: string | undefined,
  meshModels: () => string[],
): string {
  if (requested !== undefined) return requested;
  if (localModel !== undefined) return localModel;
  const mesh = [...new Set(meshModels())];
  if (mesh.length === 1) return mesh[0] as string;
  throw invalid("model", `is required: this node serves ${mesh.length} models (GET /v1/models lists them)`);
}

/** A completion request's one prompt (a one-element array is accepted; the schema refuses more). */
function promptOf(body: CompletionRequest): string {
  return typeof body.prompt === "string" ? body.prompt : (body.prompt[0] as string);
}

/**
 * The generation a chat request asks for, checked by the wire's rules (`wire-input.ts`).
 * @throws {NodeError} INVALID_REQUEST (token cap, input the wire refuses)
 */
export function chatAnswerRequest(
  body: ChatCompletionRequest,
  maxTokensMax: number,
  route: RouteHints,
  model: string,
): AnswerRequest {
  const plan = toolPlanOf(body);
  const responseFormat = responseFormatOf(body);
  if (plan !== undefined && responseFormat !== undefined)
    throw invalid("response_format", "cannot be combined with tools (their calls are JSON already)");
  const format = plan?.format ?? responseFormat;
  const sampling = { maxTokens: chatMaxTokensOf(body, maxTokensMax), ...samplingOf(body), format };
  if (format !== undefined && sampling.stop !== undefined && sampling.stop.length > 0)
    throw invalid("stop", "cannot be combined with tools or a JSON response_format");
  return checked({
    endpoint: "chat",
    model,
    input: { messages: renderToolHistory(chatMessagesOf(body), plan?.instructions) },
    sampling,
    tools: plan === undefined ? undefined : { mode: plan.mode, format: plan.format },
    stream: body.stream === true,
    includeUsage: body.stream_options?.include_usage === true,
    route,
  });
}

/**
 * The generation a text completion request asks for, checked by the wire's rules (`wire-input.ts`).
 * @throws {NodeError} INVALID_REQUEST (token cap, input the wire refuses)
 */
export function completionAnswerRequest(
  body: CompletionRequest,
  maxTokensMax: number,
  route: RouteHints,
  model: string,
): AnswerRequest {
  return checked({
    endpoint: "completions",
    model,
    input: { prompt: promptOf(body) },
    sampling: { maxTokens: maxTokensOf(body.max_tokens, maxTokensMax), ...samplingOf(body) },
    stream: body.stream === true,
    includeUsage: body.stream_options?.include_usage === true,
    route,
  });
}

function checked(request: AnswerRequest): AnswerRequest {
  assertWireInput(request);
  return request;
}

/** Sampling options in engine form. */
export function samplingOf(body: {
  temperature?: number | undefined;
  top_p?: number | undefined;
  top_k?: number | undefined;
  seed?: number | undefined;
  stop?: string | string[] | null | undefined;
}) {
  return {
    temperature: body.temperature,
    topP: body.top_p,
    topK: body.top_k,
    seed: body.seed,
    stop:
      body.stop === null || body.stop === undefined
        ? undefined
        : typeof body.stop === "string"
          ? [body.stop]
          : body.stop,
  };
}

/** OpenAI `finish_reason`: a generation cut short by shutdown reports `length` (it was truncated). */
export function finishReasonOf(result: GenerationResult): "stop" | "length" {
  return result.finish_reason === "stop" ? "stop" : "length";
}

/** A response id with its OpenAI prefix. */
export function responseId(prefix: "chatcmpl" | "cmpl"): string {
  return `${prefix}-${randomBytes(12).toString("hex")}`;
}

/** OpenAI `usage`. */
export function usageOf(result: GenerationResult) {
  return {
    prompt_tokens: result.prompt_tokens,
    completion_tokens: result.completion_tokens,
    total_tokens: result.prompt_tokens + result.completion_tokens,
  };
}
