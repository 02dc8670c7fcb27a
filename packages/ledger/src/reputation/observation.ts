/**
 * Signed reputation observations, in the one wire format of the mesh: `@tirami/proto`'s
 * `ReputationObservation` (`{ kind: "reputation_observation", observer, subject, score, timestamp_ms,
 * signature }`, the signature hex, by `observer`, over `reputationObservationSigningBytes` under the domain
 * `tirami/reputation/v1`). This module only adapts proto's codec to the ledger: a problem string for
 * `INVALID_OBSERVATION`, and a signer-first `signObservation`. The format carries no self-reported weight;
 * the weight of an observer is always derived locally (docs/upstream.md §13.8).
 * @module
 */
import type { AccountId, Signer } from "@tirami/core";
import {
  type ReputationObservation,
  reputationObservationSigningBytes,
  signReputationObservation,
  verifyReputationObservation,
} from "@tirami/proto";

export type { ReputationObservation } from "@tirami/proto";

/** An observation before signing (proto's fields without `kind` and `signature`). */
export type UnsignedObservation = Omit<ReputationObservation, "kind" | "signature">;

const KIND = "reputation_observation";

/**
 * Why an observation is malformed (ignoring whether its signature verifies), or null when well-formed:
 * proto's field rules (account ids, score a float in [0, 1], timestamp a safe integer, observer ≠ subject),
 * plus `kind` and a signature that is a string.
 */
export function observationProblem(observation: unknown): string | null {
  if (typeof observation !== "object" || observation === null) return "observation must be an object";
  const record = observation as Record<string, unknown>;
  if (record.kind !== KIND) return `kind must be "${KIND}"`;
  if (typeof record.signature !== "string") return "signature must be a hex string";
  try {
    reputationObservationSigningBytes(observation as ReputationObservation);
  } catch (error) {
    return error instanceof Error ? error.message : "invalid observation";
  }
  return null;
}

/**
 * Signs an observation of `subject` by `signer` (proto's `signReputationObservation`). Throws `ProtoError`
 * `INVALID_MESSAGE` for a score outside [0, 1], a bad timestamp or `subject` = the signer.
 */
export function signObservation(
  signer: Signer,
  input: { subject: AccountId; score: number; timestampMs: number },
): ReputationObservation {
  return signReputationObservation(
    {
      observer: signer.accountId,
      subject: input.subject,
      score: input.score,
      timestamp_ms: input.timestampMs,
    },
    signer,
  );
}

/** True when the observation is well-formed and signed by its observer. Never throws. */
export function verifyObservation(observation: unknown): boolean {
  return observationProblem(observation) === null && verifyReputationObservation(observation);
}
