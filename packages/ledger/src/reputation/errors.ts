/**
 * Reputation error codes.
 * @module
 */
import { TiramiError, type TiramiErrorOptions } from "@tirami/core";

export const ReputationErrorCode = {
  /** Malformed observation: bad ids, score outside [0,1], bad weight or timestamp, self-observation. */
  INVALID_OBSERVATION: "INVALID_OBSERVATION",
  /** The observation's signature does not verify for its observer. */
  INVALID_OBSERVATION_SIGNATURE: "INVALID_OBSERVATION_SIGNATURE",
  /** Older than `OBSERVATION_AGE_MAX_MS` or further in the future than `OBSERVATION_CLOCK_SKEW_MS`. */
  OBSERVATION_NOT_FRESH: "OBSERVATION_NOT_FRESH",
  /** Unknown failure kind passed to `recordFailure`. */
  INVALID_FAILURE_KIND: "INVALID_FAILURE_KIND",
} as const;
export type ReputationErrorCode = (typeof ReputationErrorCode)[keyof typeof ReputationErrorCode];

/** Thrown by reputation ingestion and updates. */
export class ReputationError extends TiramiError {
  override name = "ReputationError";
  constructor(code: ReputationErrorCode, message: string, options: TiramiErrorOptions = {}) {
    super(code, message, options);
  }
}
