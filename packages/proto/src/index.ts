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
  EMBED_DIMENSIONS_MAX,
  EMBED_INPUTS_MAX,
  EMBED_PROTOCOL_ID,
  EMBED_VECTORS_PER_FRAME_MAX,
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
  OFFER_MEMORY_BYTES_MAX,
  OFFER_MODELS_MAX,
  OFFER_MULTIADDRS_MAX,
  OFFER_THROUGHPUT_BYTES_PER_S_MAX,
  PROTOCOL_VERSION,
  PROTOCOL_VERSION_MAX,
  RETRY_AFTER_MS_MAX,
  SETTLE_PROTOCOL_ID,
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
  tradeCostTrm,
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
export { checkInferInput, type InferInput } from "./infer-input.js";
export {
  type TradeAccept,
  type TradeProposal,
  type TradeReject,
  TRADE_REJECT_REASONS,
  type TradeRejectReason,
} from "./settle.js";
export { SYNC_START_TRADE_ID, type SyncRequest, type SyncResponse } from "./sync.js";
export { type EmbedEnd, type EmbedRequest, type EmbedVectors } from "./embed.js";

/** Loans: the contract, its life-cycle events, lend offers and the handshake. */
export {
  assembleSignedLoan,
  checkSignedLoan,
  computeLoanId,
  createLoan,
  HOUR_MS,
  type Loan,
  LOAN_DOMAIN,
  LOAN_LTV_MAX,
  LOAN_NONCE_BYTES,
  LOAN_RATE_PPM_PER_HOUR_MAX,
  LOAN_TERM_HOURS_MAX,
  loanCanonicalBytes,
  type LoanInput,
  loanInterestTrm,
  type LoanSignatureFailure,
  loanTotalDueTrm,
  minCollateralTrm,
  parseLoan,
  PPM,
  type SignedLoan,
  signLoan,
} from "./loan.js";
export {
  LEND_OFFER_DOMAIN,
  type LendOffer,
  lendOfferId,
  lendOfferSigningBytes,
  LOAN_DEFAULT_DOMAIN,
  LOAN_REPAYMENT_DOMAIN,
  loanDefaultCanonicalBytes,
  type LoanDefault,
  type LoanRepayment,
  loanRepaymentId,
  loanRepaymentSigningBytes,
  signLendOffer,
  signLoanRepayment,
  verifyLendOffer,
  verifyLoanRepayment,
} from "./loan-events.js";
export {
  LOAN_PROTOCOL_ID,
  LOAN_REJECT_REASONS,
  LOAN_ROLES,
  type LoanAccept,
  type LoanProposal,
  type LoanReject,
  type LoanRejectReason,
  type LoanRole,
} from "./loan-wire.js";

/** Gossip. */
export {
  gossipItemId,
  type LoanGossip,
  type OfferCapacity,
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

/** Agent profiles (the agora's registry). */
export {
  AGENT_CAPABILITIES_MAX,
  AGENT_CAPABILITY_LENGTH_MAX,
  AGENT_DESCRIPTION_BYTES_MAX,
  AGENT_ENDPOINT_LENGTH_MAX,
  AGENT_ENDPOINTS_MAX,
  AGENT_ID_LENGTH_MAX,
  AGENT_MODELS_MAX,
  AGENT_PROFILE_DOMAIN,
  AGENT_TIERS,
  type AgentProfile,
  type AgentProfileBody,
  agentProfileId,
  agentProfileSigningBytes,
  type AgentTier,
  signAgentProfile,
  verifyAgentProfile,
} from "./agent-profile.js";

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

/** Insurance on loans: the policy and its derived payout and expiry records (docs/bank.md). */
export {
  assembleSignedPolicy,
  checkSignedPolicy,
  computePolicyId,
  createInsurancePolicy,
  INSURANCE_DOMAIN,
  INSURANCE_EXPIRY_DOMAIN,
  INSURANCE_NONCE_BYTES,
  INSURANCE_PAYOUT_DOMAIN,
  insuranceCanonicalBytes,
  insuranceExpiryCanonicalBytes,
  insurancePayoutCanonicalBytes,
  type InsurancePolicy,
  parseInsurancePolicy,
  type PolicySignatureFailure,
  type SignedInsurancePolicy,
  signInsurancePolicy,
} from "./insurance.js";
export {
  INSURANCE_PROTOCOL_ID,
  INSURANCE_REJECT_REASONS,
  INSURANCE_ROLES,
  type InsuranceAccept,
  type InsuranceGossip,
  type InsuranceProposal,
  type InsuranceReject,
  type InsuranceRejectReason,
  type InsuranceRole,
} from "./insurance-wire.js";

/** Compute futures: the contract and its derived settlement (docs/bank.md). */
export {
  assembleSignedFuture,
  checkSignedFuture,
  computeFutureId,
  createFuture,
  type Future,
  FUTURE_DOMAIN,
  FUTURE_NONCE_BYTES,
  FUTURE_SETTLEMENT_DOMAIN,
  futureCanonicalBytes,
  futurePnlTrm,
  type FutureSettlement,
  futureSettlementCanonicalBytes,
  type FutureSignatureFailure,
  MICRO_PER_TRM,
  parseFuture,
  type SignedFuture,
  signFuture,
} from "./future.js";
export {
  FUTURE_PROTOCOL_ID,
  FUTURE_REJECT_REASONS,
  FUTURE_ROLES,
  type FutureAccept,
  type FutureGossip,
  type FutureProposal,
  type FutureReject,
  type FutureRejectReason,
  type FutureRole,
} from "./future-wire.js";
