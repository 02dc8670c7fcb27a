/**
 * Errors of @tirami/lightning, each with a stable code; the node maps each to the HTTP status noted here.
 * @module
 */
import { TiramiError, type TiramiErrorOptions } from "@tirami/core";

/** Codes thrown by @tirami/lightning. */
export const LightningErrorCode = {
  /** No wallet backend is configured on this node: nothing can be paid or invoiced (409). */
  NO_WALLET: "NO_WALLET",
  /** A BOLT11 string does not decode, or lacks a field that must be there (400). */
  INVOICE_INVALID: "INVOICE_INVALID",
  /** A BOLT11 invoice decodes but is not the one expected: amount, network or payment hash (400). */
  INVOICE_MISMATCH: "INVOICE_MISMATCH",
  /** The invoice has expired, or expires too soon to be paid safely (409). */
  INVOICE_EXPIRED: "INVOICE_EXPIRED",
  /** The wallet answered with an error or an answer that does not check (502). */
  WALLET_ERROR: "WALLET_ERROR",
  /** The wallet did not answer in time (504). */
  WALLET_TIMEOUT: "WALLET_TIMEOUT",
  /** The payment failed; nothing changed here and it may be retried (502). */
  PAYMENT_FAILED: "PAYMENT_FAILED",
  /** The sats budget or the safety gate refused the payment before anything left (403). */
  PAYMENT_DENIED: "PAYMENT_DENIED",
  /** An amount or rate is out of range (400). */
  AMOUNT_INVALID: "AMOUNT_INVALID",
  /** An unknown Bitcoin network name (400). */
  NETWORK_UNKNOWN: "NETWORK_UNKNOWN",
  /** The counterparty refused the invoice request or the exchange (409); `details.reason` says why. */
  EXCHANGE_REFUSED: "EXCHANGE_REFUSED",
  /** Nothing to settle in the window with that counterparty, or this node is not the debtor (409). */
  NOTHING_TO_SETTLE: "NOTHING_TO_SETTLE",
  /** A wallet connection string or LND setting is malformed (400). */
  WALLET_CONFIG_INVALID: "WALLET_CONFIG_INVALID",
  /** No anchor record for that window and network (404). */
  ANCHOR_NOT_FOUND: "ANCHOR_NOT_FOUND",
} as const;
export type LightningErrorCode = (typeof LightningErrorCode)[keyof typeof LightningErrorCode];

/** Thrown for every deliberate failure of this package; `code` is a `LightningErrorCode`. */
export class LightningError extends TiramiError {
  override name = "LightningError";
  constructor(code: LightningErrorCode, message: string, options?: TiramiErrorOptions) {
    super(code, message, options);
  }
}

/** True when `error` is a LightningError, optionally with the given code. */
export function isLightningError(error: unknown, code?: LightningErrorCode): error is LightningError {
  return error instanceof LightningError && (code === undefined || error.code === code);
}
