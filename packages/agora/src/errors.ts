/**
 * Errors of the agora, each with a stable code; the node's API maps each code to an HTTP status (the
 * status noted beside each code here).
 * @module
 */
import { TiramiError, type TiramiErrorOptions } from "@tirami/core";

/** Codes thrown by the agora. */
export const AgoraErrorCode = {
  /** A profile, query or task is invalid (400). */
  INVALID_AGORA_REQUEST: "INVALID_AGORA_REQUEST",
  /** This node already registers `OWN_PROFILES_MAX` agents (409). */
  TOO_MANY_PROFILES: "TOO_MANY_PROFILES",
  /** No registered agent of this node has that id (404). */
  AGORA_AGENT_NOT_FOUND: "AGORA_AGENT_NOT_FOUND",
  /** A Nostr relay refused an event or did not answer in time (503). */
  NOSTR_RELAY_FAILED: "NOSTR_RELAY_FAILED",
  /** The A2A payment in a task is missing, malformed or does not match the work (402). */
  A2A_PAYMENT_INVALID: "A2A_PAYMENT_INVALID",
  /** The other side of an A2A task failed or answered something this node cannot accept (503). */
  A2A_PEER_FAILED: "A2A_PEER_FAILED",
} as const;
export type AgoraErrorCode = (typeof AgoraErrorCode)[keyof typeof AgoraErrorCode];

/** An error of the agora. */
export class AgoraError extends TiramiError {
  override name = "AgoraError";
  constructor(code: AgoraErrorCode, message: string, options?: TiramiErrorOptions) {
    super(code, message, options);
  }
}

/** True when `error` is an AgoraError, optionally with the given code. */
export function isAgoraError(error: unknown, code?: AgoraErrorCode): error is AgoraError {
  return error instanceof AgoraError && (code === undefined || error.code === code);
}
