/**
 * Test helpers derived from the message schemas: fast-check arbitraries of valid messages, the largest
 * valid message of a kind, invalid samples for each field type, and a loose canonical encoder that writes
 * invalid values onto the wire (bypassing validation) so the decoder's checks can be exercised too.
 */
import {
  canonicalFloat,
  type CanonicalValue,
  encodeCanonical,
  fromHex,
  TEXT_ID_CHAR_CODE_MAX,
  TEXT_ID_CHAR_CODE_MIN,
  toHex,
} from "@tirami/core";
import fc from "fast-check";
import {
  type Message,
  type MessageKind,
  messageDomain,
  MESSAGE_RECORDS as KIND_RECORDS,
} from "../src/message.js";
import { checkRecord, type Field, type FieldType, type RecordType } from "../src/schema.js";
import { HOUR_MS, LOAN_LTV_MAX, LOAN_RECORD, LOAN_TERM_HOURS_MAX } from "../src/loan.js";
import { INSURANCE_RECORD } from "../src/insurance.js";
import { FUTURE_RECORD } from "../src/future.js";

/** Valid futures: distinct sides and an expiry after creation built in. */
function futureArbitrary(): fc.Arbitrary<Record<string, unknown>> {
  const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex);
  return fc
    .record({
      long: key,
      short: key,
      notional_tokens: fc.integer({ min: 1, max: 1_000_000_000 }),
      strike_micro_trm_per_token: fc.integer({ min: 0, max: 1_000_000_000 }),
      margin_trm: fc.integer({ min: 1, max: 1_000_000_000 }),
      created_ms: fc.integer({ min: 0, max: 2 ** 45 }),
      term_ms: fc.integer({ min: 1, max: 2 ** 40 }),
      nonce: fc.uint8Array({ minLength: 16, maxLength: 16 }).map(toHex),
    })
    .filter((r) => r.long !== r.short)
    .map(({ term_ms, ...r }) => ({
      long: r.long,
      short: r.short,
      notional_tokens: r.notional_tokens,
      strike_micro_trm_per_token: r.strike_micro_trm_per_token,
      margin_trm: r.margin_trm,
      created_ms: r.created_ms,
      expires_ms: r.created_ms + term_ms,
      nonce: r.nonce,
    }));
}

/** The largest valid future (every uint is 8 bytes on the wire). */
function largestFuture(salt: number): Record<string, unknown> {
  const key = (n: number) => largestOf({ t: "hex", bytes: 32 }, n);
  return {
    long: key(salt * 100 + 1),
    short: key(salt * 100 + 2),
    notional_tokens: 1_000_000,
    strike_micro_trm_per_token: 2_000,
    margin_trm: 50,
    created_ms: 2 ** 45,
    expires_ms: 2 ** 45 + HOUR_MS,
    nonce: largestOf({ t: "hex", bytes: 16 }, salt * 100 + 9),
  };
}

/** Valid insurance policies: premium ≤ coverage, expiry after creation, distinct parties built in. */
function policyArbitrary(): fc.Arbitrary<Record<string, unknown>> {
  const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex);
  return fc
    .record({
      insurer: key,
      insured: key,
      loan_id: key,
      coverage_trm: fc.integer({ min: 1, max: 1_000_000_000 }),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
      created_ms: fc.integer({ min: 0, max: 2 ** 45 }),
      term_ms: fc.integer({ min: 1, max: 2 ** 40 }),
      nonce: fc.uint8Array({ minLength: 16, maxLength: 16 }).map(toHex),
    })
    .filter((r) => r.insurer !== r.insured)
    .map(({ share, term_ms, ...r }) => ({
      insurer: r.insurer,
      insured: r.insured,
      loan_id: r.loan_id,
      coverage_trm: r.coverage_trm,
      premium_trm: Math.max(1, Math.floor(r.coverage_trm * share)),
      created_ms: r.created_ms,
      expires_ms: r.created_ms + term_ms,
      nonce: r.nonce,
    }));
}

/** The largest valid policy (every uint is 8 bytes on the wire). */
function largestPolicy(salt: number): Record<string, unknown> {
  const key = (n: number) => largestOf({ t: "hex", bytes: 32 }, n);
  return {
    insurer: key(salt * 100 + 1),
    insured: key(salt * 100 + 2),
    loan_id: key(salt * 100 + 3),
    coverage_trm: 1_000_000,
    premium_trm: 90_000,
    created_ms: 2 ** 45,
    expires_ms: 2 ** 45 + HOUR_MS,
    nonce: largestOf({ t: "hex", bytes: 16 }, salt * 100 + 9),
  };
}

/**
 * Valid loans: their cross-field rules (due time, loan-to-value, distinct parties) are built in, since a
 * filter over independent fields would almost never pass them.
 */
function loanArbitrary(): fc.Arbitrary<Record<string, unknown>> {
  const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex);
  return fc
    .record({
      lender: key,
      borrower: key,
      collateral_trm: fc.integer({ min: 1, max: 1_000_000_000 }),
      ltv: fc.double({ min: 0, max: LOAN_LTV_MAX, noNaN: true }),
      interest_ppm_per_hour: fc.integer({ min: 0, max: 100_000 }),
      term_hours: fc.integer({ min: 1, max: LOAN_TERM_HOURS_MAX }),
      created_ms: fc.integer({ min: 0, max: 2 ** 45 }),
      nonce: fc.uint8Array({ minLength: 16, maxLength: 16 }).map(toHex),
    })
    .filter((r) => r.lender !== r.borrower)
    .map(({ ltv, ...r }) => ({
      lender: r.lender,
      borrower: r.borrower,
      principal_trm: Math.max(1, Math.floor(r.collateral_trm * ltv)),
      interest_ppm_per_hour: r.interest_ppm_per_hour,
      term_hours: r.term_hours,
      collateral_trm: r.collateral_trm,
      created_ms: r.created_ms,
      due_ms: r.created_ms + r.term_hours * HOUR_MS,
      nonce: r.nonce,
    }));
}

/** The largest valid loan (every uint is 8 bytes on the wire, so any valid values do). */
function largestLoan(salt: number): Record<string, unknown> {
  const key = (n: number) => largestOf({ t: "hex", bytes: 32 }, n);
  return {
    lender: key(salt * 100 + 1),
    borrower: key(salt * 100 + 2),
    principal_trm: 3_000_000,
    interest_ppm_per_hour: 100_000,
    term_hours: LOAN_TERM_HOURS_MAX,
    collateral_trm: 1_000_000,
    created_ms: 2 ** 45,
    due_ms: 2 ** 45 + LOAN_TERM_HOURS_MAX * HOUR_MS,
    nonce: largestOf({ t: "hex", bytes: 16 }, salt * 100 + 9),
  };
}

const PRINTABLE = fc
  .integer({ min: TEXT_ID_CHAR_CODE_MIN, max: TEXT_ID_CHAR_CODE_MAX })
  .map((code) => String.fromCharCode(code));

/** Valid values of `type` (small sizes; refinements are applied by `messageArbitrary`). */
export function arbitraryOf(type: FieldType): fc.Arbitrary<unknown> {
  switch (type.t) {
    case "uint": {
      const min = BigInt(type.min ?? 0);
      const max = BigInt(type.max);
      return fc.oneof(fc.constantFrom(Number(min), Number(max)), fc.bigInt({ min, max }).map(Number));
    }
    case "float":
      return fc
        .oneof(
          fc.constantFrom(type.min, type.max, 1 > type.max ? type.max : 1),
          fc.double({ min: type.min, max: type.max, noNaN: true }),
        )
        .filter((value) => !Object.is(value, -0) && (type.minExclusive !== true || value > type.min));
    case "bool":
      return fc.boolean();
    case "text":
      return fc
        .string({ unit: "binary", minLength: type.bytesMin ?? 0, maxLength: Math.min(type.bytesMax, 24) })
        .filter((value) => {
          const bytes = Buffer.byteLength(value, "utf8");
          return bytes >= (type.bytesMin ?? 0) && bytes <= type.bytesMax;
        });
    case "id":
      return fc.string({ unit: PRINTABLE, minLength: 1, maxLength: Math.min(type.lengthMax, 24) });
    case "enum":
      return fc.constantFrom(...type.values);
    case "hex":
      return fc.uint8Array({ minLength: type.bytes, maxLength: type.bytes }).map(toHex);
    case "list":
      return fc.array(arbitraryOf(type.of), { minLength: type.min ?? 0, maxLength: Math.min(type.max, 3) });
    case "record":
      return type === LOAN_RECORD
        ? loanArbitrary()
        : type === INSURANCE_RECORD
          ? policyArbitrary()
          : type === FUTURE_RECORD
            ? futureArbitrary()
            : recordArbitrary(type);
    case "optional":
      return fc.option(arbitraryOf(type.of), { nil: undefined });
  }
}

function recordArbitrary(type: RecordType): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(...type.fields.map((field) => arbitraryOf(field.type)))
    .map((values) => {
      const out: Record<string, unknown> = {};
      type.fields.forEach((field, index) => {
        if (values[index] !== undefined) out[field.name] = values[index];
      });
      return out;
    })
    .filter((value) => {
      try {
        checkRecord("arbitrary", type, value, "", undefined);
        return true;
      } catch {
        return false;
      }
    });
}

/** Valid messages of `kind` (or of every kind). */
export function messageArbitrary(kind?: MessageKind): fc.Arbitrary<Message> {
  const kinds = kind === undefined ? [...KIND_RECORDS.keys()] : [kind];
  return fc.oneof(
    ...kinds.map((name) =>
      recordArbitrary(KIND_RECORDS.get(name) as RecordType).map(
        (fields) => ({ kind: name, ...fields }) as Message,
      ),
    ),
  );
}

/** The largest valid value of `type`; `salt` keeps ids and keys in one message distinct. */
export function largestOf(type: FieldType, salt: number): unknown {
  switch (type.t) {
    case "uint":
      return type.max;
    case "float":
      return type.max;
    case "bool":
      return true;
    case "text":
      return "\u{10FFFF}".repeat(Math.floor(type.bytesMax / 4)) + "x".repeat(type.bytesMax % 4);
    case "id":
      return String(salt).padEnd(type.lengthMax, "~");
    case "enum":
      return [...type.values].sort((a, b) => b.length - a.length)[0];
    case "hex": {
      const bytes = new Uint8Array(type.bytes).fill(0xff);
      new DataView(bytes.buffer).setUint32(0, salt);
      return toHex(bytes);
    }
    case "list":
      return Array.from({ length: type.max }, (_, index) => largestOf(type.of, salt * 1000 + index + 1));
    case "record": {
      if (type === LOAN_RECORD) return largestLoan(salt);
      if (type === INSURANCE_RECORD) return largestPolicy(salt);
      if (type === FUTURE_RECORD) return largestFuture(salt);
      const out: Record<string, unknown> = {};
      type.fields.forEach((field, index) => {
        out[field.name] = largestOf(field.type, salt * 100 + index + 1);
      });
      return out;
    }
    case "optional":
      return largestOf(type.of, salt);
  }
}

/** The smallest valid value of `type` (ignoring record refinements). */
export function smallestOf(type: FieldType): unknown {
  switch (type.t) {
    case "uint":
      return type.min ?? 0;
    case "float":
      return type.minExclusive === true ? type.max : type.min;
    case "bool":
      return false;
    case "text":
      return "x".repeat(type.bytesMin ?? 0);
    case "id":
      return "x";
    case "enum":
      return type.values[0];
    case "hex":
      return "00".repeat(type.bytes);
    case "list":
      return Array.from({ length: type.min ?? 0 }, () => smallestOf(type.of));
    case "record":
      return Object.fromEntries(
        type.fields
          .map((field) => [field.name, smallestOf(field.type)])
          .filter(([, value]) => value !== undefined),
      );
    case "optional":
      return undefined;
  }
}

/**
 * Values that `type` must refuse, each with a label. Labels in `WIRE_VALID_LABELS` are invalid only as JS
 * values: their wire form is valid (raw bytes are how hex travels; `null` is how an absent optional does).
 */
export const WIRE_VALID_LABELS: ReadonlySet<string> = new Set(["bytes", "null optional"]);

export function invalidSamples(type: FieldType): [string, unknown][] {
  const common: [string, unknown][] = [
    ["null", null],
    ["object", {}],
  ];
  switch (type.t) {
    case "uint": {
      const out: [string, unknown][] = [
        ["negative", -1],
        ["fraction", 1.5],
        ["string", "1"],
        ["bigint", 1n],
        ...common,
      ];
      out.push(["above max", type.max === Number.MAX_SAFE_INTEGER ? 2 ** 53 : type.max + 1]);
      if ((type.min ?? 0) > 0) out.push(["below min", (type.min ?? 0) - 1]);
      return out;
    }
    case "float": {
      const out: [string, unknown][] = [
        ["NaN", Number.NaN],
        ["Infinity", Number.POSITIVE_INFINITY],
        ["string", "1"],
        ...common,
      ];
      out.push(["below min", type.min - 1], ["above max", type.max + 1]);
      if (type.min === 0) out.push(["-0", -0]);
      if (type.minExclusive === true) out.push(["min (exclusive)", type.min]);
      return out;
    }
    case "bool":
      return [["number", 1], ["string", "true"], ...common];
    case "text": {
      const out: [string, unknown][] = [
        ["number", 5],
        ["lone surrogate", "a\uD800b"],
        ["too long", "x".repeat(type.bytesMax + 1)],
        ["too many UTF-8 bytes", "é".repeat(Math.floor(type.bytesMax / 2) + 1)],
        ...common,
      ];
      if ((type.bytesMin ?? 0) > 0) out.push(["empty", ""]);
      return out;
    }
    case "id":
      return [
        ["empty", ""],
        ["space", "a b"],
        ["non-ASCII", "é"],
        ["too long", "x".repeat(type.lengthMax + 1)],
        ["number", 5],
        ...common,
      ];
    case "enum":
      return [["unknown", "NOPE"], ["number", 1], ...common];
    case "hex":
      return [
        ["uppercase", "AB".repeat(type.bytes)],
        ["short", "ab".repeat(type.bytes - 1)],
        ["long", "ab".repeat(type.bytes + 1)],
        ["non-hex", "zz".repeat(type.bytes)],
        ["bytes", new Uint8Array(type.bytes)],
        ...common,
      ];
    case "list": {
      const out: [string, unknown][] = [["string", "[]"], ...common];
      out.push(["too many", Array.from({ length: type.max + 1 }, () => smallestOf(type.of))]);
      if ((type.min ?? 0) > 0) out.push(["too few", []]);
      return out;
    }
    case "record":
      return [
        ["array", []],
        ["string", "x"],
        ["null", null],
      ];
    case "optional":
      return [["null optional", null], ...invalidSamples(type.of).filter(([label]) => label !== "null")];
  }
}

/**
 * Canonical values for `value`, following `type` where it can and writing whatever the value is otherwise
 * (so invalid values reach the wire). Throws when a value cannot be written at all.
 */
export function looseCanonical(type: FieldType, value: unknown): CanonicalValue {
  if (value === undefined) return null;
  if (type.t === "float" && typeof value === "number") return canonicalFloat(value);
  if (type.t === "hex" && typeof value === "string") {
    try {
      return fromHex(value);
    } catch {
      return value;
    }
  }
  if (type.t === "optional") return looseCanonical(type.of, value);
  if ((type.t === "list" || type.t === "record") && Array.isArray(value)) {
    const of = type.t === "list" ? type.of : undefined;
    return value.map((item) => (of === undefined ? looseRaw(item) : looseCanonical(of, item)));
  }
  if (type.t === "record" && typeof value === "object" && value !== null && !(value instanceof Uint8Array)) {
    const values = type.fields.map((field: Field) =>
      looseCanonical(field.type, (value as Record<string, unknown>)[field.name]),
    );
    // Absent trailing fields are left off, as every sender writes them (schema.ts).
    let count = values.length;
    while (count > 0 && type.fields[count - 1]?.trailing === true && values[count - 1] === null) count--;
    return values.slice(0, count);
  }
  return looseRaw(value);
}

function looseRaw(value: unknown): CanonicalValue {
  if (
    value === null ||
    typeof value === "string" ||
    typeof value === "boolean" ||
    value instanceof Uint8Array
  )
    return value;
  if (typeof value === "number") return value;
  if (Array.isArray(value)) return value.map(looseRaw);
  throw new TypeError(`cannot write ${typeof value}`);
}

/** A frame holding `message`'s fields as they are, valid or not. */
export function looseFrame(message: Record<string, unknown>): Uint8Array {
  const kind = message.kind as MessageKind;
  const record = KIND_RECORDS.get(kind) as RecordType;
  return encodeCanonical(messageDomain(kind), looseCanonical(record, message) as CanonicalValue[]);
}
