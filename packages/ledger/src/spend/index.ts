/**
 * The spend path: gate → hold → dual-signed trade → settle or release, per spender.
 * @module
 */
export {
  type Counterparty,
  createSpendPath,
  type SpendDeps,
  type SpenderDirectory,
  type SpentBy,
  type SpendOutcome,
  type SpendPath,
  type SpendPathRequest,
  type SpendTracker,
  type SpendUsage,
  type SpendWork,
} from "./spend.js";
export { SpendDeniedError, SpendError, SpendErrorCode } from "./errors.js";
export {
  COUNTERPARTY_SIGN_TIMEOUT_MS,
  REQUEST_HOLD_REASON_PREFIXES,
  SERVE_HOLD_REASON_PREFIX,
  SPEND_HOLD_REASON_PREFIX,
} from "./constants.js";
