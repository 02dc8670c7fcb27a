/**
 * Structured output, enforced by grammar: a generation asked for `json_object` or `json_schema` is
 * sampled under a llama.cpp grammar (node-llama-cpp's built-in `json` grammar, or a
 * `LlamaJsonSchemaGrammar` compiled from the schema), so every token keeps the text a prefix of a
 * conforming answer and the answer, when it ends by itself, always parses and validates. Schemas are
 * the subset `checkJsonSchema` (@tirami/core) accepts; compiled grammars are cached per schema.
 * @module
 */
import { checkJsonSchema, InvalidJsonSchemaError, type JsonSchema } from "@tirami/core";
import type { Llama, LlamaGrammar } from "node-llama-cpp";
import { GRAMMAR_CACHE_MAX } from "./constants.js";
import { InvalidGenerationOptionsError } from "./errors.js";

/** What an answer must be: any JSON object, or JSON conforming to `schema`. */
export type OutputFormat = { type: "json_object" } | { type: "json_schema"; schema: JsonSchema };

const ANNOTATIONS = new Set(["title", "default", "examples", "$schema", "$id", "strict"]);

/**
 * The schema in the dialect node-llama-cpp compiles: annotations dropped, `anyOf` as `oneOf`, a
 * redundant `type` beside `enum`/`const` dropped (the values decide).
 */
function toGbnfSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toGbnfSchema);
  if (typeof schema !== "object" || schema === null) return schema;
  const source = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (ANNOTATIONS.has(key)) continue;
    if (key === "type" && (source.enum !== undefined || source.const !== undefined)) continue;
    if (key === "enum" || key === "const") out[key] = value;
    else if (key === "properties" || key === "$defs")
      out[key] = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, toGbnfSchema(v)]));
    else out[key === "anyOf" ? "oneOf" : key] = toGbnfSchema(value);
  }
  return out;
}

const EXPONENT = '([eE] [-+]? ("0" | [1-9] [0-9]{0,15}))?';
const NUMBER_RULES = [
  // An exponent can make an "integer" a fraction (1e-5): integers get none.
  { head: "integer-number-rule ::= ", exponent: "" },
  // Up to 16 mantissa digits and a two-digit exponent stay finite (an exponent of 999 parses as Infinity).
  { head: "fractional-number-rule ::= ", exponent: "([eE] [-+]? [0-9]{1,2})?" },
];

/**
 * node-llama-cpp's number rules (3.21) accept `1e-5` as an integer and exponents that overflow to
 * Infinity; both would fail validation. Rewrites the two rules so every sampled number validates.
 * @throws {Error} when a rule is present in an unexpected form (a changed node-llama-cpp).
 */
export function tightenNumbers(grammar: string): string {
  return grammar
    .split("\n")
    .map((line) => {
      const rule = NUMBER_RULES.find((r) => line.startsWith(r.head));
      if (rule === undefined) return line;
      if (!line.endsWith(EXPONENT)) throw new Error(`unexpected number rule in the grammar: ${line}`);
      return line.slice(0, line.length - EXPONENT.length) + rule.exponent;
    })
    .join("\n");
}

/**
 * Checks `format` (from outside) and returns it typed.
 * @throws {InvalidGenerationOptionsError} (field `response_format`) naming what is wrong.
 */
export function checkOutputFormat(format: unknown): OutputFormat {
  const f = format as { type?: unknown; schema?: unknown } | null;
  if (typeof f !== "object" || f === null || (f.type !== "json_object" && f.type !== "json_schema"))
    throw new InvalidGenerationOptionsError("response_format must be json_object or json_schema", {
      field: "response_format",
    });
  if (f.type === "json_object") return { type: "json_object" };
  try {
    checkJsonSchema(f.schema);
  } catch (error) {
    if (error instanceof InvalidJsonSchemaError)
      throw new InvalidGenerationOptionsError(`response_format: ${error.message}`, {
        field: "response_format",
      });
    throw error;
  }
  return { type: "json_schema", schema: f.schema };
}

/** Compiles output formats into grammars for one `Llama`, keeping the last `GRAMMAR_CACHE_MAX`. */
export class GrammarCache {
  readonly #llama: Llama;
  readonly #grammars = new Map<string, Promise<LlamaGrammar>>();

  constructor(llama: Llama) {
    this.#llama = llama;
  }

  /** The grammar enforcing `format` (checked first). @throws {InvalidGenerationOptionsError} */
  grammarFor(format: OutputFormat): Promise<LlamaGrammar> {
    const checked = checkOutputFormat(format);
    const key = checked.type === "json_object" ? "json_object" : JSON.stringify(checked.schema);
    const cached = this.#grammars.get(key);
    if (cached !== undefined) {
      this.#grammars.delete(key);
      this.#grammars.set(key, cached);
      return cached;
    }
    const grammar =
      checked.type === "json_object" ? this.#llama.getGrammarFor("json") : this.#compile(checked.schema);
    this.#grammars.set(key, grammar);
    grammar.catch(() => this.#grammars.delete(key));
    while (this.#grammars.size > GRAMMAR_CACHE_MAX) {
      const oldest = this.#grammars.keys().next().value as string;
      this.#grammars.delete(oldest);
    }
    return grammar;
  }

  async #compile(schema: JsonSchema): Promise<LlamaGrammar> {
    try {
      const compiled = await this.#llama.createGrammarForJsonSchema(toGbnfSchema(schema) as never);
      return await this.#llama.createGrammar({
        grammar: tightenNumbers(compiled.grammar),
        stopGenerationTriggers: compiled.stopGenerationTriggers,
        trimWhitespaceSuffix: compiled.trimWhitespaceSuffix,
        rootRuleName: compiled.rootRuleName,
      });
    } catch (error) {
      throw new InvalidGenerationOptionsError(
        `response_format: the schema cannot be compiled into a grammar: ${(error as Error).message}`,
        { field: "response_format" },
      );
    }
  }
}
