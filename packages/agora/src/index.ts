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

/** Nostr: the node's key, NIP-89/NIP-90 events, relays. */
export { loadOrCreateNostrKey, NOSTR_KEY_FILE, type NostrKey } from "./nostr/key.js";
export {
  handlerAdvertisement,
  type JobRequest,
  jobRequestEvent,
  jobResultEvent,
  NOSTR_JOB_PROMPT_LENGTH_MAX,
  NOSTR_KIND_HANDLER,
  NOSTR_KIND_JOB_REQUEST,
  NOSTR_KIND_JOB_RESULT,
  parseJobRequest,
} from "./nostr/events.js";
export {
  NOSTR_RELAY_TIMEOUT_MS_DEFAULT,
  NOSTR_RELAYS_MAX,
  publishToRelays,
  type RelayResult,
} from "./nostr/relays.js";

/** Errors, limits and defaults. */
export { AgoraError, AgoraErrorCode, isAgoraError } from "./errors.js";
export * from "./constants.js";
