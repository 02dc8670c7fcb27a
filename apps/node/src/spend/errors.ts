/**
 * The denial a spend can end in before any TRM is reserved. Its `code` is the safety gate's reason code
 * (KILL_SWITCH_ACTIVE, HOURLY_LIMIT_EXCEEDED, APPROVAL_REQUIRED, …) or the node's AGENT_FROZEN; the API
 * answers every one with 403 and that code.
 * @module
 */
import { TiramiError } from "@tirami/core";

/** Thrown when the safety gate (or the agent's status) refuses a spend; nothing was reserved. */
export class SpendDeniedError extends TiramiError {
  override name = "SpendDeniedError";
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
  }
}
