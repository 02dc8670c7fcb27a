/**
 * @tirami/agora (L4) — the marketplace of agents and providers, built from what the mesh proves: a
 * registry of agent profiles signed by the node they name and gossiped with validation, reputation
 * aggregated over the ledger's real dual-signed trades, the collusion detector and its trust penalty,
 * capability matching, Nostr (NIP-89/NIP-90) events with real ids and signatures, and an A2A agent card
 * with paid tasks settled as ordinary dual-signed trades.
 * @packageDocumentation
 */

/** The agora of a node. */
export {
  type Agora,
  type AgoraAgent,
  type AgoraLedger,
  type AgoraOptions,
  type AgoraReputation,
  type AgoraStats,
  type AgoraTimings,
  createAgora,
} from "./agora.js";
export { type ProfileSpec, SELF_AGENT_ID } from "./profile-publisher.js";
export type { ProfileGossipCounters } from "./profile-gossip.js";

/** The pure parts: registry, reputation aggregation, collusion, matching. */
export { ProfileRegistry, type RegistryRefusal } from "./registry.js";
export {
  type AggregateReputation,
  aggregateReputation,
  coefficientOfVariation,
} from "./reputation-aggregate.js";
export { analyzeCollusion, type CollusionReport, RING_ACCOUNTS_SHARE_MAX } from "./collusion.js";
export {
  type CandidateModel,
  type CandidateSource,
  type CapabilityMatch,
  type MatchCandidate,
  matchCapabilities,
  type MatchQuery,
  priceScore,
} from "./matching.js";
export { globMatch } from "./glob.js";
export { tierOfModel } from "./tier.js";
export { readTrades, type ReadTradesRequest, type TradeLedger } from "./trades.js";

/** Errors, limits and defaults. */
export { AgoraError, AgoraErrorCode, isAgoraError } from "./errors.js";
export * from "./constants.js";
