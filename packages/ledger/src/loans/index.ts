/**
 * Lending on the ledger (docs/lending.md): the loan book, credit, the lending gate and their types.
 * @module
 */
export {
  type ApplyLoanResult,
  type ApplyRepaymentResult,
  createLoanBook,
  LOAN_DEFAULT_SETTLE_MS,
} from "./book.js";
export * from "./constants.js";
export {
  type CreditComponents,
  type CreditScore,
  createCredit,
  maxBorrowableTrm,
  offeredRatePpm,
} from "./credit.js";
export {
  createLoanGate,
  type LenderPool,
  type LoanCheck,
  LoanDenyCode,
  type LoanGate,
  type LoanGateDecision,
} from "./gate.js";
export { type LoanEventKind, type LoanStatus, type StoredLoan, type StoredLoanEvent } from "./rows.js";
export {
  createLoans,
  type Loans,
  type ListLoansRequest,
  type LoanExposure,
  type LoanStats,
} from "./loans.js";
