/**
 * Tool (function) calls for any model, enforced by grammar. The tools are documented in the system
 * turn, and the answer is constrained to one JSON envelope — llama.cpp's "generic" tool-call format:
 *
 *   a call (or parallel calls): `{"tool_calls": [{"name": "<function>", "arguments": {…}}, …]}`
 *   a plain answer (`tool_choice: "auto"` only): `{"response": "<text>"}`
 *
 * Each call's `name` is one of the declared functions and its `arguments` conform to that function's
 * parameter schema, because the envelope's schema (`toolCallFormat`) is compiled into the grammar.
 * `none` adds nothing; `required` and a named function allow calls only. Earlier calls and their
 * results in the history are rendered back in the same envelope (`renderToolHistory`), so a model sees
 * its own format. The same text travels to a provider in the mesh: only the messages and the output
 * format cross the wire, and the consumer checks the answer against the same format before it pays.
 * @module
 */
import { checkJsonSchema, InvalidJsonSchemaError, type JsonSchema, validateJson } from "@tirami/core";
import { TOOL_CALLS_MAX, TOOLS_MAX } from "./constants.js";
import type { ChatMessage } from "./engine.js";
import { InvalidGenerationOptionsError } from "./errors.js";
import type { OutputFormat } from "./format.js";

/** A callable function, as declared in an OpenAI `tools` entry. */
export interface ToolFunction {
  name: string;
  description?: string | undefined;
  /** JSON schema of the arguments object (default: no arguments). */
  parameters?: JsonSchema | undefined;
}

/** Which calls the answer may or must make. */
export type ToolChoice = "auto" | "none" | "required" | { name: string };

/** The tools of one request. */
export interface ToolsRequest {
  tools: readonly ToolFunction[];
  choice: ToolChoice;
  /** More than one call per answer (OpenAI `parallel_tool_calls`, default true). */
  parallel: boolean;
}

/** One call the model made; `arguments` is JSON text, as OpenAI carries it. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A chat turn that may carry tool calls (assistant) or a tool result (`tool`). */
export interface ToolChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  tool_calls?: readonly ToolCall[] | undefined;
  /** For `tool`: the call this result answers. */
  tool_call_id?: string | undefined;
}

/** How an answer under tools is read. */
export type ToolMode = "calls" | "calls_or_text";

/** What the answer must look like under `request`, or undefined when it is plain text (`none`). */
export interface ToolPlan {
  mode: ToolMode;
  format: OutputFormat;
  /** Documentation of the tools and the envelope, appended to the system turn. */
  instructions: string;
}

const NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
const NO_ARGUMENTS: JsonSchema = { type: "object", properties: {}, additionalProperties: false };

function fail(message: string): never {
  throw new InvalidGenerationOptionsError(message, { field: "tools" });
}

/** Checks the declared tools (names, count, schemas). @throws {InvalidGenerationOptionsError} */
export function checkTools(tools: readonly ToolFunction[]): void {
  if (tools.length === 0 || tools.length > TOOLS_MAX) fail(`tools must list 1 to ${TOOLS_MAX} functions`);
  const names = new Set<string>();
  tools.forEach((tool, i) => {
    if (!NAME_RE.test(tool.name)) fail(`tools[${i}].function.name must match ${NAME_RE.source}`);
    if (names.has(tool.name)) fail(`tools[${i}].function.name ${tool.name} is declared twice`);
    names.add(tool.name);
    if (tool.parameters === undefined) return;
    try {
      checkJsonSchema(tool.parameters);
    } catch (error) {
      if (error instanceof InvalidJsonSchemaError) fail(`tools[${i}].function.parameters: ${error.message}`);
      throw error;
    }
    if (tool.parameters.type !== "object") fail(`tools[${i}].function.parameters must have type "object"`);
  });
}

function callSchema(tool: ToolFunction): JsonSchema {
  return {
    type: "object",
    properties: { name: { const: tool.name }, arguments: tool.parameters ?? NO_ARGUMENTS },
    required: ["name", "arguments"],
    additionalProperties: false,
  };
}

/**
 * The envelope schema: calls of the allowed functions (at most `TOOL_CALLS_MAX`, or one), or with
 * `calls_or_text` also `{"response": "<text>"}`.
 */
export function toolCallFormat(
  tools: readonly ToolFunction[],
  mode: ToolMode,
  parallel: boolean,
): OutputFormat {
  const calls: JsonSchema = {
    type: "object",
    properties: {
      tool_calls: {
        type: "array",
        items: tools.length === 1 ? callSchema(tools[0] as ToolFunction) : { oneOf: tools.map(callSchema) },
        minItems: 1,
        maxItems: parallel ? TOOL_CALLS_MAX : 1,
      },
    },
    required: ["tool_calls"],
    additionalProperties: false,
  };
  if (mode === "calls") return { type: "json_schema", schema: calls };
  const text: JsonSchema = {
    type: "object",
    properties: { response: { type: "string" } },
    required: ["response"],
    additionalProperties: false,
  };
  return { type: "json_schema", schema: { oneOf: [calls, text] } };
}

function instructionsFor(tools: readonly ToolFunction[], mode: ToolMode): string {
  const lines = ["You can call these functions:"];
  for (const tool of tools) {
    lines.push(`- ${tool.name}${tool.description === undefined ? "" : `: ${tool.description}`}`);
    lines.push(`  arguments (JSON schema): ${JSON.stringify(tool.parameters ?? NO_ARGUMENTS)}`);
  }
  lines.push(
    'To call functions, answer only with JSON: {"tool_calls": [{"name": "<function>", "arguments": {<arguments>}}]}.',
  );
  if (mode === "calls_or_text")
    lines.push('To answer without calling a function, answer only with JSON: {"response": "<your answer>"}.');
  lines.push('Results of calls come back in messages that start with "Function result".');
  return lines.join("\n");
}

/**
 * The plan for `request`: undefined for `tool_choice: "none"`, otherwise the envelope format and the
 * instructions. A named choice keeps only that function.
 * @throws {InvalidGenerationOptionsError} for invalid tools or a choice naming an undeclared function.
 */
export function planToolCalls(request: ToolsRequest): ToolPlan | undefined {
  checkTools(request.tools);
  const { choice } = request;
  if (choice === "none") return undefined;
  let tools = request.tools;
  if (typeof choice === "object") {
    tools = request.tools.filter((tool) => tool.name === choice.name);
    if (tools.length === 0) fail(`tool_choice names ${JSON.stringify(choice.name)}, which is not in tools`);
  }
  const mode: ToolMode = choice === "auto" ? "calls_or_text" : "calls";
  return {
    mode,
    format: toolCallFormat(tools, mode, request.parallel),
    instructions: instructionsFor(tools, mode),
  };
}

function argumentsValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The history as plain chat turns: an assistant turn with calls becomes the envelope it was answered
 * with, a tool result becomes a user turn `Function result (<name>, call <id>): <content>`, and
 * `instructions` (if any) are appended to the first system turn (or open the conversation as one).
 */
export function renderToolHistory(
  messages: readonly ToolChatMessage[],
  instructions: string | undefined,
): ChatMessage[] {
  const names = new Map<string, string>();
  const out: ChatMessage[] = messages.map((message) => {
    if (message.role === "assistant" && message.tool_calls !== undefined && message.tool_calls.length > 0) {
      for (const call of message.tool_calls) names.set(call.id, call.name);
      const calls = message.tool_calls.map((c) => ({ name: c.name, arguments: argumentsValue(c.arguments) }));
      return { role: "assistant", content: JSON.stringify({ tool_calls: calls }) };
    }
    if (message.role === "tool") {
      const id = message.tool_call_id ?? "";
      const name = names.get(id);
      const label = name === undefined ? `call ${id}` : `${name}, call ${id}`;
      return { role: "user", content: `Function result (${label}): ${message.content}` };
    }
    return { role: message.role, content: message.content };
  });
  if (instructions === undefined) return out;
  const first = out[0];
  if (first?.role === "system") out[0] = { role: "system", content: `${first.content}\n\n${instructions}` };
  else out.unshift({ role: "system", content: instructions });
  return out;
}

/** What an answer under tools said: calls (with fresh ids from `newId`), or text. */
export type ToolAnswer = { kind: "calls"; calls: ToolCall[] } | { kind: "text"; text: string };

/**
 * Reads a complete envelope; null when `text` is not one that conforms to `format` (e.g. cut short by
 * `max_tokens`).
 */
export function parseToolAnswer(text: string, format: OutputFormat, newId: () => string): ToolAnswer | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (format.type !== "json_schema" || validateJson(value, format.schema) !== null) return null;
  const envelope = value as { tool_calls?: { name: string; arguments: unknown }[]; response?: string };
  if (envelope.tool_calls !== undefined)
    return {
      kind: "calls",
      calls: envelope.tool_calls.map((c) => ({
        id: newId(),
        name: c.name,
        arguments: JSON.stringify(c.arguments),
      })),
    };
  return { kind: "text", text: envelope.response ?? "" };
}

const RESPONSE_PREFIX_RE = /^\{\s*"response"\s*:\s*"/;
const CALLS_PREFIX_RE = /^\{\s*"t/;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/**
 * Streams the text of a `{"response": "…"}` envelope as it is generated: `push` takes raw generated
 * text and returns the newly decoded answer text ("" while undecided, for calls, or mid-escape).
 */
export function createResponseTextDecoder(): { push(raw: string): string } {
  let raw = "";
  let at = -1; // index of the next undecoded character inside the string; -1 undecided; -2 not text
  return {
    push(piece: string): string {
      raw += piece;
      if (at === -2) return "";
      if (at === -1) {
        const match = RESPONSE_PREFIX_RE.exec(raw);
        if (match === null) {
          if (CALLS_PREFIX_RE.test(raw)) at = -2;
          return "";
        }
        at = match[0].length;
      }
      let out = "";
      while (at < raw.length) {
        const char = raw[at] as string;
        if (char === '"') {
          at = -2; // the answer text ended
          break;
        }
        if (char !== "\\") {
          out += char;
          at += 1;
          continue;
        }
        const kind = raw[at + 1];
        if (kind === undefined) break;
        if (kind === "u") {
          const hex = raw.slice(at + 2, at + 6);
          if (hex.length < 4) break;
          out += String.fromCharCode(Number.parseInt(hex, 16));
          at += 6;
          continue;
        }
        out += ESCAPES[kind] ?? kind;
        at += 2;
      }
      return out;
    },
  };
}
