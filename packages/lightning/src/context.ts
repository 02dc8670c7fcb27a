/**
 * What the seller and buyer sides share: the ledger, the signer, the clock, the store, the wallet (which
 * the operator may connect or disconnect while the node runs) and the resolved options.
 * @module
 */
import type { AccountId, Clock, Signer } from "@tirami/core";
import type { Ledger } from "@tirami/ledger";
import type { BitcoinNetwork } from "./network.js";
import type { LightningStore } from "./store.js";
import type { LightningWallet } from "./wallet.js";

/** Options of the lightning service (defaults in constants.ts). */
export interface LightningOptions {
  network: BitcoinNetwork;
  /** Default MSAT_PER_TRM_DEFAULT. */
  msatPerTrm: number;
  /** Expiry of invoices this node issues, s. Default INVOICE_EXPIRY_S_DEFAULT. */
  invoiceExpiryS: number;
  /** Largest single outgoing payment, sats. Default PAYMENT_SATS_MAX_DEFAULT. */
  paymentSatsMax: number;
  /** Outgoing sats per hour. Default BUDGET_SATS_PER_HOUR_DEFAULT. */
  satsPerHour: number;
  /** Most TRM this node sells in one deposit; 0 (the default) sells none. */
  depositTrmMax: number;
}

export interface LightningContext {
  self: AccountId;
  ledger: Ledger;
  signer: Signer;
  clock: Clock;
  store: LightningStore;
  wallet(): LightningWallet | undefined;
  options: LightningOptions;
  log(message: string, fields: Record<string, unknown>): void;
}
