/**
 * Canonical bytes: the one deterministic, versioned, length-prefixed, domain-tagged encoding used for
 * everything Tirami signs or hashes (trades, offers, observations, ids). See docs/canonical-encoding.md.
 *
 *   message = u16be(len(domain)) ‖ domain ‖ u16be(field count) ‖ value*
 *   value   = 0x00                                  null
 *           | 0x01 ‖ u32be(len) ‖ bytes             bytes
 *           | 0x02 ‖ u32be(len) ‖ utf8              string (well-formed UTF-8)
 *           | 0x03 ‖ u64be                          uint (a non-negative safe integer)
 *           | 0x04 ‖ 0x00|0x01                      bool
 *           | 0x05 ‖ u32be(count) ‖ value*          list
 *           | 0x06 ‖ f64be                          float (finite, never -0)
 *
 * Every value carries its type tag and every variable part its length, so the encoding is injective:
 * two different (domain, values) pairs never share bytes. The domain (`tirami/trade/v1`) names both the
 * kind of message and its version, so a signature for one kind can never be replayed as another.
 * `decodeCanonical` is strict — one value has exactly one encoding, and anything else is rejected.
 * @module
 */
import { CoreErrorCode, TiramiError } from "./errors.js";
import { isWellFormedText } from "./text.js";

export type CanonicalValue =
  null | Uint8Array | string | number | boolean | CanonicalFloat | readonly CanonicalValue[];

/** A float field. Plain numbers encode as uint; wrap fractional quantities (prices) explicitly. */
export interface CanonicalFloat {
  readonly float: number;
}

export const CANONICAL_DOMAIN_RE = /^[a-z0-9][a-z0-9._/-]{0,63}$/;
export const CANONICAL_FIELDS_MAX = 0xffff;
/** Default decoder limits; callers pass tighter ones for their message kinds. */
export const CANONICAL_DEFAULT_LIMITS = { bytesMax: 1_048_576, depthMax: 8, itemsMax: 65_536 } as const;

const TAG_NULL = 0x00;
const TAG_BYTES = 0x01;
const TAG_STRING = 0x02;
const TAG_UINT = 0x03;
const TAG_BOOL = 0x04;
const TAG_LIST = 0x05;
const TAG_FLOAT = 0x06;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Thrown when a value cannot be encoded or bytes are not a canonical message. */
export class CanonicalEncodingError extends TiramiError {
  override name = "CanonicalEncodingError";
  constructor(message: string, details?: Record<string, unknown>) {
    super(CoreErrorCode.CANONICAL_ENCODING, message, details === undefined ? {} : { details });
  }
}

/** Wraps a fractional number for encoding as a float field. */
export function canonicalFloat(value: number): CanonicalFloat {
  return { float: value };
}

class Writer {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + bytes) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }
  u8(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }
  u16(value: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, value);
    this.length += 2;
  }
  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value);
    this.length += 4;
  }
  u64(value: number): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(value));
    this.length += 8;
  }
  f64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value);
    this.length += 8;
  }
  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }
  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

function writeValue(writer: Writer, value: CanonicalValue, path: string): void {
  if (value === null) {
    writer.u8(TAG_NULL);
  } else if (value instanceof Uint8Array) {
    writer.u8(TAG_BYTES);
    writer.u32(value.length);
    writer.raw(value);
  } else if (typeof value === "string") {
    if (!isWellFormedText(value))
      throw new CanonicalEncodingError(`${path}: string is not well-formed Unicode`);
    const bytes = encoder.encode(value);
    writer.u8(TAG_STRING);
    writer.u32(bytes.length);
    writer.raw(bytes);
  } else if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new CanonicalEncodingError(
        `${path}: expected a non-negative safe integer, got ${value} (wrap fractions with canonicalFloat)`,
      );
    }
    writer.u8(TAG_UINT);
    writer.u64(value);
  } else if (typeof value === "boolean") {
    writer.u8(TAG_BOOL);
    writer.u8(value ? 1 : 0);
  } else if (Array.isArray(value)) {
    writer.u8(TAG_LIST);
    writer.u32(value.length);
    value.forEach((item: CanonicalValue, index: number) => writeValue(writer, item, `${path}[${index}]`));
  } else if (typeof value === "object" && typeof (value as CanonicalFloat).float === "number") {
    const float = (value as CanonicalFloat).float;
    if (!Number.isFinite(float) || Object.is(float, -0))
      throw new CanonicalEncodingError(`${path}: float must be finite and not -0, got ${float}`);
    writer.u8(TAG_FLOAT);
    writer.f64(float);
  } else {
    throw new CanonicalEncodingError(`${path}: unsupported value of type ${typeof value}`);
  }
}

/**
 * Encodes `fields` under `domain` (e.g. `tirami/trade/v1`). Throws `CanonicalEncodingError` for a
 * malformed domain, too many fields, negative or fractional uints, non-finite floats or ill-formed strings.
 */
export function encodeCanonical(domain: string, fields: readonly CanonicalValue[]): Uint8Array {
  if (!CANONICAL_DOMAIN_RE.test(domain))
    throw new CanonicalEncodingError(`domain ${JSON.stringify(domain)} must match ${CANONICAL_DOMAIN_RE}`);
  if (fields.length > CANONICAL_FIELDS_MAX)
    throw new CanonicalEncodingError(`too many fields: ${fields.length}`);
  const writer = new Writer();
  const domainBytes = encoder.encode(domain);
  writer.u16(domainBytes.length);
  writer.raw(domainBytes);
  writer.u16(fields.length);
  fields.forEach((field, index) => writeValue(writer, field, `${domain}#${index}`));
  return writer.result();
}

export interface CanonicalMessage {
  domain: string;
  fields: CanonicalValue[];
}

export interface CanonicalLimits {
  /** Largest message accepted, in bytes. */
  bytesMax: number;
  /** Deepest list nesting accepted. */
  depthMax: number;
  /** Most values (all levels together) accepted. */
  itemsMax: number;
}

class Reader {
  offset = 0;
  items = 0;
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly limits: CanonicalLimits,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(count: number): void {
    if (this.offset + count > this.bytes.length) {
      throw new CanonicalEncodingError(
        `truncated: need ${count} bytes at offset ${this.offset}, have ${this.bytes.length - this.offset}`,
      );
    }
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.offset++] as number;
  }
  u16(): number {
    this.need(2);
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }
  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }
  take(count: number): Uint8Array {
    this.need(count);
    // Always a copy: Buffer#slice would return a view, and decoded values must not alias the input.
    const out = Uint8Array.prototype.slice.call(this.bytes, this.offset, this.offset + count);
    this.offset += count;
    return out;
  }
  u64(): number {
    this.need(8);
    const value = this.view.getBigUint64(this.offset);
    this.offset += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new CanonicalEncodingError(`uint ${value} exceeds MAX_SAFE_INTEGER`);
    return Number(value);
  }
  f64(): number {
    this.need(8);
    const value = this.view.getFloat64(this.offset);
    this.offset += 8;
    return value;
  }
  countItem(): void {
    this.items += 1;
    if (this.items > this.limits.itemsMax)
      throw new CanonicalEncodingError(`more than ${this.limits.itemsMax} values`);
  }
}

function readString(reader: Reader, length: number): string {
  const bytes = reader.take(length);
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    throw new CanonicalEncodingError("string is not valid UTF-8", { cause_message: String(cause) });
  }
}

function readValue(reader: Reader, depth: number): CanonicalValue {
  reader.countItem();
  const tag = reader.u8();
  switch (tag) {
    case TAG_NULL:
      return null;
    case TAG_BYTES:
      return reader.take(reader.u32());
    case TAG_STRING:
      return readString(reader, reader.u32());
    case TAG_UINT:
      return reader.u64();
    case TAG_BOOL: {
      const byte = reader.u8();
      if (byte > 1) throw new CanonicalEncodingError(`bool byte must be 0 or 1, got ${byte}`);
      return byte === 1;
    }
    case TAG_LIST: {
      if (depth >= reader.limits.depthMax)
        throw new CanonicalEncodingError(`lists nested deeper than ${reader.limits.depthMax}`);
      const count = reader.u32();
      // Each value takes at least one byte: a count larger than the bytes left is a lie, refuse before looping.
      reader.need(count);
      const list: CanonicalValue[] = [];
      for (let index = 0; index < count; index++) list.push(readValue(reader, depth + 1));
      return list;
    }
    case TAG_FLOAT: {
      const float = reader.f64();
      if (!Number.isFinite(float) || Object.is(float, -0))
        throw new CanonicalEncodingError(`float must be finite and not -0`);
      return canonicalFloat(float);
    }
    default:
      throw new CanonicalEncodingError(
        `unknown tag 0x${tag.toString(16).padStart(2, "0")} at offset ${reader.offset - 1}`,
      );
  }
}

/**
 * Decodes canonical bytes strictly: unknown tags, truncation, trailing bytes, non-canonical bools,
 * out-of-range uints, -0/NaN floats and limit overruns all throw `CanonicalEncodingError` and nothing
 * else. Memory use is bounded by `limits.bytesMax`: no length read from the input allocates more than
 * the input holds.
 */
export function decodeCanonical(
  bytes: Uint8Array,
  limits: CanonicalLimits = CANONICAL_DEFAULT_LIMITS,
): CanonicalMessage {
  if (!(bytes instanceof Uint8Array)) throw new CanonicalEncodingError("expected Uint8Array");
  if (bytes.length > limits.bytesMax)
    throw new CanonicalEncodingError(`message is ${bytes.length} bytes, limit ${limits.bytesMax}`);
  const reader = new Reader(bytes, limits);
  const domain = readString(reader, reader.u16());
  if (!CANONICAL_DOMAIN_RE.test(domain))
    throw new CanonicalEncodingError(`bad domain ${JSON.stringify(domain.slice(0, 64))}`);
  const count = reader.u16();
  reader.need(count);
  const fields: CanonicalValue[] = [];
  for (let index = 0; index < count; index++) fields.push(readValue(reader, 0));
  if (reader.offset !== bytes.length)
    throw new CanonicalEncodingError(`${bytes.length - reader.offset} trailing bytes`);
  return { domain, fields };
}
