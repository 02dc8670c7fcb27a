/**
 * One interface for every wallet backend (Nostr Wallet Connect, LND REST): create an invoice, pay one,
 * look one up, read the balance. Backends translate their protocol; `checkedWallet` then checks every
 * answer the same way whatever the backend — an invoice created is decoded and must carry the amount and
 * network asked for, a payment must return the preimage of the invoice's payment hash — so a wallet that
 * answers wrongly is an error here, never a wrong record.
 * @module
 */
import { fromHex, sha256, toHex } from "@tirami/core";
import { decodeInvoice } from "./bolt11.js";
import { INVOICE_DESCRIPTION_BYTES_MAX } from "./constants.js";
import { LightningError, LightningErrorCode } from "./errors.js";
import type { BitcoinNetwork } from "./network.js";
import { assertMsat } from "./rate.js";

/** What `createInvoice` asks for. */
export interface InvoiceRequest {
  amountMsat: number;
  description: string;
  expiryS: number;
}

/** An invoice the wallet issued. */
export interface CreatedInvoice {
  bolt11: string;
  /** 64 lowercase hex. */
  payment_hash: string;
  amount_msat: number;
  expires_at_s: number;
}

/** A payment the wallet made. */
export interface PaymentResult {
  /** 64 lowercase hex; sha256(preimage) is the invoice's payment hash. */
  preimage: string;
  fees_paid_msat: number;
}

/** The state of an invoice this wallet issued. */
export interface InvoiceStatus {
  payment_hash: string;
  state: "pending" | "settled" | "expired" | "failed";
  amount_msat: number;
  /** Once settled. */
  preimage: string | null;
}

/** A wallet backend. Every method may throw LightningError WALLET_ERROR or WALLET_TIMEOUT. */
export interface LightningWallet {
  /** `nwc` or `lnd`. */
  readonly kind: string;
  createInvoice(request: InvoiceRequest): Promise<CreatedInvoice>;
  /** Pays `bolt11` in full; throws PAYMENT_FAILED when the payment did not go through. */
  payInvoice(bolt11: string): Promise<PaymentResult>;
  lookupInvoice(paymentHash: string): Promise<InvoiceStatus>;
  balanceMsat(): Promise<number>;
  /** Closes connections; the wallet is unusable afterwards. */
  close(): Promise<void>;
}

/** Throws WALLET_ERROR with `message` (a wallet answer that does not check). */
export function walletError(message: string, details?: Record<string, unknown>): LightningError {
  return new LightningError(
    LightningErrorCode.WALLET_ERROR,
    message,
    details === undefined ? {} : { details },
  );
}

/** True when `preimage` (64 hex) hashes to `paymentHash`. */
export function preimageMatches(preimage: string, paymentHash: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(preimage)) return false;
  return toHex(sha256(fromHex(preimage))) === paymentHash;
}

/**
 * Wraps a backend so that every answer is checked against the request and the node's network.
 * @param network the network this node settles on: an invoice for another network is refused.
 */
export function checkedWallet(inner: LightningWallet, network: BitcoinNetwork): LightningWallet {
  return {
    kind: inner.kind,
    async createInvoice(request) {
      assertMsat(request.amountMsat);
      if (request.amountMsat < 1) throw walletError("an invoice needs an amount of at least 1 msat");
      if (Buffer.byteLength(request.description) > INVOICE_DESCRIPTION_BYTES_MAX)
        throw new RangeError(`"description" longer than ${INVOICE_DESCRIPTION_BYTES_MAX} bytes`);
      const created = await inner.createInvoice(request);
      const decoded = decodeInvoice(created.bolt11);
      if (decoded.network !== network || decoded.amount_msat !== request.amountMsat)
        throw walletError("the wallet issued an invoice for another network or amount", {
          network: decoded.network,
          amount_msat: decoded.amount_msat,
        });
      return {
        bolt11: created.bolt11,
        payment_hash: decoded.payment_hash,
        amount_msat: request.amountMsat,
        expires_at_s: decoded.expires_at_s,
      };
    },
    async payInvoice(bolt11) {
      const decoded = decodeInvoice(bolt11);
      const paid = await inner.payInvoice(bolt11);
      if (!preimageMatches(paid.preimage, decoded.payment_hash))
        throw walletError("the wallet reported a payment without the invoice's preimage");
      return paid;
    },
    async lookupInvoice(paymentHash) {
      const status = await inner.lookupInvoice(paymentHash);
      if (status.payment_hash !== paymentHash) throw walletError("the wallet answered about another invoice");
      if (
        status.state === "settled" &&
        (status.preimage === null || !preimageMatches(status.preimage, paymentHash))
      )
        throw walletError("the wallet reported a settled invoice without its preimage");
      return status;
    },
    balanceMsat: () => inner.balanceMsat(),
    close: () => inner.close(),
  };
}
