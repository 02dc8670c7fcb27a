/**
 * Errors of the wire layer. Every decoder throws only `ProtoError`, whatever bytes it is given.
 * @module
 */
import { TiramiError } from "@tirami/core";

export const ProtoErrorCode = {
  /** A message failed validation: a missing or ill-typed field, or a broken invariant between fields. */
  INVALID_MESSAGE: "INVALID_MESSAGE",
  /** A message or frame is larger than its limit. */
  MESSAGE_TOO_LARGE: "MESSAGE_TOO_LARGE",
  /** The bytes are not a message of any known kind or version. */
  UNKNOWN_MESSAGE: "UNKNOWN_MESSAGE",
} as const;
export type ProtoErrorCode = (typeof ProtoErrorCode)[keyof typeof ProtoErrorCode];

/** Thrown when bytes or values are not a valid wire message. */
export class ProtoError extends TiramiError {
  override name = "ProtoError";
}

/** Shows an untrusted value in an error message without ever throwing and without echoing much of it. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (typeof value === "string")
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "bigint") return `bigint ${value}n`;
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  if (Array.isArray(value)) return `array(${value.length})`;
  return typeof value;
}

/** `INVALID_MESSAGE` naming the field (`path`) that failed. */
export function invalidField(kind: string, path: string, expected: string, received?: unknown): ProtoError {
  const got = arguments.length >= 4 ? `, got ${describeValue(received)}` : "";
  return new ProtoError(ProtoErrorCode.INVALID_MESSAGE, `${kind}: "${path}" expected ${expected}${got}`, {
    details: { kind, field: path },
  });
}
