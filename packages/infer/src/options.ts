/**
 * Per-request generation options (named like the OpenAI wire fields they come from) and their
 * validation. Out-of-range values throw `InvalidGenerationOptionsError` (HTTP 400), never clamp silently.
 * @module
 */
import {
  MAX_TOKENS_DEFAULT,
  MAX_TOKENS_MAX,
  STOP_STRING_MAX_CHARS,
  STOP_STRINGS_MAX,
  TEMPERATURE_DEFAULT,
  TEMPERATURE_MAX,
  TOP_K_MAX,
} from "./constants.js";
import { InvalidGenerationOptionsError } from "./errors.js";
import type { OutputFormat } from "./format.js";

/** Options of one generation request. */
export interface GenerationOptions {
  /** Most tokens to generate (default 256, at most 131,072; also capped by the free context). */
  max_tokens?: number;
  /** Sampling temperature, 0–2 (default 0.7). 0 is greedy and deterministic. */
  temperature?: number;
  /** Nucleus sampling mass, (0, 1] (default 1 = off). Ignored when greedy. */
  top_p?: number;
  /** Sample among the k likeliest tokens; 0 = off (default). Ignored when greedy. */
  top_k?: number;
  /** Sampling seed, an integer 0 … 2^32 − 1 (default random). Ignored when greedy. */
  seed?: number;
  /** Strings that end the generation; they are not part of the returned text. */
  stop?: string | readonly string[];
  /**
   * Constrains the answer by grammar to JSON (`json_object`) or to JSON conforming to a schema
   * (`json_schema`, the subset `checkJsonSchema` accepts). An answer that ends by itself always parses
   * and validates; one cut by `max_tokens` (`finish_reason: "length"`) may be incomplete.
   */
  format?: OutputFormat | undefined;
  /** Aborting ends the generation promptly with `finish_reason: "abort"` (also while queued). */
  signal?: AbortSignal;
  /** Receives the generated text chunk by chunk, as it is produced (streaming). If it throws, the generation ends with `finish_reason: "abort"`. */
  onText?: (chunk: string) => void;
}

/** Options after validation and defaults. */
export interface ResolvedGenerationOptions {
  maxTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  seed: number | undefined;
  stop: string[];
}

function fail(field: string, expected: string, value: unknown): never {
  throw new InvalidGenerationOptionsError(
    `${field} must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`,
    { field },
  );
}

function finiteIn(
  field: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  minExclusive = false,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value > max ||
    value < min ||
    (minExclusive && value === min)
  ) {
    fail(field, `a number in ${minExclusive ? "(" : "["}${min}, ${max}]`, value);
  }
  return value;
}

function integerIn(
  field: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max)
    fail(field, `an integer in [${min}, ${max}]`, value);
  return value;
}

/**
 * Validates options and applies defaults.
 * @throws {InvalidGenerationOptionsError} naming the first bad field.
 */
export function resolveGenerationOptions(options: GenerationOptions): ResolvedGenerationOptions {
  const stopInput =
    options.stop === undefined ? [] : typeof options.stop === "string" ? [options.stop] : options.stop;
  if (!Array.isArray(stopInput) || stopInput.length > STOP_STRINGS_MAX)
    fail("stop", `a string or at most ${STOP_STRINGS_MAX} strings`, options.stop);
  for (const s of stopInput) {
    if (typeof s !== "string" || s.length === 0 || s.length > STOP_STRING_MAX_CHARS)
      fail("stop", `non-empty strings of at most ${STOP_STRING_MAX_CHARS} characters`, s);
  }
  if (options.onText !== undefined && typeof options.onText !== "function")
    fail("onText", "a function", typeof options.onText);
  return {
    maxTokens: integerIn("max_tokens", options.max_tokens, MAX_TOKENS_DEFAULT, 1, MAX_TOKENS_MAX),
    temperature: finiteIn("temperature", options.temperature, TEMPERATURE_DEFAULT, 0, TEMPERATURE_MAX),
    topP: finiteIn("top_p", options.top_p, 1, 0, 1, true),
    topK: integerIn("top_k", options.top_k, 0, 0, TOP_K_MAX),
    seed: options.seed === undefined ? undefined : integerIn("seed", options.seed, 0, 0, 2 ** 32 - 1),
    stop: [...stopInput],
  };
}
