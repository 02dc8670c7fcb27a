/**
 * @tirami/test-trades — the trade half of Tirami's private test kit, for tests and benches only:
 * throwaway and labelled signers and dual-signed trades made with the real proto code. It sits one layer
 * above @tirami/proto (it needs core and proto), so ledger, net and everything above may use it; the
 * generic half (waits, temp dirs, models, topologies) is @tirami/test-kit.
 * @packageDocumentation
 */
export { newSigner, signerFor } from "./signers.js";
export {
  signBoth,
  signedTrade,
  TRADE_COMPLETION_TOKENS_DEFAULT,
  TRADE_MODEL_ID_DEFAULT,
  TRADE_PROMPT_TOKENS_DEFAULT,
  tradeOf,
  type TradeSpec,
} from "./trades.js";
export { type LoanSpec, repaymentOf, signedLoan } from "./loans.js";
