/**
 * The harness: everything about an agent that the mind may change — its system prompt, tool definitions,
 * model routes (which model answers which kind of task), sub-agents and a description — with its version
 * and the version it was derived from (lineage). Shape after docs/upstream.md §10.2; stored as JSON with
 * snake_case keys. Versions are assigned by the store; `assertHarnessSpec` bounds every field.
 * @module
 */
import {
  DESCRIPTION_CHARS_MAX,
  HARNESS_BYTES_MAX,
  ROUTES_MAX,
  SUB_AGENTS_MAX,
  SYSTEM_PROMPT_CHARS_MAX,
  TOOLS_MAX,
} from "./constants.js";
import { MindError, MindErrorCode } from "./errors.js";

/** A tool the agent may call, OpenAI function-shaped. */
export interface ToolDefinition {
  name: string;
  description: string;
  /** A JSON schema of the arguments. */
  parameters: Record<string, unknown>;
}

/** The changeable part of a harness (what a proposal produces). */
export interface HarnessSpec {
  system_prompt: string;
  tools: ToolDefinition[];
  /** Route key → model id; `default` is required and answers every task that names no route. */
  model_routes: Record<string, string>;
  sub_agents: HarnessSpec[];
  description: string;
}

/** A stored harness version. */
export interface Harness extends HarnessSpec {
  /** 1, 2, … in the order versions were created (never reused). */
  version: number;
  /** The version this one was derived from; null for a root. */
  parent_version: number | null;
  created_ms: number;
}

/** The route key every harness must have. */
export const DEFAULT_ROUTE = "default";

const ROUTE_KEY_RE = /^[a-z0-9_-]{1,64}$/;
const TOOL_NAME_RE = /^[a-zA-Z0-9_-]{1,64}$/;

function invalid(message: string, field: string): never {
  throw new MindError(MindErrorCode.INVALID_MIND_REQUEST, message, { details: { param: field } });
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== "string" || value.length > max)
    invalid(`${field}: expected a string of at most ${max} characters`, field);
  return value;
}

function assertSpecAt(spec: unknown, field: string, depth: number): asserts spec is HarnessSpec {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec))
    invalid(`${field}: expected an object`, field);
  const s = spec as Record<string, unknown>;
  text(s.system_prompt, `${field}.system_prompt`, SYSTEM_PROMPT_CHARS_MAX);
  text(s.description, `${field}.description`, DESCRIPTION_CHARS_MAX);
  if (!Array.isArray(s.tools) || s.tools.length > TOOLS_MAX)
    invalid(`${field}.tools: at most ${TOOLS_MAX} tools`, field);
  for (const tool of s.tools as unknown[]) {
    const t = tool as Record<string, unknown>;
    if (typeof t !== "object" || t === null || typeof t.name !== "string" || !TOOL_NAME_RE.test(t.name))
      invalid(`${field}.tools: each tool needs a name of 1–64 [a-zA-Z0-9_-]`, `${field}.tools`);
    text(t.description, `${field}.tools.description`, DESCRIPTION_CHARS_MAX);
    if (typeof t.parameters !== "object" || t.parameters === null || Array.isArray(t.parameters))
      invalid(`${field}.tools: parameters must be a JSON schema object`, `${field}.tools`);
  }
  const routes = s.model_routes;
  if (typeof routes !== "object" || routes === null || Array.isArray(routes))
    invalid(`${field}.model_routes: expected an object`, field);
  const entries = Object.entries(routes as Record<string, unknown>);
  if (entries.length > ROUTES_MAX) invalid(`${field}.model_routes: at most ${ROUTES_MAX} routes`, field);
  for (const [key, model] of entries) {
    if (!ROUTE_KEY_RE.test(key)) invalid(`${field}.model_routes: route keys match [a-z0-9_-]{1,64}`, field);
    if (typeof model !== "string" || model.length < 1 || model.length > 256)
      invalid(`${field}.model_routes.${key}: expected a model id of 1–256 characters`, field);
  }
  if (typeof (routes as Record<string, unknown>)[DEFAULT_ROUTE] !== "string")
    invalid(`${field}.model_routes: a "${DEFAULT_ROUTE}" route is required`, field);
  if (!Array.isArray(s.sub_agents) || s.sub_agents.length > (depth === 0 ? SUB_AGENTS_MAX : 0))
    invalid(`${field}.sub_agents: at most ${SUB_AGENTS_MAX}, one level deep`, field);
  s.sub_agents.forEach((sub, i) => assertSpecAt(sub, `${field}.sub_agents[${i}]`, depth + 1));
}

/**
 * Checks every field of `spec` and its size.
 * @throws {MindError} INVALID_MIND_REQUEST naming the field.
 */
export function assertHarnessSpec(spec: unknown): asserts spec is HarnessSpec {
  assertSpecAt(spec, "harness", 0);
  if (Buffer.byteLength(JSON.stringify(specOf(spec))) > HARNESS_BYTES_MAX)
    invalid(`harness: at most ${HARNESS_BYTES_MAX} bytes as JSON`, "harness");
}

/** The changeable fields of `harness`, in a fixed key order (what is stored and compared). */
export function specOf(harness: HarnessSpec): HarnessSpec {
  return {
    system_prompt: harness.system_prompt,
    tools: harness.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })),
    model_routes: Object.fromEntries(
      Object.entries(harness.model_routes).sort(([a], [b]) => (a < b ? -1 : 1)),
    ),
    sub_agents: harness.sub_agents.map(specOf),
    description: harness.description,
  };
}

/** A spec with defaults for what `partial` leaves out (no tools, no sub-agents, empty description). */
export function harnessSpec(
  partial: Partial<HarnessSpec> & Pick<HarnessSpec, "system_prompt" | "model_routes">,
): HarnessSpec {
  const spec = {
    system_prompt: partial.system_prompt,
    tools: partial.tools ?? [],
    model_routes: partial.model_routes,
    sub_agents: partial.sub_agents ?? [],
    description: partial.description ?? "",
  };
  assertHarnessSpec(spec);
  return specOf(spec);
}

/** One changed field between two harness versions. */
export interface HarnessChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** The fields that differ from `from` to `to` (system prompt, each route, tools, sub-agents, description). */
export function diffHarness(from: HarnessSpec, to: HarnessSpec): HarnessChange[] {
  const changes: HarnessChange[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (from.system_prompt !== to.system_prompt)
    changes.push({ field: "system_prompt", before: from.system_prompt, after: to.system_prompt });
  const keys = new Set([...Object.keys(from.model_routes), ...Object.keys(to.model_routes)]);
  for (const key of [...keys].sort()) {
    const before = from.model_routes[key] ?? null;
    const after = to.model_routes[key] ?? null;
    if (before !== after) changes.push({ field: `model_routes.${key}`, before, after });
  }
  const a = specOf(from);
  const b = specOf(to);
  if (!same(a.tools, b.tools)) changes.push({ field: "tools", before: a.tools, after: b.tools });
  if (!same(a.sub_agents, b.sub_agents))
    changes.push({ field: "sub_agents", before: a.sub_agents, after: b.sub_agents });
  if (from.description !== to.description)
    changes.push({ field: "description", before: from.description, after: to.description });
  return changes;
}
