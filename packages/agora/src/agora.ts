/**
 * `createAgora`: the marketplace of one node (docs/agora.md), composed on its mesh host, node key and
 * ledger. It keeps the registry of signed agent profiles fed by gossip (`profile-gossip.ts`), publishes
 * this node's own profiles (`profile-publisher.ts`), and answers from what the mesh proves:
 *
 * - `reputation(account)`: the aggregate over the account's real trades (`reputation-aggregate.ts`),
 *   capped by the ledger's merged reputation minus the collusion trust penalty (the reference's
 *   `effective_reputation`, docs/upstream.md §4.6);
 * - `collusion(account)`: the detector over the window's trades (`collusion.ts`); `trustPenalty` is what
 *   routing subtracts from a provider's reputation;
 * - `find(query)`: profiles and the market's offers ranked by the composite score (`matching.ts`);
 * - catch-up: a peer that connects is asked for the profiles it holds (`profile-sync.ts`).
 *
 * Trades are read from the ledger and the analyses reused while the ledger's trade count is unchanged
 * and for at most `COLLUSION_CACHE_MS`, because routing asks for every candidate of every purchase.
 * @module
 */
import { type AccountId, type Clock, type Signer, systemClock } from "@tirami/core";
import type { Ledger, Reputation } from "@tirami/ledger";
import type { MeshHost } from "@tirami/net";
import type { AgentProfile, ProviderOffer } from "@tirami/proto";
import { analyzeCollusion, type CollusionReport } from "./collusion.js";
import {
  COLLUSION_CACHE_MAX,
  COLLUSION_CACHE_MS,
  COLLUSION_TRADES_MAX,
  COLLUSION_WINDOW_MS,
  MATCHES_MAX,
  PROFILE_REFRESH_MS_DEFAULT,
  PROFILE_TTL_MS_DEFAULT,
  PROFILES_PER_NODE_MAX,
  REGISTRY_PROFILES_MAX,
  REPUTATION_TRADES_MAX,
} from "./constants.js";
import { type CapabilityMatch, type MatchCandidate, matchCapabilities, type MatchQuery } from "./matching.js";
import { createProfileGossip, type ProfileGossipCounters } from "./profile-gossip.js";
import { createProfilePublisher, type ProfileSpec } from "./profile-publisher.js";
import { createProfileSync } from "./profile-sync.js";
import { ProfileRegistry } from "./registry.js";
import { type AggregateReputation, aggregateReputation } from "./reputation-aggregate.js";
import { tierOfModel } from "./tier.js";
import { readTrades, type TradeLedger } from "./trades.js";

/** The ledger calls the agora makes. */
export type AgoraLedger = TradeLedger &
  Pick<Ledger, "tradeCount"> & {
    reputation: Pick<Reputation, "mergedReputation">;
  };

export interface AgoraTimings {
  /** Profiles not refreshed for this long expire. Default `PROFILE_TTL_MS_DEFAULT` (10 min). */
  profileTtlMs?: number | undefined;
  /** Own profiles are re-signed and re-published this often. Default `PROFILE_REFRESH_MS_DEFAULT` (3 min). */
  profileRefreshMs?: number | undefined;
  /** A connected peer gets this node's profiles after this delay (its topic subscription). Default 1.5 s. */
  connectRefreshDelayMs?: number | undefined;
}

export interface AgoraOptions {
  host: Pick<
    MeshHost,
    "account" | "subscribe" | "publish" | "on" | "handle" | "unhandle" | "request" | "connectedAccounts"
  >;
  /** The node key (the host's). */
  signer: Signer;
  ledger: AgoraLedger;
  /** Live offers of other nodes that serve models (`market.providers()`). */
  offers?: (() => readonly ProviderOffer[]) | undefined;
  clock?: Clock | undefined;
  /** The node's description of itself, published as agent `node` (re-read at each refresh). */
  self?: (() => Omit<ProfileSpec, "agent_id"> | undefined) | undefined;
  /** The node's Nostr public key (x-only hex), written into its profiles. */
  nostrPubkey?: string | undefined;
  timings?: AgoraTimings | undefined;
  log?: ((message: string, fields?: Record<string, unknown>) => void) | undefined;
  /** Told what is registered after each `register` and `withdraw` (to keep it across restarts). */
  onRegistered?: ((specs: ProfileSpec[]) => void) | undefined;
}

/** The reputation of an account as the agora shows it. */
export interface AgoraReputation extends AggregateReputation {
  account: AccountId;
  /** The aggregate before the cap. */
  aggregate_overall: number;
  /** The ledger's merged (local + observed) reputation. */
  ledger_reputation: number;
  trust_penalty: number;
  /** `clamp(ledger_reputation − trust_penalty, 0, 1)`; `overall` is at most this. */
  effective_reputation: number;
}

/** An entry of `agents()`: a signed profile, or a provider known only from its offer. */
export type AgoraAgent =
  | ({ source: "profile" } & AgentProfile)
  | {
      source: "offer";
      node: AccountId;
      agent_id: string;
      models: Array<{ model_id: string; price_trm_per_token: number; tier: string }>;
      timestamp_ms: number;
    };

/** Counts for `GET /v1/tirami/agora/stats`. */
export interface AgoraStats {
  agent_count: number;
  provider_count: number;
  node_count: number;
  own_profiles: number;
  trade_count: number;
  gossip: ProfileGossipCounters;
}

/** The agora of one node. */
export interface Agora {
  readonly account: AccountId;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Registers (or updates) one of this node's agents: signed with the node key and published. */
  register(spec: ProfileSpec): Promise<AgentProfile>;
  withdraw(agentId: string): void;
  /** This node's current signed profiles. */
  ownProfiles(): AgentProfile[];
  /** Re-signs and re-publishes this node's profiles now. */
  refresh(): Promise<number>;
  /** Every live signed profile (this node's included). */
  profiles(): AgentProfile[];
  agents(): AgoraAgent[];
  reputation(account: AccountId): AgoraReputation;
  collusion(account: AccountId): CollusionReport;
  /** The collusion penalty of `account` in [0, 0.5] (0 on any failure). */
  trustPenalty(account: AccountId): number;
  find(query: MatchQuery, limit?: number): CapabilityMatch[];
  stats(): AgoraStats;
  snapshot(): { generated_at_ms: number; profiles: AgentProfile[]; offers: ProviderOffer[] };
  readonly counters: ProfileGossipCounters;
}

/** Builds an agora (not started). */
export function createAgora(options: AgoraOptions): Agora {
  const { host, signer, ledger } = options;
  if (host.account !== signer.accountId) throw new RangeError("the mesh host's key is not the signer's");
  const clock = options.clock ?? systemClock;
  const nowMs = () => clock.nowMs();
  const timings = options.timings ?? {};
  const ttlMs = timings.profileTtlMs ?? PROFILE_TTL_MS_DEFAULT;
  const refreshMs = timings.profileRefreshMs ?? PROFILE_REFRESH_MS_DEFAULT;
  const connectDelayMs = timings.connectRefreshDelayMs ?? 1_500;
  const log = options.log ?? (() => undefined);
  const registry = new ProfileRegistry({
    capacity: REGISTRY_PROFILES_MAX,
    perNodeMax: PROFILES_PER_NODE_MAX,
    ttlMs,
    nowMs,
  });
  const gossip = createProfileGossip({ host, registry, ttlMs, nowMs });
  const publisher = createProfilePublisher({
    signer,
    registry,
    nowMs,
    nostrPubkey: options.nostrPubkey,
    self: options.self,
    publish: (profile) => gossip.publish(profile),
  });
  const sync = createProfileSync({ host, registry, gossip });
  const offers = options.offers ?? (() => []);
  const analyses = createAnalysisCache(ledger, nowMs, signer.accountId);

  let refreshTimer: NodeJS.Timeout | undefined;
  let connectTimer: NodeJS.Timeout | undefined;
  let unsubscribeConnected: (() => void) | undefined;
  const refresh = () =>
    publisher.refresh().catch((error: unknown) => {
      log("agora profile refresh failed", { err: (error as Error).message });
      return 0;
    });

  function trustPenalty(account: AccountId): number {
    try {
      return analyses.collusion(account).trust_penalty;
    } catch {
      return 0;
    }
  }

  function reputation(account: AccountId): AgoraReputation {
    const aggregate = analyses.aggregate(account);
    const penalty = analyses.collusion(account).trust_penalty;
    const merged = ledger.reputation.mergedReputation(account);
    const effective = Math.min(1, Math.max(0, merged - penalty));
    return {
      ...aggregate,
      account,
      overall: Math.min(aggregate.overall, effective),
      aggregate_overall: aggregate.overall,
      ledger_reputation: merged,
      trust_penalty: penalty,
      effective_reputation: effective,
    };
  }

  function candidates(): MatchCandidate[] {
    const profiles = registry.list();
    const profiled = new Set(profiles.map((profile) => profile.node));
    const out: MatchCandidate[] = profiles.map((profile) => ({
      node: profile.node,
      agent_id: profile.agent_id,
      source: "profile",
      models: profile.models.map((model_id) => ({
        model_id,
        price_trm_per_token: profile.price_trm_per_token,
        tier: profile.tier,
      })),
      capabilities: profile.capabilities,
      endpoints: profile.endpoints,
    }));
    for (const offer of offers())
      if (!profiled.has(offer.account) && offer.models.length > 0)
        out.push({
          node: offer.account,
          agent_id: "offer",
          source: "offer",
          models: offer.models.map((model) => ({
            model_id: model.model_id,
            price_trm_per_token: model.price_trm_per_token,
            tier: tierOfModel(model.model_id),
          })),
          capabilities: [],
          endpoints: offer.multiaddrs ?? [],
        });
    return out;
  }

  return {
    account: signer.accountId,
    counters: gossip.counters,
    async start() {
      if (refreshTimer !== undefined) return;
      gossip.start();
      await sync.start();
      refreshTimer = setInterval(() => void refresh(), refreshMs);
      refreshTimer.unref();
      unsubscribeConnected = host.on("peer:connected", ({ account }) => {
        void sync.catchUp(account);
        if (connectTimer !== undefined) return;
        connectTimer = setTimeout(() => {
          connectTimer = undefined;
          void refresh();
        }, connectDelayMs);
        connectTimer.unref();
      });
      // Peers met before the agora started (the market joins first) are caught up with now.
      for (const account of host.connectedAccounts()) void sync.catchUp(account);
      await refresh();
    },
    async stop() {
      await sync.stop();
      clearInterval(refreshTimer);
      clearTimeout(connectTimer);
      refreshTimer = undefined;
      connectTimer = undefined;
      unsubscribeConnected?.();
      unsubscribeConnected = undefined;
      gossip.stop();
    },
    async register(spec) {
      const profile = await publisher.register(spec);
      options.onRegistered?.(publisher.specs());
      return profile;
    },
    withdraw(agentId) {
      publisher.withdraw(agentId);
      options.onRegistered?.(publisher.specs());
    },
    ownProfiles: () => publisher.own(),
    refresh,
    profiles: () => registry.list(),
    agents() {
      const profiles = registry.list();
      const profiled = new Set(profiles.map((profile) => profile.node));
      const fromOffers: AgoraAgent[] = offers()
        .filter((offer) => !profiled.has(offer.account) && offer.models.length > 0)
        .map((offer) => ({
          source: "offer",
          node: offer.account,
          agent_id: "offer",
          models: offer.models.map((model) => ({
            model_id: model.model_id,
            price_trm_per_token: model.price_trm_per_token,
            tier: tierOfModel(model.model_id),
          })),
          timestamp_ms: offer.timestamp_ms,
        }));
      return [...profiles.map((profile): AgoraAgent => ({ source: "profile", ...profile })), ...fromOffers];
    },
    reputation,
    collusion: (account) => analyses.collusion(account),
    trustPenalty,
    find(query, limit = MATCHES_MAX) {
      const cache = new Map<AccountId, number>();
      const reputationOf = (node: AccountId): number => {
        let value = cache.get(node);
        if (value === undefined) {
          value = reputation(node).overall;
          cache.set(node, value);
        }
        return value;
      };
      return matchCapabilities(candidates(), query, reputationOf).slice(0, Math.min(limit, MATCHES_MAX));
    },
    stats() {
      const profiles = registry.list();
      const nodes = new Set(profiles.map((profile) => profile.node));
      const providers = offers().filter((offer) => offer.models.length > 0);
      for (const offer of providers) nodes.add(offer.account);
      return {
        agent_count: profiles.length,
        provider_count: providers.length,
        node_count: nodes.size,
        own_profiles: publisher.own().length,
        trade_count: ledger.tradeCount(),
        gossip: { ...gossip.counters },
      };
    },
    snapshot: () => ({ generated_at_ms: nowMs(), profiles: registry.list(), offers: [...offers()] }),
  };
}

/**
 * Aggregates and collusion analyses, reused while the ledger's trade count is unchanged and for at most
 * `COLLUSION_CACHE_MS`; bounded to `COLLUSION_CACHE_MAX` accounts each. Another account's analysis leaves
 * out the trades this node took part in.
 */
function createAnalysisCache(ledger: AgoraLedger, nowMs: () => number, self: AccountId) {
  let key = "";
  let window: ReturnType<typeof readTrades> | undefined;
  let windowStartMs = 0;
  let windowNowMs = 0;
  const aggregates = new Map<AccountId, AggregateReputation>();
  const reports = new Map<AccountId, CollusionReport>();

  function fresh(): void {
    const now = nowMs();
    const next = `${ledger.tradeCount()}:${Math.floor(now / COLLUSION_CACHE_MS)}`;
    if (next === key) return;
    key = next;
    window = undefined;
    aggregates.clear();
    reports.clear();
  }
  function remember<T>(map: Map<AccountId, T>, account: AccountId, value: T): T {
    map.set(account, value);
    if (map.size > COLLUSION_CACHE_MAX) map.delete(map.keys().next().value as AccountId);
    return value;
  }

  return {
    aggregate(account: AccountId): AggregateReputation {
      fresh();
      const cached = aggregates.get(account);
      if (cached !== undefined) return cached;
      const trades = readTrades(ledger, { account, max: REPUTATION_TRADES_MAX });
      return remember(aggregates, account, aggregateReputation(account, trades, nowMs()));
    },
    collusion(account: AccountId): CollusionReport {
      fresh();
      const cached = reports.get(account);
      if (cached !== undefined) return cached;
      if (window === undefined) {
        windowNowMs = nowMs();
        windowStartMs = windowNowMs - COLLUSION_WINDOW_MS;
        window = readTrades(ledger, { sinceMs: windowStartMs, max: COLLUSION_TRADES_MAX });
      }
      // This node's own trades are no evidence against its counterparties: it knows they were real (a
      // loyal consumer would otherwise see its only provider as a "tight cluster" of its own making).
      const evidence =
        account === self
          ? window
          : window.filter((trade) => trade.provider !== self && trade.consumer !== self);
      const report = analyzeCollusion(account, evidence, { windowStartMs, nowMs: windowNowMs });
      return remember(reports, account, report);
    },
  };
}
