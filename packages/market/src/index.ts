/**
 * @tirami/market (L1) — the mesh economy as a library: a node's offer and the offer book, ranking,
 * selling inference (the provider side of `/tirami/infer/1.0.0`) and buying it (the consumer side, through
 * the ledger's spend path), dual-signed trades taken in from gossip and sync, reputation gossip and the
 * provider's book of consumers that owe a signature. `createMarket` composes them on a `MeshHost` and a
 * ledger.
 * @packageDocumentation
 */

/** The market. */
export {
  createMarket,
  type Market,
  type MarketLedger,
  type MarketOptions,
  type MarketTimings,
  type PricingObserver,
  type TradeSource,
} from "./market.js";
export type { MarketEngine } from "./engine.js";
export type {
  PurchaseRequest,
  PurchaseResult,
  RemoteChatMessage,
  RemoteInput,
  RemoteSampling,
} from "./consumer.js";
export type { BuyRequest, EmbeddingBuyRequest } from "./router.js";
export type { EmbeddingPurchaseRequest, EmbeddingPurchaseResult } from "./embed-consumer.js";
export { EmbedSession, type EmbedSessionPhase, type EmbedSessionResult } from "./embed-session.js";
export type { DiedPurchase } from "./settle-owed.js";
export type { ProviderStats } from "./provider.js";
export type { GeneratedWork } from "./provider-stream.js";
export type { MarketDemand, MarketPeerView, RemoteModel } from "./views.js";

/** Ranking. */
export {
  isRoutePreference,
  rankProviders,
  ROUTE_PREFERENCES,
  type RankingContext,
  type RouteCandidate,
  type RoutePreference,
} from "./ranking.js";

/** The pure checks and parts, for tools and tests. */
export { checkProposal, type ProposalExpectation, type ProposalRejection } from "./check-proposal.js";
export { InferSession, type InferSessionPhase, type InferSessionResult } from "./infer-session.js";
export { intakeTrade, type IntakeOutcome, type IntakeResult } from "./trade-intake.js";
export { OfferBook, type OfferEntry } from "./offer-book.js";
export type { ReputationPort } from "./reputation.js";
export type { GossipCounters } from "./gossip.js";
export type { ReputationGossipCounters } from "./reputation-gossip.js";
export type { SyncRoundReport } from "./sync.js";

/** Storage. */
export {
  createUnsettledBook,
  UNSETTLED_TABLE_SQL,
  type UnsettledBook,
  type UnsettledEntry,
} from "./unsettled-book.js";

/** Errors, limits and defaults. */
export { type FailureFault, isMarketError, MarketError, MarketErrorCode } from "./errors.js";
export * from "./constants.js";

/** Lending over the mesh: lend offers, the pool, the loan handshake, loan gossip and the sweeper. */
export {
  type BorrowRequest,
  createLending,
  LEND_OFFER_TTL_MS,
  type Lending,
  type LendingCounters,
  type LendingLedger,
  type LendingPool,
  type LendTerms,
  type LendToRequest,
  LOAN_HANDSHAKE_TIMEOUT_MS,
  LOAN_PROPOSAL_SKEW_MS,
} from "./lending.js";
