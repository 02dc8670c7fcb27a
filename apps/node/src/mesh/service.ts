/**
 * The mesh service of a node: composes the offer book, gossip (trades, offers), the provider and consumer
 * sides of `/tirami/infer/1.0.0`, catch-up sync and routing on one started `MeshHost`, and exposes a
 * small API to the HTTP layer (`routes/mesh.ts`) and to `createNode`:
 *
 * - `start()` / `stop()`: subscribe, serve the protocols, publish this node's offer now, every
 *   `offerIntervalMs` and on change (model, price, free capacity, Merkle root), feed pricing its live
 *   inputs, sync with each peer that connects;
 * - `chat(request)`: route to the best provider for the model and buy the completion (see consumer.ts);
 * - `route(model, preference)`, `providers()`, `peers()`, `network()`: the views behind the API.
 *
 * Every node publishes an offer, providers with their models and nodes without a model with none: the
 * offer carries the Merkle root and trade count, which is how nodes notice they are missing trades.
 * @module
 */
import type { AccountId, Clock, Signer } from "@tirami/core";
import type { Ledger } from "@tirami/ledger";
import { type MeshHost, peerIdFromAccountId } from "@tirami/net";
import {
  FREE_CAPACITY_MAX,
  INFER_PROTOCOL_ID,
  OFFER_MULTIADDRS_MAX,
  MULTIADDR_LENGTH_MAX,
  PROTOCOL_VERSION,
  type ProviderOffer,
  type SignedTrade,
  signProviderOffer,
} from "@tirami/proto";
import type { EnginePort } from "../deps.js";
import type { SpendPath } from "../spend/spend.js";
import {
  OFFER_BOOK_MAX,
  OFFER_CHANGE_DEBOUNCE_MS,
  OFFER_ROOT_DEBOUNCE_MS,
  OFFER_INTERVAL_MS_DEFAULT,
  OFFER_TTL_MS_DEFAULT,
  REPUTATION_ENTRIES_MAX,
  ROUTE_ATTEMPTS_MAX,
  ROUTE_CANDIDATES_MAX,
} from "./constants.js";
import {
  createConsumer,
  type PurchaseResult,
  type RemoteChatMessage,
  type RemoteSampling,
} from "./consumer.js";
import { MeshError, MeshErrorCode } from "./errors.js";
import { startGossip, type GossipCounters, type GossipHandle } from "./gossip.js";
import { OfferBook } from "./offer-book.js";
import { createProvider } from "./provider.js";
import type { UnsettledBook, UnsettledEntry } from "./unsettled-book.js";
import { rankProviders, type RouteCandidate, type RoutePreference } from "./ranking.js";
import { LocalReputation, type ReputationPort } from "./reputation.js";
import {
  createReputationGossip,
  notingPort,
  type ReputationGossip,
  type ReputationGossipCounters,
} from "./reputation-gossip.js";
import { createSyncService, type SyncRoundReport } from "./sync.js";
import { intakeTrade, type IntakeResult } from "./trade-intake.js";

/** The ledger calls the mesh makes. */
export type MeshLedger = Pick<
  Ledger,
  | "applySignedTrade"
  | "admitConsumer"
  | "reserve"
  | "release"
  | "getTrade"
  | "getHold"
  | "tradeCount"
  | "merkleRoot"
  | "listTrades"
  | "tradesAfter"
>;

/** The live-input side of the ledger's pricing engine (`pricing.observe`). */
export interface PricingObserver {
  observe(input: {
    providersSeen: number;
    requestsInFlight: number;
    peersKnown?: number;
    nowMs?: number;
  }): unknown;
}

export interface MeshServiceOptions {
  /** Offer re-publication period. Default `OFFER_INTERVAL_MS_DEFAULT` (30 s). */
  offerIntervalMs?: number;
  /** Offers older than this leave the book. Default `OFFER_TTL_MS_DEFAULT` (95 s). */
  offerTtlMs?: number;
  offerBookMax?: number;
  /** Reputation observation publication period. Default `REPUTATION_PUBLISH_INTERVAL_MS_DEFAULT` (60 s). */
  reputationIntervalMs?: number;
}

export interface MeshServiceDeps {
  /** A created mesh host; the service starts and stops it. */
  host: MeshHost;
  ledger: MeshLedger;
  /** The provider's consumers that owe a signature (`createUnsettledBook` over node.db). */
  unsettled: UnsettledBook;
  signer: Signer;
  clock: Clock;
  /** The local model, if any: served to the mesh at `priceTrmPerToken()`. */
  engine(): EnginePort | undefined;
  /** The node's spend path; without it this node relays and serves but does not buy (`chat` → MESH_DISABLED). */
  spend?: SpendPath | undefined;
  /** What this node charges per completion token now. */
  priceTrmPerToken(): number;
  pricing?: PricingObserver | undefined;
  /**
   * The ledger's reputation service, if any: routing uses its merged score, outcomes are recorded there,
   * and with it the node gossips reputation observations (publishes its local scores, stores others').
   */
  reputation?: ReputationPort | undefined;
  /** The node's HTTP generations in flight, remote purchases included (demand input of pricing). */
  localInFlight?: (() => number) | undefined;
  log?:
    | ((level: "info" | "warn" | "debug", message: string, fields?: Record<string, unknown>) => void)
    | undefined;
  options?: MeshServiceOptions | undefined;
}

/** A remote chat request, as the HTTP layer hands it over. */
export interface MeshChatRequest {
  spender: string;
  modelId: string;
  input: { messages: RemoteChatMessage[] } | { prompt: string };
  sampling: RemoteSampling;
  preference: RoutePreference;
  /** Pin the provider (must be in the book and serve the model). */
  provider?: AccountId | undefined;
  requestId: string;
  approvalId?: string | undefined;
  signal?: AbortSignal | undefined;
  onText?: ((text: string) => void) | undefined;
}

/** One peer in `GET /v1/tirami/peers`. */
export interface MeshPeerView {
  account: AccountId;
  peer_id: string;
  connected: boolean;
  latency_ms: number | null;
  last_seen_ms: number;
  multiaddrs: string[];
  models: string[];
  merkle_root: string | null;
  trade_count: number | null;
  root_agrees: boolean | null;
  reputation: number;
  banned: boolean;
}

/** The running mesh of a node. */
export interface MeshService {
  readonly account: AccountId;
  readonly host: MeshHost;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True when some live offer (not this node's) serves `modelId`. */
  servesRemotely(modelId: string): boolean;
  /** Model ids offered in the mesh by other nodes. */
  remoteModels(): Array<{ model_id: string; providers: number; min_price_trm_per_token: number }>;
  route(modelId: string, preference: RoutePreference): RouteCandidate[];
  chat(request: MeshChatRequest): Promise<PurchaseResult>;
  /** Offers of nodes serving at least one model. */
  providers(): ProviderOffer[];
  peers(): MeshPeerView[];
  network(): Record<string, unknown>;
  /** This node's current signed offer. */
  currentOffer(): ProviderOffer;
  /** Publishes this node's offer now. */
  publishOffer(): Promise<number>;
  syncWith(peer: AccountId): Promise<SyncRoundReport>;
  /** Applies a dual-signed trade made elsewhere (e.g. by an operator tool) and gossips it when applied. */
  announceTrade(signed: SignedTrade): Promise<IntakeResult>;
  /** Listens to every trade this node's ledger took from the mesh or made itself. */
  onTrade(
    listener: (signed: SignedTrade, source: "gossip" | "sync" | "provider" | "consumer") => void,
  ): () => void;
  unsettled(): UnsettledEntry[];
  forgive(consumer: AccountId): boolean;
  gossipCounters(): GossipCounters & Partial<ReputationGossipCounters>;
  /** Publishes this node's due reputation observations now (0 without a reputation service). */
  publishReputation(): Promise<number>;
}

/** Offer multiaddrs tried when dialing a provider that is not a neighbour. */
const DIAL_ADDRS_MAX = 4;

const peerIdOf = (account: AccountId): string => peerIdFromAccountId(account).toString();

function interval(value: number | undefined, fallback: number, name: string): number {
  const out = value ?? fallback;
  if (!Number.isSafeInteger(out) || out < 1) throw new RangeError(`"${name}" expected a positive integer`);
  return out;
}

/** Builds the mesh service (not started). */
export function createMeshService(deps: MeshServiceDeps): MeshService {
  const { host, ledger, clock } = deps;
  if (host.account !== deps.signer.accountId) throw new RangeError("the mesh host's key is not the node key");
  const offerIntervalMs = interval(
    deps.options?.offerIntervalMs,
    OFFER_INTERVAL_MS_DEFAULT,
    "offerIntervalMs",
  );
  const offerTtlMs = interval(deps.options?.offerTtlMs, OFFER_TTL_MS_DEFAULT, "offerTtlMs");
  const nowMs = () => clock.nowMs();
  const book = new OfferBook({
    capacity: deps.options?.offerBookMax ?? OFFER_BOOK_MAX,
    ttlMs: offerTtlMs,
    nowMs,
  });
  const log = deps.log ?? (() => undefined);
  const reputationGossip: ReputationGossip | undefined =
    deps.reputation === undefined
      ? undefined
      : createReputationGossip({
          host,
          signer: deps.signer,
          store: deps.reputation,
          counterparties: (limit) =>
            ledger
              .listTrades({ account: host.account, limit })
              .map(({ trade }) => (trade.provider === host.account ? trade.consumer : trade.provider)),
          nowMs,
          intervalMs: deps.options?.reputationIntervalMs,
          log: (message, fields) => log("debug", message, fields),
        });
  const reputation = new LocalReputation(
    REPUTATION_ENTRIES_MAX,
    nowMs,
    deps.reputation === undefined || reputationGossip === undefined
      ? undefined
      : notingPort(deps.reputation, (account) => reputationGossip.note(account)),
  );
  const listeners = new Set<
    (signed: SignedTrade, source: "gossip" | "sync" | "provider" | "consumer") => void
  >();
  const emitTrade = (signed: SignedTrade, source: "gossip" | "sync" | "provider" | "consumer") => {
    for (const listener of listeners) {
      try {
        listener(signed, source);
      } catch {
        // a listener's failure is its own
      }
    }
    offerChanged(OFFER_ROOT_DEBOUNCE_MS);
  };

  let servingInFlight = 0;
  let buyingInFlight = 0;
  let lastOffer: ProviderOffer | undefined;
  let lastOfferedPrice: number | undefined;
  let offerTimer: NodeJS.Timeout | undefined;
  let changeTimer: NodeJS.Timeout | undefined;
  let changeDueMs = 0;
  let running = false;
  let gossip: GossipHandle | undefined;
  const unsubscribers: Array<() => void> = [];

  const publishTrade = async (signed: SignedTrade): Promise<unknown> => gossip?.publishTrade(signed);

  const sync = createSyncService({
    host,
    ledger,
    nowMs,
    onApplied: (signed) => emitTrade(signed, "sync"),
    onRound: (report) => {
      if (report.error !== null) log("debug", "sync round failed", { ...report });
    },
  });

  const provider = createProvider({
    ledger,
    unsettled: deps.unsettled,
    signer: deps.signer,
    clock,
    engine: deps.engine,
    acceptablePrice(modelId) {
      const engine = deps.engine();
      if (engine === undefined || engine.manifest.id !== modelId) return undefined;
      const current = deps.priceTrmPerToken();
      return lastOfferedPrice === undefined ? current : Math.min(current, lastOfferedPrice);
    },
    reputation,
    publishTrade,
    inFlight: {
      begin: () => {
        servingInFlight += 1;
        offerChanged();
      },
      end: () => {
        servingInFlight -= 1;
        offerChanged();
      },
    },
    onTradeApplied: (signed) => emitTrade(signed, "provider"),
    log: (event, fields) => log("info", event, fields),
  });

  const consumer =
    deps.spend === undefined
      ? undefined
      : createConsumer({
          host,
          spend: deps.spend,
          signer: deps.signer,
          clock,
          reputation,
          publishTrade,
          inFlight: {
            begin: () => {
              buyingInFlight += 1;
            },
            end: () => {
              buyingInFlight -= 1;
            },
          },
          onTradeApplied: (signed) => emitTrade(signed, "consumer"),
        });

  function buildOffer(): ProviderOffer {
    const engine = deps.engine();
    const price = deps.priceTrmPerToken();
    const models =
      engine === undefined
        ? []
        : [
            {
              model_id: engine.manifest.id,
              price_trm_per_token: price,
              ...(engine.manifest.context_length_tokens > 0
                ? { context_length: engine.manifest.context_length_tokens }
                : {}),
            },
          ];
    const stats = engine?.stats();
    const multiaddrs = host
      .multiaddrs()
      .filter((addr) => addr.length <= MULTIADDR_LENGTH_MAX)
      .slice(0, OFFER_MULTIADDRS_MAX);
    const timestampMs = Math.max(nowMs(), (lastOffer?.timestamp_ms ?? 0) + 1);
    return signProviderOffer(
      {
        account: host.account,
        models,
        free_capacity: Math.min(FREE_CAPACITY_MAX, Math.max(0, stats?.free ?? 0)),
        protocol_version: PROTOCOL_VERSION,
        merkle_root: ledger.merkleRoot(),
        trade_count: ledger.tradeCount(),
        ...(multiaddrs.length > 0 ? { multiaddrs } : {}),
        timestamp_ms: timestampMs,
      },
      deps.signer,
    );
  }

  function observePricing(): void {
    if (deps.pricing === undefined) return;
    try {
      deps.pricing.observe({
        providersSeen: book.providers().length + (deps.engine() === undefined ? 0 : 1),
        // The node's tracker counts its HTTP generations and remote purchases; without it, count ours.
        requestsInFlight: servingInFlight + (deps.localInFlight?.() ?? buyingInFlight),
        peersKnown: host.connectedAccounts().length + 1,
        nowMs: nowMs(),
      });
    } catch (error) {
      log("warn", "pricing observe failed", { err: (error as Error).message });
    }
  }

  async function publishOffer(): Promise<number> {
    if (!running || gossip === undefined) return 0;
    const offer = buildOffer();
    lastOffer = offer;
    lastOfferedPrice = offer.models[0]?.price_trm_per_token ?? lastOfferedPrice;
    try {
      return await gossip.publishOffer(offer);
    } catch (error) {
      log("debug", "offer publish failed", { err: (error as Error).message });
      return 0;
    }
  }

  /** Re-publishes the offer within `debounceMs` (an earlier pending publication wins). */
  function offerChanged(debounceMs = OFFER_CHANGE_DEBOUNCE_MS): void {
    if (!running) return;
    const dueMs = nowMs() + debounceMs;
    if (changeTimer !== undefined && changeDueMs <= dueMs) return;
    clearTimeout(changeTimer);
    changeDueMs = dueMs;
    changeTimer = setTimeout(() => {
      changeTimer = undefined;
      void publishOffer();
    }, debounceMs);
    changeTimer.unref();
  }

  function onOffer(offer: ProviderOffer, from: AccountId): void {
    const localCount = ledger.tradeCount();
    const missing =
      offer.trade_count > localCount ||
      (offer.trade_count === localCount && offer.merkle_root !== ledger.merkleRoot());
    if (missing) {
      const connected = host.connectedAccounts();
      sync.request(connected.includes(offer.account) ? offer.account : from);
    }
    // A peer behind us learns our count from our next offer and syncs from us.
    if (offer.trade_count < localCount) offerChanged(OFFER_ROOT_DEBOUNCE_MS);
  }

  function remoteModels(): Array<{ model_id: string; providers: number; min_price_trm_per_token: number }> {
    const byModel = new Map<string, { providers: number; min: number }>();
    for (const offer of book.providers()) {
      if (offer.account === host.account) continue;
      for (const model of offer.models) {
        const entry = byModel.get(model.model_id) ?? { providers: 0, min: Number.POSITIVE_INFINITY };
        entry.providers += 1;
        entry.min = Math.min(entry.min, model.price_trm_per_token);
        byModel.set(model.model_id, entry);
      }
    }
    return [...byModel].map(([model_id, e]) => ({
      model_id,
      providers: e.providers,
      min_price_trm_per_token: e.min,
    }));
  }

  /**
   * Connects to a provider known only from its gossiped offer (not a neighbour) through the multiaddrs
   * the offer lists. Best effort: the purchase itself reports an unreachable provider.
   */
  async function reach(account: AccountId): Promise<void> {
    if (host.connectedAccounts().includes(account)) return;
    const addrs = book.get(account)?.multiaddrs ?? [];
    for (const addr of addrs.slice(0, DIAL_ADDRS_MAX)) {
      const full = addr.includes("/p2p/") ? addr : `${addr}/p2p/${peerIdOf(account)}`;
      try {
        if ((await host.dial(full)) === account) return;
      } catch {
        // try the next address
      }
    }
  }

  function route(modelId: string, preference: RoutePreference): RouteCandidate[] {
    const candidates = book.serving(modelId).filter((entry) => entry.offer.account !== host.account);
    return rankProviders(candidates, preference, {
      reputation: (account) => reputation.score(account),
      latencyMs: (account) => host.peer(account)?.latencyMs,
    }).slice(0, ROUTE_CANDIDATES_MAX);
  }

  return {
    account: host.account,
    host,
    async start() {
      if (running) return;
      if (!host.started) await host.start();
      running = true;
      gossip = startGossip({
        host,
        ledger,
        offers: book,
        offerTtlMs,
        nowMs,
        onTradeApplied: (signed) => emitTrade(signed, "gossip"),
        onTradeUnfunded: (_signed, from) => sync.request(from),
        onOffer,
      });
      reputationGossip?.start();
      await host.handle(INFER_PROTOCOL_ID, (stream, from, signal) => provider.handle(stream, from, signal));
      await sync.start();
      unsubscribers.push(
        host.on("peer:connected", ({ account }) => {
          sync.request(account);
          offerChanged();
        }),
      );
      for (const account of host.connectedAccounts()) sync.request(account);
      offerTimer = setInterval(() => {
        book.prune();
        observePricing();
        void publishOffer();
      }, offerIntervalMs);
      offerTimer.unref();
      observePricing();
      await publishOffer();
    },
    async stop() {
      if (!running) {
        await host.stop();
        return;
      }
      running = false;
      clearInterval(offerTimer);
      clearTimeout(changeTimer);
      changeTimer = undefined;
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      await sync.stop();
      await host.unhandle(INFER_PROTOCOL_ID).catch(() => undefined);
      gossip?.stop();
      gossip = undefined;
      reputationGossip?.stop();
      await host.stop();
    },
    servesRemotely: (modelId) => route(modelId, "balanced").length > 0,
    remoteModels,
    route,
    async chat(request) {
      if (!running || consumer === undefined)
        throw new MeshError(
          MeshErrorCode.MESH_DISABLED,
          "the mesh is not running on this node (or it cannot buy)",
        );
      let candidates = route(request.modelId, request.preference);
      if (request.provider !== undefined)
        candidates = candidates.filter((c) => c.provider === request.provider);
      if (candidates.length === 0) {
        throw new MeshError(
          MeshErrorCode.NO_PROVIDER,
          request.provider === undefined
            ? `no provider in the mesh serves model "${request.modelId}"`
            : `provider ${request.provider} does not offer model "${request.modelId}"`,
          { details: { model: request.modelId, param: "model" } },
        );
      }
      let lastError: unknown;
      for (const candidate of candidates.slice(0, ROUTE_ATTEMPTS_MAX)) {
        try {
          await reach(candidate.provider);
          return await consumer.purchase({
            spender: request.spender,
            provider: candidate.provider,
            modelId: request.modelId,
            priceTrmPerToken: candidate.price_trm_per_token,
            input: request.input,
            sampling: request.sampling,
            requestId: request.requestId,
            approvalId: request.approvalId,
            signal: request.signal,
            onText: request.onText,
          });
        } catch (error) {
          lastError = error;
          // Only a provider that could not even be reached is worth a second try; anything else is final.
          const unreached = error instanceof MeshError && error.details?.started === false;
          if (!unreached) throw error;
          reputation.failure(candidate.provider, 1);
        }
      }
      throw lastError;
    },
    providers: () => book.providers().filter((offer) => offer.account !== host.account),
    peers() {
      const root = ledger.merkleRoot();
      const count = ledger.tradeCount();
      return host.peers().map((record): MeshPeerView => {
        const offer = book.get(record.account);
        return {
          account: record.account,
          peer_id: record.peerId,
          connected: record.connected,
          latency_ms: record.latencyMs ?? null,
          last_seen_ms: record.lastSeenMs,
          multiaddrs: [...record.multiaddrs],
          models: offer?.models.map((m) => m.model_id) ?? [],
          merkle_root: offer?.merkle_root ?? null,
          trade_count: offer?.trade_count ?? null,
          root_agrees: offer === undefined ? null : offer.merkle_root === root && offer.trade_count === count,
          reputation: reputation.score(record.account),
          banned: host.standing(record.account).banned,
        };
      });
    },
    network() {
      const root = ledger.merkleRoot();
      const count = ledger.tradeCount();
      const offers = book.list().filter((offer) => offer.account !== host.account);
      const agreeing = offers.filter(
        (offer) => offer.merkle_root === root && offer.trade_count === count,
      ).length;
      return {
        account: host.account,
        peer_id: host.peerId,
        multiaddrs: host.multiaddrs(),
        peers_connected: host.connectedAccounts().length,
        peers_known: host.peers().length,
        offers: offers.length,
        providers: offers.filter((offer) => offer.models.length > 0).length,
        models: remoteModels(),
        merkle_root: root,
        trade_count: count,
        root_agreement: {
          agreeing,
          disagreeing: offers.length - agreeing,
          all_agree: agreeing === offers.length,
        },
        requests_in_flight: { serving: servingInFlight, buying: buyingInFlight },
        sync_rounds: sync.rounds(),
        gossip: { ...(gossip?.counters ?? {}), ...reputationGossip?.counters, ...host.gossipStats() },
        unsettled_consumers: provider.unsettled().length,
        served: provider.stats(),
      };
    },
    currentOffer: () => lastOffer ?? buildOffer(),
    publishOffer,
    syncWith: (peer) => sync.syncWith(peer),
    async announceTrade(signed) {
      const result = intakeTrade(ledger, signed, { allowStale: false });
      if (result.outcome === "applied") {
        emitTrade(signed, "provider");
        await publishTrade(signed);
      }
      return result;
    },
    onTrade(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    unsettled: () => provider.unsettled(),
    forgive: (account) => provider.forgive(account),
    gossipCounters: () => ({ ...(gossip?.counters as GossipCounters), ...reputationGossip?.counters }),
    publishReputation: async () =>
      running && reputationGossip !== undefined ? reputationGossip.publishRound() : 0,
  };
}
