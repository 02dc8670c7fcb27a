/**
 * @tirami/proto (L0) — what crosses the wire between Tirami nodes: the dual-signed trade, gossip items
 * and the frames of the remote-inference stream, each with a deterministic encoding, strict validation
 * and a size limit.
 * @packageDocumentation
 */

/** Errors. */
export { ProtoError, ProtoErrorCode } from "./errors.js";

/** Limits and protocol ids. */
export {
  CONTEXT_LENGTH_MAX,
  ERROR_MESSAGE_BYTES_MAX,
  FREE_CAPACITY_MAX,
  INFER_CONTENT_BYTES_MAX,
  INFER_MAX_TOKENS_MAX,
  INFER_MESSAGES_MAX,
  INFER_PROMPT_BYTES_MAX,
  INFER_PROMPT_TOKENS_MAX,
  INFER_PROTOCOL_ID,
  INFER_SEED_MAX,
  INFER_STOP_BYTES_MAX,
  INFER_STOP_MAX,
  INFER_TEMPERATURE_MAX,
  INFER_TOP_K_MAX,
  MESSAGE_BYTES_MAX,
  MULTIADDR_LENGTH_MAX,
  OFFER_MODELS_MAX,
  OFFER_MULTIADDRS_MAX,
  PROTOCOL_VERSION,
  PROTOCOL_VERSION_MAX,
  RETRY_AFTER_MS_MAX,
  SYNC_PROTOCOL_ID,
  SYNC_TRADES_MAX,
  TOKEN_CHUNK_TEXT_BYTES_MAX,
} from "./constants.js";

/** Id rules: the wire's bounds and their type guards. */
export {
  isModelId,
  isRequestId,
  isTradeId,
  MODEL_ID_LENGTH_MAX,
  REQUEST_ID_LENGTH_MAX,
  TRADE_ID_BYTES,
} from "./ids.js";

/** Trades. */
export {
  assembleSignedTrade,
  checkSignedTrade,
  computeTradeId,
  createTrade,
  parseSignedTrade,
  parseTrade,
  PRICE_TRM_PER_TOKEN_MAX,
  type SignedTrade,
  signTrade,
  type Trade,
  TRADE_DOMAIN,
  TRADE_NONCE_BYTES,
  tradeCanonicalBytes,
  type TradeInput,
  type TradeSignatureFailure,
} from "./trade.js";

/** Remote-inference stream. */
export {
  CHAT_ROLES,
  type ChatMessage,
  type InferResponseFormat,
  RESPONSE_FORMAT_TYPES,
  type ChatRole,
  FINISH_REASONS,
  type FinishReason,
  INFER_ERROR_CODES,
  type InferEnd,
  type InferError,
  type InferErrorCode,
  type InferRequest,
  type TokenChunk,
} from "./infer.js";
export {
  type TradeAccept,
  type TradeProposal,
  type TradeReject,
  TRADE_REJECT_REASONS,
  type TradeRejectReason,
} from "./settle.js";
export { SYNC_START_TRADE_ID, type SyncRequest, type SyncResponse } from "./sync.js";

/** Gossip. */
export {
  gossipItemId,
  OFFER_SIGNING_DOMAIN,
  type OfferedModel,
  type ProviderOffer,
  providerOfferId,
  providerOfferSigningBytes,
  REPUTATION_SIGNING_DOMAIN,
  type ReputationObservation,
  reputationObservationId,
  reputationObservationSigningBytes,
  signProviderOffer,
  signReputationObservation,
  type TradeGossip,
  verifyProviderOffer,
  verifyReputationObservation,
} from "./gossip.js";

/** The codec. */
export {
  decodeMessage,
  encodeMessage,
  type Message,
  MESSAGE_KINDS,
  MESSAGE_LIMITS,
  type MessageKind,
  type MessageLimits,
  type MessageOf,
  messageDomain,
  parseMessage,
} from "./message.js";
