/**
 * `@tirami/bank` (L2, above lightning and below mind in `layers.json`): the node's treasury on the real
 * ledger (docs/bank.md). Its portfolio is read from the ledger, its strategies and risk model follow
 * upstream's formulas (docs/upstream.md §10.1), and a tick acts through `@tirami/market`'s lending as the
 * `bank` spender of the one safety gate.
 * @module
 */

/** The bank service. */
export { type Bank, type BankOptions, createBank, type OptimizeResult, type TickResult } from "./bank.js";
export type { BankLedger, BankLending } from "./ports.js";
export type { BankBudget } from "./budget.js";
export type { DecisionOutcome, RecordedDecision } from "./store.js";
export {
  createInsuranceDesk,
  type InsuranceDesk,
  type InsuranceLedger,
  INSURANCE_TICK_MS,
  POLICY_EXPIRY_AFTER_DEFAULT_MS,
} from "./insurance-desk.js";
export { createFuturesDesk, type FuturesDesk, type FuturesLedger, FUTURES_TICK_MS } from "./futures-desk.js";

/** Formulas, pure (vectors in `vectors/bank-v1.json`). */
export {
  decide,
  defaultStrategy,
  type Holdings,
  parseRiskTolerance,
  parseStrategy,
  type Strategy,
  type StrategyKind,
  STRATEGY_KINDS,
  strategyOf,
} from "./strategy.js";
export {
  assessRisk,
  DEFAULT_RISK_MODEL,
  passesRiskBudget,
  type RiskAssessment,
  type RiskInput,
  riskInputOf,
  type RiskModel,
} from "./risk.js";
export { premiumTrm } from "./premium.js";
export { borrowCapTrm, planTick, type PlannedDecision, repaymentsDue } from "./plan.js";

/** Types, constants and errors. */
export * from "./types.js";
export * from "./constants.js";
export { BankError, BankErrorCode } from "./errors.js";
