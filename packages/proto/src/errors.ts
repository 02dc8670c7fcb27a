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
