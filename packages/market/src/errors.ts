/**
 * Errors of the market: buying from and routing to providers. Each has a stable code; the node's API maps
 * each code to an HTTP status (apps/node's `errors.ts`), the status noted beside each code here.
 * @module
 */
import { TiramiError, type TiramiErrorOptions } from "@tirami/core";

/** Codes thrown by the market. */
export const MarketErrorCode = {
  /** No live offer in the book serves the model (404). */
  NO_PROVIDER: "NO_PROVIDER",
  /** The provider refused: the consumer's balance in its ledger view is too low (402). */
  INSUFFICIENT_BALANCE: "INSUFFICIENT_BALANCE",
  /** The provider refused to serve on credit (zero-history cap, credit cap, unsettled trade) (402). */
  PROVIDER_REFUSED_CREDIT: "PROVIDER_REFUSED_CREDIT",
  /** The provider is busy (503, Retry-After). */
  PROVIDER_BUSY: "PROVIDER_BUSY",
  /** The provider rejected the request as invalid (400). */
  PROVIDER_INVALID_REQUEST: "PROVIDER_INVALID_REQUEST",
  /** The provider failed, vanished or broke the protocol; nothing was charged (503). */
  PROVIDER_FAILED: "PROVIDER_FAILED",
  /** The request cannot cross the wire (proto's rules, e.g. a lone surrogate); no peer was contacted (400). */
  INVALID_REQUEST: "INVALID_REQUEST",
  /** This node refused to sign the provider's trade (amount, price or tokens wrong); nothing moved (503). */
  TRADE_REJECTED: "TRADE_REJECTED",
  /** The mesh is not running on this node (503). */
  MESH_DISABLED: "MESH_DISABLED",
  /** A routing parameter is invalid (400). */
  INVALID_ROUTE: "INVALID_ROUTE",
  /** No live lend offer can fund the requested loan (404). */
  NO_LENDER: "NO_LENDER",
  /** The other party refused to sign the loan; `details.reason` is its `LoanRejectReason` (409). */
  LOAN_REJECTED: "LOAN_REJECTED",
  /** This node's own lending gate or safety gate refused (403); `details.code` says which rule. */
  LOAN_DENIED: "LOAN_DENIED",
  /** The loan, repayment or lend offer asked for is invalid here (400). */
  INVALID_LOAN_REQUEST: "INVALID_LOAN_REQUEST",
} as const;
export type MarketErrorCode = (typeof MarketErrorCode)[keyof typeof MarketErrorCode];

/**
 * Whose fault a failed purchase was, in `details.fault`. Only `provider` faults (a stream it started that
 * failed or broke the protocol, a wrong proposal, silence past the deadline) lower its reputation; the
 * request (invalid input), this node (its own shutdown, its client leaving) and the network path (the
 * provider could not be reached) say so and cost the provider nothing.
 */
export type FailureFault = "provider" | "request" | "consumer" | "network";

/** A failure of a market operation. */
export class MarketError extends TiramiError {
  override name = "MarketError";
  declare readonly code: MarketErrorCode;
  constructor(code: MarketErrorCode, message: string, options: TiramiErrorOptions = {}) {
    super(code, message, options);
  }
}

/** True for a `MarketError`. */
export function isMarketError(error: unknown): error is MarketError {
  return error instanceof MarketError;
}
