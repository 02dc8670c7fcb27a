/**
 * The checks a benchmark task's answer must pass: `exact` (the trimmed answer equals the value), `contains`
 * (the value occurs in the answer), `regex` (the pattern matches), `json_schema` (the trimmed answer is
 * JSON valid under the schema, with `@tirami/core`'s validator) and `numeric` (the first number in the
 * answer is within the tolerance of the value). Each passes or fails; a task scores 1 or 0.
 * @module
 */
import { checkJsonSchema, type JsonSchema, validateJson } from "@tirami/core";
import { CHECK_VALUE_CHARS_MAX } from "./constants.js";
import { MindError, MindErrorCode } from "./errors.js";

/** A check on one answer. */
export type Check =
  | { type: "exact"; value: string; case_sensitive?: boolean }
  | { type: "contains"; value: string; case_sensitive?: boolean }
  | { type: "regex"; pattern: string; flags?: string }
  | { type: "json_schema"; schema: JsonSchema }
  | { type: "numeric"; value: number; tolerance: number };

const REGEX_FLAGS_RE = /^[imsu]{0,4}$/;
const NUMBER_RE = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;

function invalid(message: string): never {
  throw new MindError(MindErrorCode.INVALID_MIND_REQUEST, `check: ${message}`, {
    details: { param: "check" },
  });
}

function shortText(value: unknown, field: string): string {
  if (typeof value !== "string" || value.length < 1 || value.length > CHECK_VALUE_CHARS_MAX)
    invalid(`${field} must be a string of 1–${CHECK_VALUE_CHARS_MAX} characters`);
  return value;
}

/**
 * Reads and validates a check (regexes compile, schemas are in the supported subset).
 * @throws {MindError} INVALID_MIND_REQUEST.
 */
export function parseCheck(value: unknown): Check {
  if (typeof value !== "object" || value === null) invalid("expected an object");
  const c = value as Record<string, unknown>;
  const caseSensitive = c.case_sensitive;
  if (caseSensitive !== undefined && typeof caseSensitive !== "boolean")
    invalid("case_sensitive must be a boolean");
  switch (c.type) {
    case "exact":
    case "contains":
      return {
        type: c.type,
        value: shortText(c.value, "value"),
        ...(caseSensitive === undefined ? {} : { case_sensitive: caseSensitive }),
      };
    case "regex": {
      const pattern = shortText(c.pattern, "pattern");
      const flags = c.flags ?? "";
      if (typeof flags !== "string" || !REGEX_FLAGS_RE.test(flags)) invalid("flags: only i, m, s, u");
      try {
        new RegExp(pattern, flags);
      } catch (error) {
        invalid(`pattern does not compile: ${(error as Error).message}`);
      }
      return { type: "regex", pattern, ...(flags === "" ? {} : { flags }) };
    }
    case "json_schema":
      try {
        checkJsonSchema(c.schema);
      } catch (error) {
        invalid(`schema: ${(error as Error).message}`);
      }
      return { type: "json_schema", schema: c.schema as JsonSchema };
    case "numeric":
      if (typeof c.value !== "number" || !Number.isFinite(c.value)) invalid("value must be a finite number");
      if (typeof c.tolerance !== "number" || !Number.isFinite(c.tolerance) || c.tolerance < 0)
        invalid("tolerance must be a number ≥ 0");
      return { type: "numeric", value: c.value, tolerance: c.tolerance };
    default:
      return invalid('type must be "exact", "contains", "regex", "json_schema" or "numeric"');
  }
}

/** True when `answer` passes `check`. */
export function passes(check: Check, answer: string): boolean {
  switch (check.type) {
    case "exact":
      return check.case_sensitive === false
        ? answer.trim().toLowerCase() === check.value.trim().toLowerCase()
        : answer.trim() === check.value.trim();
    case "contains":
      return check.case_sensitive === false
        ? answer.toLowerCase().includes(check.value.toLowerCase())
        : answer.includes(check.value);
    case "regex":
      return new RegExp(check.pattern, check.flags ?? "").test(answer);
    case "json_schema": {
      let value: unknown;
      try {
        value = JSON.parse(answer.trim());
      } catch {
        return false;
      }
      return validateJson(value, check.schema) === null;
    }
    case "numeric": {
      const match = NUMBER_RE.exec(answer);
      if (match === null) return false;
      return Math.abs(Number(match[0]) - check.value) <= check.tolerance;
    }
  }
}

/** The words a failed check wanted to see (what a prompt rewrite can ask for); none for other kinds. */
export function wantedText(check: Check): string | undefined {
  return check.type === "contains" || check.type === "exact" ? check.value : undefined;
}
