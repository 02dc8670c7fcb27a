/**
 * Signed reputation observations: "observer rates subject `score` at `timestamp_ms`", signed by the
 * observer over canonical bytes under the domain `tirami/reputation-observation/v1`:
 *
 *   fields = [observer (hex string), subject (hex string), score (float), weight (float | null), timestamp_ms (uint)]
 *
 * `weight` is the observer's self-reported weight. It is signed (so it cannot be altered in transit) but
 * never used for merging — reference §13.8: a self-declared weight let one observation control the median.
 * @module
 */
import {
  type AccountId,
  canonicalFloat,
  encodeCanonical,
  isAccountId,
  SIGNATURE_BYTES,
  type Signer,
  verifySignature,
} from "@tirami/core";
import { OBSERVATION_DOMAIN, OBSERVATION_WEIGHT_MAX } from "./constants.js";

export interface ReputationObservation {
  observer: AccountId;
  subject: AccountId;
  /** In [0, 1]. */
  score: number;
  /** Self-reported weight (e.g. trade count); signed, stored, never trusted. */
  weight?: number;
  timestamp_ms: number;
  /** Ed25519 signature (64 bytes) by `observer` over `observationBytes(...)`. */
  signature: Uint8Array;
}

export type UnsignedObservation = Omit<ReputationObservation, "signature">;

/** Why an observation is malformed (ignoring its signature), or null when well-formed. */
export function observationProblem(observation: UnsignedObservation): string | null {
  if (typeof observation !== "object" || observation === null) return "observation must be an object";
  if (!isAccountId(observation.observer)) return "observer must be an account id";
  if (!isAccountId(observation.subject)) return "subject must be an account id";
  if (observation.observer === observation.subject) return "an account cannot observe itself";
  const { score, weight } = observation;
  if (
    typeof score !== "number" ||
    !Number.isFinite(score) ||
    score < 0 ||
    score > 1 ||
    Object.is(score, -0)
  ) {
    return "score must be a number in [0, 1]";
  }
  if (weight !== undefined) {
    if (
      typeof weight !== "number" ||
      !Number.isFinite(weight) ||
      weight < 0 ||
      weight > OBSERVATION_WEIGHT_MAX ||
      Object.is(weight, -0)
    ) {
      return `weight must be a number in [0, ${OBSERVATION_WEIGHT_MAX}]`;
    }
  }
  if (!Number.isSafeInteger(observation.timestamp_ms) || observation.timestamp_ms < 0)
    return "timestamp_ms must be a safe integer";
  return null;
}

/** The canonical bytes an observer signs. Throws `RangeError` for a malformed observation. */
export function observationBytes(observation: UnsignedObservation): Uint8Array {
  const problem = observationProblem(observation);
  if (problem !== null) throw new RangeError(problem);
  return encodeCanonical(OBSERVATION_DOMAIN, [
    observation.observer,
    observation.subject,
    canonicalFloat(observation.score),
    observation.weight === undefined ? null : canonicalFloat(observation.weight),
    observation.timestamp_ms,
  ]);
}

/** Signs an observation of `subject` by `signer`. */
export function signObservation(
  signer: Signer,
  input: { subject: AccountId; score: number; weight?: number; timestampMs: number },
): ReputationObservation {
  const unsigned: UnsignedObservation = {
    observer: signer.accountId,
    subject: input.subject,
    score: input.score,
    timestamp_ms: input.timestampMs,
  };
  if (input.weight !== undefined) unsigned.weight = input.weight;
  return { ...unsigned, signature: signer.sign(observationBytes(unsigned)) };
}

/** True when the observation is well-formed and signed by its observer. Never throws. */
export function verifyObservation(observation: ReputationObservation): boolean {
  try {
    if (observationProblem(observation) !== null) return false;
    if (!(observation.signature instanceof Uint8Array) || observation.signature.length !== SIGNATURE_BYTES)
      return false;
    return verifySignature(observation.observer, observationBytes(observation), observation.signature);
  } catch {
    return false;
  }
}
