/**
 * `@tirami/lightning/testing` — test only, never used by the product: a BOLT11 encoder/signer for real
 * invoice strings, a simulated Lightning network of wallets, a Nostr Wallet Connect wallet service over a
 * relay, and an LND REST double on 127.0.0.1. Tests of this package and of the node import it.
 * @module
 */
export { encodeTestInvoice, recoverTestInvoiceKey, type TestInvoiceFields } from "./bolt11-encoder.js";
export {
  createSimNetwork,
  SimPaymentError,
  type SimInvoice,
  type SimNetwork,
  type SimWallet,
} from "./sim-network.js";
export { type NwcWalletService, startNwcWalletService } from "./nwc-service.js";
export { type LndDouble, selfSignedCertificate, startLndDouble } from "./lnd-double.js";
