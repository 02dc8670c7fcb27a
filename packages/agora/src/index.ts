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
export { AGORA_SYNC_PROTOCOL_ID, PROFILE_SYNC_MAX, PROFILE_SYNC_TIMEOUT_MS } from "./profile-sync.js";

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
  JOB_MAX_TOKENS_MAX,
  JOB_PER_CUSTOMER_PER_HOUR_MAX,
  JOB_PER_HOUR_MAX,
  JOB_QUEUE_MAX,
  type JobServer,
  type JobServerCounters,
  type JobServerDeps,
  startJobServer,
} from "./nostr/job-server.js";
export {
  NOSTR_RELAY_TIMEOUT_MS_DEFAULT,
  NOSTR_RELAYS_MAX,
  publishToRelays,
  type RelayResult,
} from "./nostr/relays.js";

/** A2A: the agent card, the payment extension, paid tasks on both sides. */
export { A2A_ENDPOINT_PATH, agentCardJson, type AgentCardInput, buildAgentCard } from "./a2a/card.js";
export {
  A2A_MAX_TOKENS_MAX,
  A2A_PAYMENT_DOMAIN,
  A2A_PAYMENT_EXTENSION_URI,
  type PaymentAcceptance,
  type PaymentIntent,
  paymentIntentBytes,
  type PaymentProposal,
  readPaymentIntent,
  signPaymentIntent,
} from "./a2a/payment.js";
export {
  A2A_INTENT_SKEW_MS,
  A2A_PROMPT_LENGTH_MAX,
  A2A_TASK_TTL_MS,
  A2A_TASKS_MAX,
  type A2AProvider,
  type A2AProviderDeps,
  createA2AProvider,
} from "./a2a/provider.js";
export {
  A2A_REQUEST_TIMEOUT_MS_DEFAULT,
  A2A_RESPONSE_BYTES_MAX,
  type A2AConsumerDeps,
  type A2AProviderInfo,
  type A2ATaskRequest,
  type A2ATaskResult,
  fetchA2AProvider,
  runA2ATask,
} from "./a2a/consumer.js";

/** Errors, limits and defaults. */
export { AgoraError, AgoraErrorCode, isAgoraError } from "./errors.js";
export * from "./constants.js";
