/**
 * @tirami/proto (L0) — what crosses the wire between Tirami nodes: the dual-signed trade, gossip items
 * and the frames of the remote-inference stream, each with a deterministic encoding, strict validation
 * and a size limit.
 * @packageDocumentation
 */

/** Errors. */
export { ProtoError, ProtoErrorCode } from "./errors.js";

/** Trades. */
export {
  checkSignedTrade,
  computeTradeId,
  MODEL_ID_LENGTH_MAX,
  parseTrade,
  PRICE_TRM_PER_TOKEN_MAX,
  REQUEST_ID_LENGTH_MAX,
  type SignedTrade,
  signTrade,
  type Trade,
  TRADE_DOMAIN,
  TRADE_NONCE_BYTES,
  tradeCanonicalBytes,
  type TradeSignatureFailure,
} from "./trade.js";
