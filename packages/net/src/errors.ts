/**
 * Typed errors of the mesh host. Every operating failure a caller can branch on is a `NetError` with a
 * stable `code`; programmer misuse throws `TypeError`/`RangeError`.
 * @module
 */
import { TiramiError } from "@tirami/core";

/** Stable codes thrown by `@tirami/net`. */
export const NetErrorCode = {
  /** The peer could not be dialed (no address, refused, dial timeout, banned). */
  PEER_UNREACHABLE: "PEER_UNREACHABLE",
  /** A request stream was idle too long or outlived its overall timeout. */
  STREAM_TIMEOUT: "STREAM_TIMEOUT",
  /** A request stream was cancelled locally, reset by the peer, or the peer went away mid-stream. */
  STREAM_ABORTED: "STREAM_ABORTED",
  /** A frame or gossip payload exceeded its size limit. */
  FRAME_TOO_LARGE: "FRAME_TOO_LARGE",
  /** The peer broke the framing rules or does not speak the protocol. */
  PROTOCOL_ERROR: "PROTOCOL_ERROR",
  /** The remote handler failed and sent an error frame (its code is in `details.remoteCode`). */
  REMOTE_ERROR: "REMOTE_ERROR",
  /** The host is not started (or already stopped). */
  NOT_STARTED: "NOT_STARTED",
} as const;
export type NetErrorCode = (typeof NetErrorCode)[keyof typeof NetErrorCode];

/** Base class of every deliberate `@tirami/net` error. */
export class NetError extends TiramiError {
  override name = "NetError";
  declare readonly code: NetErrorCode;
  constructor(
    code: NetErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
  }
}

/** True when `error` is a `NetError`, optionally with the given code. */
export function isNetError(error: unknown, code?: NetErrorCode): error is NetError {
  return error instanceof NetError && (code === undefined || error.code === code);
}
