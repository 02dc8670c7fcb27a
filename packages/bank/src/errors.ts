/**
 * Errors of the bank, each with a stable code; the node maps them to HTTP statuses (noted beside each).
 * @module
 */
import { TiramiError, type TiramiErrorOptions } from "@tirami/core";

/** Codes thrown by `@tirami/bank`. */
export const BankErrorCode = {
  /** A strategy, tolerance or other setting is invalid (400). */
  INVALID_BANK_SETTING: "INVALID_BANK_SETTING",
  /** A request to the bank is invalid (400). */
  INVALID_BANK_REQUEST: "INVALID_BANK_REQUEST",
  /** The insurer refused to sign, could not be reached, or this node's gate refused; `details.reason` (409). */
  INSURANCE_REFUSED: "INSURANCE_REFUSED",
  /** The counterparty refused to sign a future, could not be reached, or this node's gate refused (409). */
  FUTURE_REFUSED: "FUTURE_REFUSED",
} as const;
export type BankErrorCode = (typeof BankErrorCode)[keyof typeof BankErrorCode];

/** Thrown when a bank call is given invalid input. */
export class BankError extends TiramiError {
  override name = "BankError";
  declare readonly code: BankErrorCode;
  constructor(code: BankErrorCode, message: string, options: TiramiErrorOptions = {}) {
    super(code, message, options);
  }
}
