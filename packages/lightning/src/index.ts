/**
 * @tirami/lightning (L1, above market) — TRM ↔ sats: the exchange rate and quotes, BOLT11 checks, wallet
 * backends behind one interface (Nostr Wallet Connect, LND REST), settlement of a window's net position
 * over Lightning and deposits (TRM sold for sats) as dual-signed exchange trades, and OP_RETURN anchors of
 * a settlement window's Merkle root as unsigned PSBTs. See docs/lightning.md.
 * @packageDocumentation
 */

/** Exchange rate and quotes. */
export {
  assertMsat,
  assertRate,
  msatToSatsCeil,
  msatToTrm,
  quoteTrm,
  type Rounding,
  trmToMsat,
  type TrmQuote,
} from "./rate.js";

/** Bitcoin networks. */
export { BITCOIN_NETWORKS, type BitcoinNetwork, parseNetwork } from "./network.js";

/** BOLT11 invoices. */
export { checkInvoice, type DecodedInvoice, decodeInvoice, type InvoiceExpectation } from "./bolt11.js";

/** Anchors. */
export {
  ANCHOR_MAGIC,
  ANCHOR_PAYLOAD_BYTES,
  ANCHOR_VERSION,
  type AnchorCommitment,
  type AnchorPsbt,
  anchorPayload,
  anchorScript,
  buildAnchorPsbt,
  decodeAnchorPsbt,
  decodeAnchorScript,
} from "./anchor.js";

/** Wallets. */
export {
  checkedWallet,
  type CreatedInvoice,
  type InvoiceRequest,
  type InvoiceStatus,
  type LightningWallet,
  type PaymentResult,
  preimageMatches,
} from "./wallet.js";
export { describeWallet, openWallet, type WalletConfig, type WalletDescription } from "./wallet-config.js";
export { connectNwcWallet, type NwcEncryption, type NwcWalletOptions } from "./nwc/client.js";
export { type NwcConnection, parseNwcUri, redactNwcUri } from "./nwc/uri.js";
export { createLndRestWallet, type LndRestConfig } from "./lnd/client.js";

/** The service: settlement that pays, deposits, records, anchors. */
export {
  createLightning,
  type Lightning,
  type LightningDeps,
  type LightningMesh,
  type SettleOutcome,
} from "./service.js";
export type { LightningOptions } from "./context.js";
export type { Position } from "./positions.js";
export type { AnchorRecord, ExchangeRecord, PaymentRecord, PaymentStatus } from "./store.js";
export {
  buildExchangeTrade,
  EXCHANGE_MODEL_ID,
  exchangeRequestId,
  type ExchangeTerms,
  parseExchange,
  type SettlementWindow,
  windowsOverlap,
} from "./exchange.js";
export { LIGHTNING_PROTOCOL_ID, REFUSAL_REASONS, type RefusalReason } from "./messages.js";
export { EXCHANGE_GRACE_MS } from "./seller.js";
export { type LightningIssue, type LightningVerifyReport, verifyLightning } from "./verify.js";

/** Errors, limits and defaults. */
export { isLightningError, LightningError, LightningErrorCode } from "./errors.js";
export * from "./constants.js";
