/**
 * The safety gate: kill switch, circuit breaker, budget policies and human approval, consulted by every
 * spend path before it reserves TRM (docs/architecture.md §6).
 * @module
 */
export { SAFETY_SCHEMA_SQL } from "./schema.js";
export * as SafetyLimits from "./constants.js";
/** The spender name of the node operator (every other spender is an app's, e.g. an agent). */
export { OPERATOR_SPENDER } from "./constants.js";
export { isApprovalId } from "./outcome.js";
export { SafetyError, SafetyErrorCode, type SafetyDenyCode } from "./errors.js";
export {
  DEFAULT_OPERATOR_SAFETY_POLICY,
  DEFAULT_SAFETY_POLICY,
  isSpenderName,
  mergePolicy,
  type SafetyPolicy,
} from "./policy.js";
export {
  createSafetyGate,
  type Approval,
  type BreakerState,
  type KillSwitchState,
  type RecordSpendInput,
  type SafetyDecisionLogEntry,
  type SafetyGate,
  type SafetyGateOptions,
  type SafetyState,
  type SpendAllowed,
  type SpendDecision,
  type SpendDenied,
  type SpenderSpend,
  type SpendRequest,
} from "./gate.js";
