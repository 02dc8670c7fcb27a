/**
 * The small schema language every wire message is declared in (internal). One declaration per kind
 * gives, from a single source: validation of a JSON-shaped value (every field typed and bounded, naming
 * the field that failed), conversion to and from canonical values, and the decoder limits (values, list
 * depth, bytes) derived exactly from the field bounds — so no decoder can be asked to hold more than the
 * largest valid message of its kind.
 *
 * On the wire a record is a canonical list of its fields in declaration order; an absent optional field is
 * `null`; `hex` fields (keys, signatures, ids) travel as raw bytes and read back as lowercase hex.
 * @module
 */
import {
  canonicalFloat,
  type CanonicalValue,
  fromHex,
  isLowerHex,
  isTextId,
  isWellFormedText,
  toHex,
} from "@tirami/core";
import { describeValue, invalidField, ProtoError, ProtoErrorCode } from "./errors.js";

export type FieldType =
  | { readonly t: "uint"; readonly min?: number; readonly max: number }
  | { readonly t: "float"; readonly min: number; readonly max: number; readonly minExclusive?: boolean }
  | { readonly t: "bool" }
  /** Any well-formed Unicode, bounded in UTF-8 bytes. */
  | { readonly t: "text"; readonly bytesMax: number; readonly bytesMin?: number }
  /** 1..lengthMax printable ASCII characters without spaces (ids, model names, multiaddrs). */
  | { readonly t: "id"; readonly lengthMax: number }
  | { readonly t: "enum"; readonly values: readonly string[] }
  /** Exactly `bytes` bytes, written as lowercase hex in JS. */
  | { readonly t: "hex"; readonly bytes: number }
  | { readonly t: "list"; readonly of: FieldType; readonly max: number; readonly min?: number }
  | RecordType
  | { readonly t: "optional"; readonly of: FieldType };

export interface RecordType {
  readonly t: "record";
  readonly fields: readonly Field[];
  /** Cross-field rules, run on the clean copy; throws `ProtoError` naming a field under `path`. */
  readonly refine?: (value: Record<string, unknown>, kind: string, path: string) => void;
}

export interface Field {
  readonly name: string;
  readonly type: FieldType;
  /** Added after the kind's first version: optional, last, and left off the list when absent (see above). */
  readonly trailing?: true;
}

/** Fields a canonical list of `type` must hold: all but the trailing ones. */
function requiredFieldCount(type: RecordType): number {
  let count = type.fields.length;
  while (count > 0 && type.fields[count - 1]?.trailing === true) count--;
  return count;
}

/**
 * Throws `RangeError` unless every `trailing` field of `fields` is optional and only trailing fields
 * follow it (checked once per declaration, when a kind is declared).
 */
export function checkTrailingFields(fields: readonly Field[]): void {
  let trailing = false;
  for (const field of fields) {
    if (field.trailing === true && field.type.t !== "optional")
      throw new RangeError(`trailing field "${field.name}" must be optional`);
    if (trailing && field.trailing !== true)
      throw new RangeError(`field "${field.name}" follows a trailing field and must be trailing too`);
    trailing ||= field.trailing === true;
  }
}

const KEY_SHOWN_MAX = 64;

/** `parent.name` or `name` at the top. */
export function joinPath(parent: string, name: string): string {
  return parent === "" ? name : `${parent}.${name}`;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/**
 * Validates `value` against `type` and returns a clean copy (records keep only declared fields, absent
 * optionals are omitted). Throws `ProtoError` `INVALID_MESSAGE` naming `path`. Never throws anything else,
 * whatever `value` is (getters that throw are reported as the field being invalid).
 */
export function checkValue(kind: string, type: FieldType, value: unknown, path: string): unknown {
  switch (type.t) {
    case "uint": {
      const min = type.min ?? 0;
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > type.max) {
        throw invalidField(kind, path, `an integer from ${min} to ${type.max}`, value);
      }
      return value;
    }
    case "float": {
      const ok =
        typeof value === "number" &&
        Number.isFinite(value) &&
        !Object.is(value, -0) &&
        (type.minExclusive === true ? value > type.min : value >= type.min) &&
        value <= type.max;
      if (!ok) {
        const range =
          type.minExclusive === true ? `(${type.min}, ${type.max}]` : `[${type.min}, ${type.max}]`;
        throw invalidField(kind, path, `a finite number in ${range} (not -0)`, value);
      }
      return value;
    }
    case "bool":
      if (typeof value !== "boolean") throw invalidField(kind, path, "a boolean", value);
      return value;
    case "text": {
      const min = type.bytesMin ?? 0;
      const expected = `well-formed text of ${min} to ${type.bytesMax} UTF-8 bytes`;
      // A UTF-16 code unit never encodes to fewer than 1 byte: refuse long strings before measuring them.
      if (typeof value !== "string" || value.length > type.bytesMax)
        throw invalidField(kind, path, expected, value);
      if (!isWellFormedText(value)) throw invalidField(kind, path, expected, value);
      const bytes = Buffer.byteLength(value, "utf8");
      if (bytes < min || bytes > type.bytesMax) throw invalidField(kind, path, expected, value);
      return value;
    }
    case "id":
      if (!isTextId(value, type.lengthMax)) {
        throw invalidField(
          kind,
          path,
          `1 to ${type.lengthMax} printable ASCII characters without spaces`,
          value,
        );
      }
      return value;
    case "enum":
      if (typeof value !== "string" || !type.values.includes(value)) {
        throw invalidField(kind, path, `one of ${type.values.join(" | ")}`, value);
      }
      return value;
    case "hex":
      if (!isLowerHex(value, type.bytes)) {
        throw invalidField(kind, path, `${type.bytes * 2} lowercase hex characters`, value);
      }
      return value;
    case "list": {
      const min = type.min ?? 0;
      if (!Array.isArray(value) || value.length < min || value.length > type.max) {
        throw invalidField(kind, path, `a list of ${min} to ${type.max} items`, value);
      }
      const out: unknown[] = [];
      for (let index = 0; index < value.length; index++)
        out.push(checkValue(kind, type.of, value[index], `${path}[${index}]`));
      return out;
    }
    case "record":
      return checkRecord(kind, type, value, path, undefined);
    case "optional":
      return value === undefined ? undefined : checkValue(kind, type.of, value, path);
  }
}

/** `checkValue` for a record; `ownKey` (the message's `kind`) is allowed besides the declared fields. */
export function checkRecord(
  kind: string,
  type: RecordType,
  value: unknown,
  path: string,
  ownKey: string | undefined,
): Record<string, unknown> {
  if (!isPlainRecord(value)) throw invalidField(kind, path === "" ? "(message)" : path, "an object", value);
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch {
    throw invalidField(kind, path === "" ? "(message)" : path, "an object with readable keys");
  }
  for (const key of keys) {
    if (key === ownKey || type.fields.some((field) => field.name === key)) continue;
    const shown = key.length > KEY_SHOWN_MAX ? `${key.slice(0, KEY_SHOWN_MAX)}…` : key;
    throw new ProtoError(
      ProtoErrorCode.INVALID_MESSAGE,
      `${kind}: unknown field "${joinPath(path, shown)}"`,
      {
        details: { kind, field: joinPath(path, shown) },
      },
    );
  }
  const out: Record<string, unknown> = {};
  for (const field of type.fields) {
    const fieldPath = joinPath(path, field.name);
    let raw: unknown;
    try {
      raw = value[field.name];
    } catch {
      throw invalidField(kind, fieldPath, "a readable value");
    }
    const clean = checkValue(kind, field.type, raw, fieldPath);
    if (clean !== undefined) out[field.name] = clean;
  }
  type.refine?.(out, kind, path);
  return out;
}

/** Canonical values of a clean (already checked) value. */
export function toCanonical(type: FieldType, value: unknown): CanonicalValue {
  switch (type.t) {
    case "uint":
    case "bool":
    case "text":
    case "id":
    case "enum":
      return value as CanonicalValue;
    case "float":
      return canonicalFloat(value as number);
    case "hex":
      return fromHex(value as string, "hex", type.bytes);
    case "list":
      return (value as unknown[]).map((item) => toCanonical(type.of, item));
    case "record":
      return recordToCanonical(type, value as Record<string, unknown>);
    case "optional":
      return value === undefined ? null : toCanonical(type.of, value);
  }
}

/** The fields of a clean record as canonical values, in declaration order. */
export function recordToCanonical(type: RecordType, value: Record<string, unknown>): CanonicalValue[] {
  const values = type.fields.map((field) => toCanonical(field.type, value[field.name]));
  const required = requiredFieldCount(type);
  while (values.length > required && values[values.length - 1] === null) values.pop();
  return values;
}

function isCanonicalFloat(value: CanonicalValue): value is { float: number } {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/**
 * The JSON-shaped value of decoded canonical values. Checks only the shape (tags, hex lengths, record
 * arity, list counts); `checkValue` on the result applies every bound.
 */
export function fromCanonical(kind: string, type: FieldType, value: CanonicalValue, path: string): unknown {
  switch (type.t) {
    case "uint":
      if (typeof value !== "number") throw invalidField(kind, path, "a uint", shapeOf(value));
      return value;
    case "float":
      if (!isCanonicalFloat(value)) throw invalidField(kind, path, "a float", shapeOf(value));
      return value.float;
    case "bool":
      if (typeof value !== "boolean") throw invalidField(kind, path, "a bool", shapeOf(value));
      return value;
    case "text":
    case "id":
    case "enum":
      if (typeof value !== "string") throw invalidField(kind, path, "a string", shapeOf(value));
      return value;
    case "hex":
      if (!(value instanceof Uint8Array) || value.length !== type.bytes)
        throw invalidField(kind, path, `${type.bytes} bytes`, shapeOf(value));
      return toHex(value);
    case "list": {
      if (!Array.isArray(value)) throw invalidField(kind, path, "a list", shapeOf(value));
      if (value.length > type.max)
        throw invalidField(kind, path, `a list of at most ${type.max} items`, shapeOf(value));
      return value.map((item, index) => fromCanonical(kind, type.of, item, `${path}[${index}]`));
    }
    case "record":
      if (!Array.isArray(value))
        throw invalidField(kind, path, `a record of ${type.fields.length} fields`, shapeOf(value));
      return recordFromCanonical(kind, type, value, path);
    case "optional":
      return value === null ? undefined : fromCanonical(kind, type.of, value, path);
  }
}

/** A record from its canonical field list (arity checked). */
export function recordFromCanonical(
  kind: string,
  type: RecordType,
  values: readonly CanonicalValue[],
  path: string,
): Record<string, unknown> {
  const required = requiredFieldCount(type);
  if (values.length < required || values.length > type.fields.length) {
    const expected =
      required === type.fields.length
        ? `${type.fields.length} fields`
        : `${required} to ${type.fields.length} fields`;
    throw invalidField(kind, path === "" ? "(message)" : path, expected, `${values.length} fields`);
  }
  // One encoding per message: an absent trailing field is left off, never sent as a trailing null.
  if (values.length > required && values[values.length - 1] === null) {
    const field = type.fields[values.length - 1] as Field;
    throw invalidField(kind, joinPath(path, field.name), "to be left off when absent, not null");
  }
  const out: Record<string, unknown> = {};
  type.fields.forEach((field, index) => {
    if (index >= values.length) return;
    const item = fromCanonical(kind, field.type, values[index] as CanonicalValue, joinPath(path, field.name));
    if (item !== undefined) out[field.name] = item;
  });
  return out;
}

function shapeOf(value: CanonicalValue): string {
  if (value === null) return "null";
  if (value instanceof Uint8Array) return `bytes(${value.length})`;
  if (Array.isArray(value)) return `list(${value.length})`;
  if (isCanonicalFloat(value)) return "float";
  return typeof value === "number" ? "uint" : typeof value;
}

/** Most canonical values a valid instance can hold (the value itself included). */
export function itemsMaxOf(type: FieldType): number {
  switch (type.t) {
    case "list":
      return 1 + type.max * itemsMaxOf(type.of);
    case "record":
      return 1 + type.fields.reduce((sum, field) => sum + itemsMaxOf(field.type), 0);
    case "optional":
      return Math.max(1, itemsMaxOf(type.of));
    default:
      return 1;
  }
}

/** Deepest list nesting a valid instance can have (records count as lists on the wire). */
export function depthOf(type: FieldType): number {
  switch (type.t) {
    case "list":
      return 1 + depthOf(type.of);
    case "record":
      return 1 + Math.max(0, ...type.fields.map((field) => depthOf(field.type)));
    case "optional":
      return depthOf(type.of);
    default:
      return 0;
  }
}

/** Largest canonical encoding of a valid instance, in bytes (tag and length prefixes included). */
export function bytesMaxOf(type: FieldType): number {
  switch (type.t) {
    case "uint":
    case "float":
      return 9;
    case "bool":
      return 2;
    case "text":
      return 5 + type.bytesMax;
    case "id":
      return 5 + type.lengthMax;
    case "enum":
      return 5 + Math.max(...type.values.map((value) => Buffer.byteLength(value, "utf8")));
    case "hex":
      return 5 + type.bytes;
    case "list":
      return 5 + type.max * bytesMaxOf(type.of);
    case "record":
      return 5 + type.fields.reduce((sum, field) => sum + bytesMaxOf(field.type), 0);
    case "optional":
      return Math.max(1, bytesMaxOf(type.of));
  }
}

export { describeValue };

/** Exact canonical encoding size of a clean (already checked) value, in bytes: `bytesMaxOf`'s twin. */
export function bytesOf(type: FieldType, value: unknown): number {
  switch (type.t) {
    case "uint":
    case "float":
      return 9;
    case "bool":
      return 2;
    case "text":
    case "id":
    case "enum":
      return 5 + Buffer.byteLength(value as string, "utf8");
    case "hex":
      return 5 + type.bytes;
    case "list":
      return 5 + (value as unknown[]).reduce<number>((sum, item) => sum + bytesOf(type.of, item), 0);
    case "record":
      return (
        5 +
        type.fields.reduce(
          (sum, field) => sum + bytesOf(field.type, (value as Record<string, unknown>)[field.name]),
          0,
        )
      );
    case "optional":
      return value === undefined ? 1 : bytesOf(type.of, value);
  }
}
