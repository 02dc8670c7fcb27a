/**
 * Task sets: what a benchmark runs. A task is a prompt, an optional route key of the harness (which model
 * answers it) and token budget, and a check (`checks.ts`). A set is read from JSONL (one task a line,
 * blank lines skipped) or from an array, with every field and the set's size bounded.
 * @module
 */
import {
  TASK_MAX_TOKENS_DEFAULT,
  TASK_MAX_TOKENS_MAX,
  TASK_PROMPT_CHARS_MAX,
  TASK_SET_BYTES_MAX,
  TASKS_MAX,
} from "./constants.js";
import { type Check, parseCheck } from "./checks.js";
import { MindError, MindErrorCode } from "./errors.js";

/** One benchmark task. */
export interface Task {
  /** Unique in its set (default `task-<n>`). */
  id: string;
  prompt: string;
  /** Route key of the harness (default `default`). */
  route: string;
  max_tokens: number;
  check: Check;
}

/** A named task set. */
export interface TaskSet {
  name: string;
  tasks: Task[];
}

const ID_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
const ROUTE_RE = /^[a-z0-9_-]{1,64}$/;

function invalid(message: string, where: string): never {
  throw new MindError(MindErrorCode.INVALID_MIND_REQUEST, `${where}: ${message}`, {
    details: { param: "tasks" },
  });
}

/** Validates one task (at position `index`, for messages). */
export function parseTask(value: unknown, index: number): Task {
  const where = `task ${index + 1}`;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    invalid("expected an object", where);
  const t = value as Record<string, unknown>;
  const id = t.id ?? `task-${index + 1}`;
  if (typeof id !== "string" || !ID_RE.test(id)) invalid("id must be 1–64 of [A-Za-z0-9_.:-]", where);
  if (typeof t.prompt !== "string" || t.prompt.length < 1 || t.prompt.length > TASK_PROMPT_CHARS_MAX)
    invalid(`prompt must be a string of 1–${TASK_PROMPT_CHARS_MAX} characters`, where);
  const route = t.route ?? "default";
  if (typeof route !== "string" || !ROUTE_RE.test(route)) invalid("route must match [a-z0-9_-]{1,64}", where);
  const maxTokens = t.max_tokens ?? TASK_MAX_TOKENS_DEFAULT;
  if (
    !Number.isSafeInteger(maxTokens) ||
    (maxTokens as number) < 1 ||
    (maxTokens as number) > TASK_MAX_TOKENS_MAX
  )
    invalid(`max_tokens must be an integer from 1 to ${TASK_MAX_TOKENS_MAX}`, where);
  let check: Check;
  try {
    check = parseCheck(t.check);
  } catch (error) {
    invalid((error as Error).message, where);
  }
  return { id, prompt: t.prompt, route, max_tokens: maxTokens as number, check };
}

/**
 * Validates a task set given as an array of task objects.
 * @throws {MindError} INVALID_MIND_REQUEST naming the task.
 */
export function parseTasks(values: unknown, name = "custom"): TaskSet {
  if (!Array.isArray(values) || values.length < 1 || values.length > TASKS_MAX)
    invalid(`expected 1–${TASKS_MAX} tasks`, "tasks");
  const tasks = values.map(parseTask);
  const ids = new Set(tasks.map((t) => t.id));
  if (ids.size !== tasks.length) invalid("task ids must be unique", "tasks");
  return { name, tasks };
}

/**
 * Reads a JSONL task set (one task object a line; blank lines skipped).
 * @throws {MindError} INVALID_MIND_REQUEST naming the line.
 */
export function parseTasksJsonl(text: string, name = "custom"): TaskSet {
  if (Buffer.byteLength(text) > TASK_SET_BYTES_MAX) invalid(`at most ${TASK_SET_BYTES_MAX} bytes`, "tasks");
  const values: unknown[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      values.push(JSON.parse(line));
    } catch {
      invalid("not a JSON object", `line ${i + 1}`);
    }
  });
  return parseTasks(values, name);
}
