/**
 * The JSON-schema subset that structured output and tool calls accept — exactly the keywords a
 * grammar can enforce token by token (node-llama-cpp's JSON-schema grammars): `type` (one type or a
 * list of scalar types), `enum`, `const`, `oneOf`/`anyOf`, `properties`, `required`,
 * `additionalProperties`, `minProperties`/`maxProperties`, `items`, `prefixItems`,
 * `minItems`/`maxItems`, `minLength`/`maxLength`, `format` (`date-time`, `date`, `time`), `$defs` with
 * local `$ref`s (`#/$defs/name`), and the annotations `description`, `title`, `default`, `examples`,
 * `$schema`, `$id`, `strict`. Anything else (`pattern`, `minimum`, `allOf`, …) is refused rather than
 * silently not enforced. One checker serves the HTTP boundary, the wire (`@tirami/proto`) and the
 * engine; one validator lets a consumer check an answer before it pays for it.
 * @module
 */
import { TiramiError } from "./errors.js";

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A schema that passed `checkJsonSchema` (an object tree of the keywords above). */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** Deepest nesting of schemas in one schema. */
export const JSON_SCHEMA_DEPTH_MAX = 32;
/** Most sub-schemas (nodes) in one schema. */
export const JSON_SCHEMA_NODES_MAX = 2_048;
/** Most values in one `enum`, properties in one object, alternatives in one `oneOf`. */
export const JSON_SCHEMA_LIST_MAX = 256;
/**
 * Largest `minItems`/`maxItems`/`minLength`/`maxLength`/`min/maxProperties`: llama.cpp's grammar parser
 * refuses repetitions above 2,000 ("exceeds sane defaults"), so larger bounds could not be enforced.
 */
export const JSON_SCHEMA_REPEAT_MAX = 2_000;
/** Largest schema, as JSON text in UTF-8 bytes (the wire carries it as such). */
export const JSON_SCHEMA_BYTES_MAX = 65_536;

/** A schema outside the supported subset or its limits. */
export class InvalidJsonSchemaError extends TiramiError {
  override name = "InvalidJsonSchemaError";
  constructor(message: string, path: string) {
    super("INVALID_JSON_SCHEMA", `${path === "" ? "schema" : `schema${path}`}: ${message}`, {
      details: { path },
    });
  }
}

const SCALAR_TYPES = new Set(["string", "number", "integer", "boolean", "null"]);
const FORMATS = new Set(["date-time", "date", "time"]);
const ANNOTATIONS = new Set(["description", "title", "default", "examples", "$schema", "$id", "strict"]);
const KEYWORDS = new Set([
  "type",
  "enum",
  "const",
  "oneOf",
  "anyOf",
  "properties",
  "required",
  "additionalProperties",
  "minProperties",
  "maxProperties",
  "items",
  "prefixItems",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "format",
  "$defs",
  "$ref",
]);
const REF_RE = /^#\/\$defs\/([^/~]+)$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

interface Walk {
  nodes: number;
  defs: Set<string>;
}

function count(path: string, value: unknown, max: number): void {
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > max)
    throw new InvalidJsonSchemaError(`must be an integer from 0 to ${max}`, path);
}

function checkType(schema: Record<string, unknown>, path: string): void {
  const type = schema.type;
  if (typeof type === "string") {
    if (!SCALAR_TYPES.has(type) && type !== "object" && type !== "array")
      throw new InvalidJsonSchemaError(`unknown type ${JSON.stringify(type)}`, `${path}.type`);
    return;
  }
  if (!Array.isArray(type) || type.length === 0 || type.length > SCALAR_TYPES.size)
    throw new InvalidJsonSchemaError("type must be a type name or a list of them", `${path}.type`);
  for (const t of type)
    if (typeof t !== "string" || !SCALAR_TYPES.has(t))
      throw new InvalidJsonSchemaError(
        "a list of types may hold only string, number, integer, boolean and null",
        `${path}.type`,
      );
}

/** Checks one schema node and, through `sub`, the schemas inside it. */
function checkNode(schema: unknown, path: string, depth: number, walk: Walk): void {
  if (depth > JSON_SCHEMA_DEPTH_MAX)
    throw new InvalidJsonSchemaError(`nested deeper than ${JSON_SCHEMA_DEPTH_MAX}`, path);
  walk.nodes += 1;
  if (walk.nodes > JSON_SCHEMA_NODES_MAX)
    throw new InvalidJsonSchemaError(`more than ${JSON_SCHEMA_NODES_MAX} sub-schemas`, path);
  if (!isRecord(schema)) throw new InvalidJsonSchemaError("must be an object", path);
  for (const key of Object.keys(schema))
    if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key))
      throw new InvalidJsonSchemaError(`keyword ${JSON.stringify(key)} is not supported`, path);
  const sub = (value: unknown, at: string): void => checkNode(value, at, depth + 1, walk);
  if (isRecord(schema.$defs)) {
    const entries = Object.entries(schema.$defs);
    if (entries.length > JSON_SCHEMA_LIST_MAX)
      throw new InvalidJsonSchemaError(`more than ${JSON_SCHEMA_LIST_MAX} definitions`, `${path}.$defs`);
    for (const [name, def] of entries) {
      walk.defs.add(name);
      sub(def, `${path}.$defs.${name}`);
    }
  } else if (schema.$defs !== undefined)
    throw new InvalidJsonSchemaError("must be an object", `${path}.$defs`);
  checkShape(schema, path, sub);
  checkTypedKeywords(schema, path, sub);
}

function listOf(value: unknown, at: string, min: number): unknown[] {
  if (!Array.isArray(value) || value.length < min || value.length > JSON_SCHEMA_LIST_MAX)
    throw new InvalidJsonSchemaError(`must be a list of ${min} to ${JSON_SCHEMA_LIST_MAX} entries`, at);
  return value;
}

/** The node's one shape: `type`, `enum`, `const`, `oneOf`/`anyOf` or `$ref`. */
function checkShape(
  schema: Record<string, unknown>,
  path: string,
  sub: (value: unknown, at: string) => void,
): void {
  // `type` beside `enum` or `const` is redundant (and common in tool schemas): the values decide.
  const shapes = ["enum", "const", "oneOf", "anyOf", "$ref"].filter((k) => schema[k] !== undefined);
  if (schema.type !== undefined && !(shapes.length === 1 && (shapes[0] === "enum" || shapes[0] === "const")))
    shapes.push("type");
  if (shapes.length !== 1)
    throw new InvalidJsonSchemaError("needs exactly one of type, enum, const, oneOf, anyOf, $ref", path);
  const shape = shapes[0] as string;
  if (schema.type !== undefined) checkType(schema, path);
  if (shape === "enum")
    for (const v of listOf(schema.enum, `${path}.enum`, 1))
      if (!isScalar(v)) throw new InvalidJsonSchemaError("enum values must be scalars", `${path}.enum`);
  if (shape === "const" && !isScalar(schema.const))
    throw new InvalidJsonSchemaError("const must be a scalar", `${path}.const`);
  if (shape === "oneOf" || shape === "anyOf")
    listOf(schema[shape], `${path}.${shape}`, 1).forEach((v, i) => sub(v, `${path}.${shape}[${i}]`));
  if (shape === "$ref" && (typeof schema.$ref !== "string" || !REF_RE.test(schema.$ref)))
    throw new InvalidJsonSchemaError('only local references "#/$defs/<name>" are supported', `${path}.$ref`);
}

/** The keywords of objects, arrays and strings: only beside their type, bounded, their schemas checked. */
function checkTypedKeywords(
  schema: Record<string, unknown>,
  path: string,
  sub: (value: unknown, at: string) => void,
): void {
  const keysOf = (t: string, keys: string[]): void => {
    for (const key of keys)
      if (schema[key] !== undefined && schema.type !== t)
        throw new InvalidJsonSchemaError(`${key} needs type ${JSON.stringify(t)}`, `${path}.${key}`);
  };
  keysOf("object", ["properties", "required", "additionalProperties", "minProperties", "maxProperties"]);
  keysOf("array", ["items", "prefixItems", "minItems", "maxItems"]);
  keysOf("string", ["minLength", "maxLength", "format"]);
  if (schema.properties !== undefined) {
    if (!isRecord(schema.properties))
      throw new InvalidJsonSchemaError("must be an object", `${path}.properties`);
    const entries = Object.entries(schema.properties);
    if (entries.length > JSON_SCHEMA_LIST_MAX)
      throw new InvalidJsonSchemaError(`more than ${JSON_SCHEMA_LIST_MAX} properties`, `${path}.properties`);
    for (const [name, value] of entries) sub(value, `${path}.properties.${name}`);
  }
  if (schema.required !== undefined)
    for (const name of listOf(schema.required, `${path}.required`, 0))
      if (typeof name !== "string" || !isRecord(schema.properties) || !(name in schema.properties))
        throw new InvalidJsonSchemaError("required names must be listed in properties", `${path}.required`);
  const additional = schema.additionalProperties;
  if (additional !== undefined && typeof additional !== "boolean")
    sub(additional, `${path}.additionalProperties`);
  if (schema.items !== undefined) sub(schema.items, `${path}.items`);
  if (schema.prefixItems !== undefined)
    listOf(schema.prefixItems, `${path}.prefixItems`, 1).forEach((v, i) =>
      sub(v, `${path}.prefixItems[${i}]`),
    );
  for (const key of ["minProperties", "maxProperties", "minItems", "maxItems", "minLength", "maxLength"])
    if (schema[key] !== undefined) count(`${path}.${key}`, schema[key], JSON_SCHEMA_REPEAT_MAX);
  if (schema.format !== undefined && !FORMATS.has(schema.format as string))
    throw new InvalidJsonSchemaError("format must be date-time, date or time", `${path}.format`);
}

function checkRefs(schema: unknown, defs: Set<string>, depth: number): void {
  if (depth > JSON_SCHEMA_DEPTH_MAX + 2) return;
  if (Array.isArray(schema)) {
    for (const v of schema) checkRefs(v, defs, depth + 1);
    return;
  }
  if (!isRecord(schema)) return;
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$ref" && typeof value === "string") {
      const name = REF_RE.exec(value)?.[1];
      if (name === undefined || !defs.has(name))
        throw new InvalidJsonSchemaError(`unknown reference ${JSON.stringify(value)}`, "");
    } else if (!ANNOTATIONS.has(key) && key !== "enum" && key !== "const") checkRefs(value, defs, depth + 1);
  }
}

/**
 * Checks that `schema` is within the supported subset and its limits.
 * @throws {InvalidJsonSchemaError} naming the first offending place (e.g. `schema.properties.city`).
 */
export function checkJsonSchema(schema: unknown): asserts schema is JsonSchema {
  const text = JSON.stringify(schema) as string | undefined;
  if (text === undefined || Buffer.byteLength(text) > JSON_SCHEMA_BYTES_MAX)
    throw new InvalidJsonSchemaError(`must be JSON of at most ${JSON_SCHEMA_BYTES_MAX} bytes`, "");
  const walk: Walk = { nodes: 0, defs: new Set() };
  checkNode(schema, "", 0, walk);
  checkRefs(schema, walk.defs, 0);
}

/** Where the validator is: the `$defs` in scope and its depth. */
interface Scope {
  defs: Record<string, unknown>;
  depth: number;
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "array":
      return Array.isArray(value);
    default:
      return isRecord(value);
  }
}

function violation(schema: Record<string, unknown>, value: unknown, at: string, scope: Scope): string | null {
  if (scope.depth > JSON_SCHEMA_DEPTH_MAX * 4) return `${at}: nested too deeply`;
  const defs = isRecord(schema.$defs) ? { ...scope.defs, ...schema.$defs } : scope.defs;
  const inner: Scope = { defs, depth: scope.depth + 1 };
  const check = (s: unknown, v: unknown, p: string): string | null =>
    violation(s as Record<string, unknown>, v, p, inner);
  if (typeof schema.$ref === "string") {
    const target = defs[REF_RE.exec(schema.$ref)?.[1] ?? ""];
    return target === undefined ? `${at}: unknown reference` : check(target, value, at);
  }
  if (schema.const !== undefined)
    return value === schema.const ? null : `${at}: must be ${JSON.stringify(schema.const)}`;
  if (Array.isArray(schema.enum))
    return schema.enum.includes(value as never)
      ? null
      : `${at}: must be one of ${JSON.stringify(schema.enum)}`;
  const alternatives = (schema.oneOf ?? schema.anyOf) as unknown[] | undefined;
  if (alternatives !== undefined)
    return alternatives.some((s) => check(s, value, at) === null) ? null : `${at}: matches no alternative`;
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
  if (!types.some((t) => typeMatches(t, value))) return `${at}: must be of type ${types.join(" or ")}`;
  const bound = (n: number, min: unknown, max: unknown, what: string): string | null =>
    typeof min === "number" && n < min
      ? `${at}: needs at least ${min} ${what}`
      : typeof max === "number" && n > max
        ? `${at}: allows at most ${max} ${what}`
        : null;
  if (typeof value === "string")
    return bound([...value].length, schema.minLength, schema.maxLength, "characters");
  if (Array.isArray(value)) {
    const size = bound(value.length, schema.minItems, schema.maxItems, "items");
    if (size !== null) return size;
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
    for (let i = 0; i < value.length; i += 1) {
      const itemSchema = i < prefix.length ? prefix[i] : schema.items;
      const failed = itemSchema === undefined ? null : check(itemSchema, value[i], `${at}[${i}]`);
      if (failed !== null) return failed;
    }
    return null;
  }
  if (isRecord(value)) {
    const properties = isRecord(schema.properties) ? schema.properties : {};
    const keys = Object.keys(value);
    const size = bound(keys.length, schema.minProperties, schema.maxProperties, "properties");
    if (size !== null) return size;
    for (const name of Array.isArray(schema.required) ? (schema.required as string[]) : [])
      if (!(name in value)) return `${at}: misses required property ${JSON.stringify(name)}`;
    for (const key of keys) {
      const propertySchema = Object.hasOwn(properties, key) ? properties[key] : schema.additionalProperties;
      if (propertySchema === false) return `${at}: property ${JSON.stringify(key)} is not allowed`;
      if (propertySchema === undefined || propertySchema === true) continue;
      const failed = check(propertySchema, value[key], `${at}.${key}`);
      if (failed !== null) return failed;
    }
  }
  return null;
}

/**
 * Validates a parsed JSON `value` against a schema that passed `checkJsonSchema`. `oneOf` is read as
 * `anyOf` (a grammar cannot keep alternatives apart), and `format` is an annotation, as in JSON Schema.
 * @returns null when `value` conforms, else where and why it does not (e.g. `$.city: must be of type string`).
 */
export function validateJson(value: unknown, schema: JsonSchema): string | null {
  return violation(schema as Record<string, unknown>, value, "$", { defs: {}, depth: 0 });
}
