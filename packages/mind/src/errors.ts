/**
 * Errors of the mind, each with a stable code (the node maps them to HTTP statuses, noted beside each).
 * A run that stops because of a budget, the kill switch or another gate denial is not an error: the
 * cycle is recorded as deferred with that code as its `stop_code`.
 * @module
 */
import { TiramiError, type TiramiErrorOptions } from "@tirami/core";

/** Codes thrown by the mind. */
export const MindErrorCode = {
  /** No mind is initialised on this node yet (409). */
  MIND_NOT_INITIALISED: "MIND_NOT_INITIALISED",
  /** A mind is already initialised; pass `replace` to start from a new harness (409). */
  MIND_ALREADY_INITIALISED: "MIND_ALREADY_INITIALISED",
  /** Another improvement run or benchmark is in progress (409). */
  MIND_BUSY: "MIND_BUSY",
  /** A harness, task set, budget or optimiser setting is invalid (400). */
  INVALID_MIND_REQUEST: "INVALID_MIND_REQUEST",
  /** No harness version has this number (404). */
  HARNESS_VERSION_NOT_FOUND: "HARNESS_VERSION_NOT_FOUND",
  /** The harness routes a task to a model this node can neither run nor buy (404). */
  NO_MODEL_FOR_ROUTE: "NO_MODEL_FOR_ROUTE",
  /**
   * A standalone benchmark stopped before its end — a budget, the kill switch, a gate denial, the
   * provider (409); `details.stop_code` says which and `details.spent_trm` what it had spent.
   */
  BENCHMARK_STOPPED: "BENCHMARK_STOPPED",
} as const;
export type MindErrorCode = (typeof MindErrorCode)[keyof typeof MindErrorCode];

/** Thrown when a mind operation is refused or fails; `code` says which. */
export class MindError extends TiramiError {
  override name = "MindError";
  declare readonly code: MindErrorCode;
  constructor(code: MindErrorCode, message: string, options: TiramiErrorOptions = {}) {
    super(code, message, options);
  }
}

/** Codes a run stops with that are the mind's own (the gate's and the market's codes pass through). */
export const MindStopCode = {
  /** The next purchase's worst case would pass the cycle's budget. */
  CYCLE_BUDGET_REACHED: "CYCLE_BUDGET_REACHED",
  /** The next purchase's worst case would pass the day's budget. */
  DAY_BUDGET_REACHED: "DAY_BUDGET_REACHED",
  /** The day's cycles are used up (no cycle starts; nothing is recorded). */
  CYCLES_PER_DAY_REACHED: "CYCLES_PER_DAY_REACHED",
  /** The kill switch is active (seen before a free local step, or as the gate's denial of a purchase). */
  KILL_SWITCH_ACTIVE: "KILL_SWITCH_ACTIVE",
  /** The caller aborted the run (client gone, node stopping). */
  ABORTED: "ABORTED",
  /** The process died while the cycle ran; found and closed when the store reopened. */
  INTERRUPTED: "INTERRUPTED",
} as const;

/** Thrown inside a cycle to stop it; the cycle is then recorded as deferred with `code`. */
export class MindStop extends TiramiError {
  override name = "MindStop";
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, details === undefined ? {} : { details });
  }
}
