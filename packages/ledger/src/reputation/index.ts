/**
 * Reputation: local scores moved by trades and failures, signed observations from other nodes, and a
 * Sybil-resistant merged view (weights derived locally, never self-reported).
 * @module
 */
export { REPUTATION_SCHEMA_SQL } from "./schema.js";
export * as ReputationConstants from "./constants.js";
export { ReputationError, ReputationErrorCode } from "./errors.js";
export { weightedMedian, type WeightedValue } from "./median.js";
export {
  signObservation,
  verifyObservation,
  type ReputationObservation,
  type UnsignedObservation,
} from "./observation.js";
export {
  createReputation,
  type IngestResult,
  type MergedReputation,
  type Reputation,
  type ReputationEntry,
  type ReputationFailureKind,
  type ReputationOptions,
} from "./reputation.js";
