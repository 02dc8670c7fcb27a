/**
 * Test only: a simulated Lightning network. Wallets on it issue real BOLT11 invoices signed by their own
 * secp256k1 node key (`encodeTestInvoice`), and pay one another's invoices: a payment checks the invoice
 * (it decodes, it is known, unpaid, unexpired, for a fixed amount the payer can cover), moves the msat
 * and returns the preimage, exactly once. `failNextPayments` makes the next payments fail, and
 * `payments` counts what left each wallet, so tests can prove that nothing was paid.
 * @module
 */
import { randomBytes } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256, toHex } from "@tirami/core";
import { decodeInvoice } from "../bolt11.js";
import type { BitcoinNetwork } from "../network.js";
import { encodeTestInvoice } from "./bolt11-encoder.js";

/** An invoice in the simulated network. */
export interface SimInvoice {
  bolt11: string;
  payment_hash: string;
  preimage: string;
  amount_msat: number;
  description: string;
  created_at_s: number;
  expires_at_s: number;
  payee: SimWallet;
  settled_at_s: number | null;
}

/** A wallet of the simulated network. */
export interface SimWallet {
  readonly name: string;
  readonly network: BitcoinNetwork;
  balanceMsat: number;
  /** Outgoing payments made. */
  payments: number;
  /** The next `n` payments fail with PAYMENT_FAILED (no money moves). */
  failNextPayments(n: number): void;
  makeInvoice(request: { amountMsat: number; description: string; expiryS: number }): SimInvoice;
  /** Pays `bolt11`; throws `Error` with a NIP-47 style `code` (PAYMENT_FAILED, INSUFFICIENT_BALANCE). */
  payInvoice(bolt11: string): { preimage: string; fees_paid_msat: number };
  lookupInvoice(paymentHash: string): SimInvoice | undefined;
}

/** The network: wallets and every invoice issued on it. */
export interface SimNetwork {
  readonly network: BitcoinNetwork;
  createWallet(name: string, balanceMsat: number): SimWallet;
  invoice(paymentHash: string): SimInvoice | undefined;
  /** Clock of invoices, seconds (default: real time). */
  nowS: () => number;
}

/** A coded failure, shaped like NIP-47 errors. */
export class SimPaymentError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Creates a simulated network on `network`. */
export function createSimNetwork(
  network: BitcoinNetwork,
  nowS = () => Math.floor(Date.now() / 1_000),
): SimNetwork {
  const invoices = new Map<string, SimInvoice>();
  const sim: SimNetwork = {
    network,
    nowS,
    invoice: (hash) => invoices.get(hash),
    createWallet(name, balanceMsat) {
      const nodeKey = secp256k1.utils.randomSecretKey();
      let failures = 0;
      const wallet: SimWallet = {
        name,
        network,
        balanceMsat,
        payments: 0,
        failNextPayments(n) {
          failures = n;
        },
        makeInvoice(request) {
          const preimage = new Uint8Array(randomBytes(32));
          const hash = sha256(preimage);
          const created = nowS();
          const bolt11 = encodeTestInvoice({
            network,
            amountMsat: request.amountMsat,
            paymentHash: hash,
            paymentSecret: new Uint8Array(randomBytes(32)),
            description: request.description,
            timestampS: created,
            expiryS: request.expiryS,
            nodeSecretKey: nodeKey,
          });
          const invoice: SimInvoice = {
            bolt11,
            payment_hash: toHex(hash),
            preimage: toHex(preimage),
            amount_msat: request.amountMsat,
            description: request.description,
            created_at_s: created,
            expires_at_s: created + request.expiryS,
            payee: wallet,
            settled_at_s: null,
          };
          invoices.set(invoice.payment_hash, invoice);
          return invoice;
        },
        payInvoice(bolt11) {
          const decoded = decodeInvoice(bolt11);
          const invoice = invoices.get(decoded.payment_hash);
          if (invoice === undefined || invoice.bolt11 !== bolt11.toLowerCase())
            throw new SimPaymentError("PAYMENT_FAILED", "no route to an unknown invoice");
          if (failures > 0) {
            failures -= 1;
            throw new SimPaymentError("PAYMENT_FAILED", "no route found");
          }
          if (invoice.settled_at_s !== null)
            throw new SimPaymentError("PAYMENT_FAILED", "invoice already paid");
          if (invoice.expires_at_s <= nowS()) throw new SimPaymentError("PAYMENT_FAILED", "invoice expired");
          if (wallet.balanceMsat < invoice.amount_msat)
            throw new SimPaymentError("INSUFFICIENT_BALANCE", "not enough balance");
          wallet.balanceMsat -= invoice.amount_msat;
          invoice.payee.balanceMsat += invoice.amount_msat;
          invoice.settled_at_s = nowS();
          wallet.payments += 1;
          return { preimage: invoice.preimage, fees_paid_msat: 0 };
        },
        lookupInvoice(paymentHash) {
          const invoice = invoices.get(paymentHash);
          return invoice?.payee === wallet ? invoice : undefined;
        },
      };
      return wallet;
    },
  };
  return sim;
}
