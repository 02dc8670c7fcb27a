/**
 * Byte helpers: hex, UTF-8 and comparisons, with explicit checks that name the field that failed.
 * @module
 */
import { timingSafeEqual } from "node:crypto";

const HEX_RE = /^(?:[0-9a-f]{2})*$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * True when `value` is exactly `byteLength` bytes written as lowercase hex (`2 × byteLength` characters of
 * `0-9a-f`): the only hex form Tirami writes or accepts. Throws `RangeError` when `byteLength` is not a
 * non-negative safe integer (a programmer error, not an input).
 */
export function isLowerHex(value: unknown, byteLength: number): value is string {
  if (!Number.isSafeInteger(byteLength) || byteLength < 0)
    throw new RangeError(`"byteLength" expected a non-negative safe integer, got ${byteLength}`);
  // The length test runs first so a huge string never reaches the regex.
  return typeof value === "string" && value.length === byteLength * 2 && HEX_RE.test(value);
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/**
 * Parses lowercase hex. Throws `TypeError` naming `field` on odd length, uppercase or other characters,
 * and, when `byteLength` is given, on any other length.
 */
export function fromHex(hex: string, field = "hex", byteLength?: number): Uint8Array {
  if (typeof hex !== "string") throw new TypeError(`"${field}" expected a hex string, got ${typeof hex}`);
  if (byteLength !== undefined && hex.length !== byteLength * 2) {
    throw new TypeError(`"${field}" expected ${byteLength * 2} hex characters, got ${hex.length}`);
  }
  if (!HEX_RE.test(hex))
    throw new TypeError(`"${field}" expected lowercase hex, got ${JSON.stringify(hex.slice(0, 80))}`);
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes strict UTF-8; throws `TypeError` on malformed input. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Concatenates byte arrays into a new one. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Byte-wise equality in constant time for equal lengths (safe for secrets and tokens). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Throws `TypeError` unless `value` is a Uint8Array (of `length` bytes, when given). */
export function assertBytes(value: unknown, field: string, length?: number): asserts value is Uint8Array {
  if (value instanceof Uint8Array && (length === undefined || value.length === length)) return;
  if (!(value instanceof Uint8Array))
    throw new TypeError(`"${field}" expected Uint8Array, got ${typeof value}`);
  throw new TypeError(`"${field}" expected Uint8Array of length ${length}, got length=${value.length}`);
}
