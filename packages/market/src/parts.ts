/**
 * `@tirami/market/parts`: the market's protocol pieces for a program that drives them on a transport and
 * clock of its own (the deterministic simulator in tools/sim): trade and offer gossip on any `MeshHost`,
 * catch-up sync rounds, the intake rule for a received trade, the consumer's check of a trade proposal and
 * the offer book. The same functions `createMarket` composes; nothing here is a copy. Not part of the main
 * entry.
 * @module
 */
export { type GossipCounters, type GossipDeps, type GossipHandle, startGossip } from "./gossip.js";
export { createSyncService, type SyncDeps, type SyncRoundReport, type SyncService } from "./sync.js";
export { type IntakeLedger, type IntakeOutcome, type IntakeResult, intakeTrade } from "./trade-intake.js";
export { checkProposal, type ProposalExpectation, type ProposalRejection } from "./check-proposal.js";
export { OfferBook } from "./offer-book.js";
export { type OfferSyncNeeds, offerSyncNeeds } from "./offer-sync.js";
