/**
 * `createMarket`: the mesh economy of one node as a library (docs/architecture.md §7). It composes, on one
 * `MeshHost` and one ledger: the offer book and this node's offer (`offer-publisher.ts`), trade and offer
 * gossip (`gossip.ts`), catch-up sync (`sync.ts`), reputation gossip, the provider side of
 * `/tirami/infer/1.0.0` (when it has an engine) and the consumer side (when it has a spend path), routing
 * (`router.ts`) and read-only views (`views.ts`).
 *
 * - `start()` / `stop()`: subscribe, serve the protocols, publish the offer now and every
 *   `offerIntervalMs`, feed pricing its live inputs, sync with each peer that connects;
 * - `buy(request)`: route to the best provider for the model and buy the completion, streamed through
 *   `onText`, settled by a dual-signed trade through the ledger's spend path; `buyEmbeddings` likewise
 *   for embeddings (`/tirami/embed/1.0.0`), priced per input token;
 * - `route`, `providers`, `peers`, `network`, `remoteModels`, `demand`: what an API shows.
 * @module
 */
import { offerSyncNeeds } from "./offer-sync.js";
import { type AccountId, type Clock, type Signer, systemClock } from "@tirami/core";
import type { Ledger, SpendPath } from "@tirami/ledger";
import { EMBED_PROTOCOL_ID, INFER_PROTOCOL_ID, SETTLE_PROTOCOL_ID } from "@tirami/proto";
import type { MeshHost } from "@tirami/net";
import type { OfferCapacity, ProviderOffer, SignedTrade } from "@tirami/proto";
import {
  OFFER_BOOK_MAX,
  OFFER_INTERVAL_MS_DEFAULT,
  OFFER_ROOT_DEBOUNCE_MS,
  OFFER_TTL_MS_DEFAULT,
  REPUTATION_ENTRIES_MAX,
} from "./constants.js";
import { createConsumer, type PurchaseResult } from "./consumer.js";
import { createLending, type Lending, type LendingLedger } from "./lending.js";
import type { MarketEngine } from "./engine.js";
import { MarketError, MarketErrorCode } from "./errors.js";
import { type GossipCounters, type GossipHandle, startGossip } from "./gossip.js";
import { OfferBook } from "./offer-book.js";
import { createOfferPublisher } from "./offer-publisher.js";
import { createProvider, type ProviderStats } from "./provider.js";
import type { GeneratedWork } from "./provider-stream.js";
import type { RouteCandidate, RoutePreference } from "./ranking.js";
import { LocalReputation, type ReputationPort } from "./reputation.js";
import {
  createReputationGossip,
  notingPort,
  type ReputationGossip,
  type ReputationGossipCounters,
} from "./reputation-gossip.js";
import { type BuyRequest, createRouter, type EmbeddingBuyRequest } from "./router.js";
import { createEmbeddingConsumer, type EmbeddingPurchaseResult } from "./embed-consumer.js";
import { createOwedSettlement, type DiedPurchase } from "./settle-owed.js";
import { createSyncService, type SyncRoundReport } from "./sync.js";
import { intakeTrade, type IntakeResult } from "./trade-intake.js";
import type { UnsettledBook, UnsettledEntry } from "./unsettled-book.js";
import {
  type MarketDemand,
  type MarketPeerView,
  networkView,
  othersOffers,
  peerViews,
  type RemoteModel,
  remoteModels,
  type ViewContext,
} from "./views.js";

/** The ledger calls the market makes. */
export type MarketLedger = Pick<
  Ledger,
  | "applySignedTrade"
  | "admitConsumer"
  | "reserve"
  | "release"
  | "getTrade"
  | "tradeCount"
  | "merkleRoot"
  | "listTrades"
  | "tradesAfter"
>;

/** The live-input side of the ledger's pricing engine (`ledger.pricing`). */
export interface PricingObserver {
  observe(input: {
    providersSeen: number;
    requestsInFlight: number;
    peersKnown?: number;
    nowMs?: number;
  }): unknown;
}

/** Where a trade this node took in came from. */
export type TradeSource = "gossip" | "sync" | "provider" | "consumer";

export interface MarketTimings {
  /** Offer re-publication period. Default `OFFER_INTERVAL_MS_DEFAULT` (30 s). */
  offerIntervalMs?: number | undefined;
  /** Offers older than this leave the book. Default `OFFER_TTL_MS_DEFAULT` (95 s). */
  offerTtlMs?: number | undefined;
  offerBookMax?: number | undefined;
  /** Reputation observation publication period. Default `REPUTATION_PUBLISH_INTERVAL_MS_DEFAULT` (60 s). */
  reputationIntervalMs?: number | undefined;
}

export interface MarketOptions {
  /** A created mesh host with this node's key; the market starts and stops it. */
  host: MeshHost;
  ledger: MarketLedger;
  /** The node's signer (the host's key). */
  signer: Signer;
  /** Consumers that owe this provider a signature (`createUnsettledBook(db)`). */
  unsettled: UnsettledBook;
  clock?: Clock | undefined;
  /** The local model, if any: served to the mesh at `priceTrmPerToken()`. */
  engine?: (() => MarketEngine | undefined) | undefined;
  /** What this node charges per completion token now (its live price). Needed with an engine. */
  priceTrmPerToken?: (() => number) | undefined;
  /** This node's capacity for a stage of a split model, advertised in its offer (`@tirami/shard`). */
  capacity?: (() => OfferCapacity | undefined) | undefined;
  /** The spend path (`createSpendPath`); without it this node serves and relays but does not buy. */
  spend?: SpendPath | undefined;
  /** Fed every offer tick with live supply and demand (`ledger.pricing`). */
  pricing?: PricingObserver | undefined;
  /**
   * The ledger's reputation service (`ledger.reputation`): routing uses its merged score, outcomes are
   * recorded there, and the market gossips reputation observations with it.
   */
  reputation?: ReputationPort | undefined;
  /** Requests this node's owner generates locally right now (the rest of the demand input of pricing). */
  localInFlight?: (() => number) | undefined;
  /** Completion tokens this node served to the mesh (metrics). */
  onServed?: ((work: GeneratedWork) => void) | undefined;
  /**
   * This node's purchases that died with its previous process (the `spend:` holds its ledger released at
   * start): a provider that still holds one unanswered is paid for it when it connects (`settle-owed.ts`).
   */
  diedPurchases?: readonly DiedPurchase[] | undefined;
  log?:
    | ((level: "info" | "warn" | "debug", message: string, fields?: Record<string, unknown>) => void)
    | undefined;
  timings?: MarketTimings | undefined;
  /** The ledger's lending side (the ledger itself): with it the market lends and borrows (docs/lending.md). */
  lending?: LendingLedger | undefined;
  /** Trust penalty of a provider in [0, 1], subtracted from its reputation in routing (the agora's collusion detector). */
  trustPenalty?: ((account: AccountId) => number) | undefined;
}

/** A running (or startable) market. */
export interface Market {
  readonly account: AccountId;
  readonly host: MeshHost;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Buys a completion of `request.modelId` from the best provider, streaming text through `onText`.
   * @throws {MarketError} MESH_DISABLED (not running or no spend path), NO_PROVIDER, provider failures;
   *   the spend path's SpendDeniedError and INSUFFICIENT_BALANCE.
   */
  buy(request: BuyRequest): Promise<PurchaseResult>;
  /** Buys embeddings from the best provider of the model, priced per input token (`embed-consumer.ts`). */
  buyEmbeddings(request: EmbeddingBuyRequest): Promise<EmbeddingPurchaseResult>;
  /** True when some live offer of another node serves `modelId`. */
  servesRemotely(modelId: string): boolean;
  remoteModels(): RemoteModel[];
  route(modelId: string, preference: RoutePreference): RouteCandidate[];
  /** Offers of other nodes serving at least one model. */
  providers(): ProviderOffer[];
  /** Live offers of every other node, with or without models (e.g. their advertised `capacity`). */
  offers(): ProviderOffer[];
  peers(): MarketPeerView[];
  network(): Record<string, unknown>;
  /** Requests in flight here, each counted once: the demand input of pricing. */
  demand(): MarketDemand;
  /** This node's current signed offer. */
  currentOffer(): ProviderOffer;
  /** Publishes this node's offer now. */
  publishOffer(): Promise<number>;
  syncWith(peer: AccountId): Promise<SyncRoundReport>;
  /** Applies a dual-signed trade made elsewhere and gossips it when applied. */
  announceTrade(signed: SignedTrade): Promise<IntakeResult>;
  /** Listens to every trade this node's ledger took from the mesh or made itself. */
  onTrade(listener: (signed: SignedTrade, source: TradeSource) => void): () => void;
  unsettled(): UnsettledEntry[];
  forgive(consumer: AccountId): boolean;
  served(): ProviderStats;
  gossipCounters(): GossipCounters & Partial<ReputationGossipCounters>;
  /** Publishes this node's due reputation observations now (0 without a reputation service). */
  publishReputation(): Promise<number>;
  /** Lending over the mesh, when the market was given `lending`. */
  readonly lending: Lending | undefined;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const out = value ?? fallback;
  if (!Number.isSafeInteger(out) || out < 1) throw new RangeError(`"${name}" expected a positive integer`);
  return out;
}

/** Builds a market (not started). */
export function createMarket(options: MarketOptions): Market {
  const { host, ledger, signer } = options;
  if (host.account !== signer.accountId) throw new RangeError("the mesh host's key is not the signer's");
  if (options.spend !== undefined && options.spend.account !== signer.accountId)
    throw new RangeError("the spend path pays from another account than the signer's");
  const clock = options.clock ?? systemClock;
  const nowMs = () => clock.nowMs();
  const engine = options.engine ?? (() => undefined);
  const priceTrmPerToken =
    options.priceTrmPerToken ??
    (() => {
      throw new RangeError('"priceTrmPerToken" is needed to serve a model');
    });
  const timings = options.timings ?? {};
  const offerIntervalMs = positive(timings.offerIntervalMs, OFFER_INTERVAL_MS_DEFAULT, "offerIntervalMs");
  const offerTtlMs = positive(timings.offerTtlMs, OFFER_TTL_MS_DEFAULT, "offerTtlMs");
  const book = new OfferBook({ capacity: timings.offerBookMax ?? OFFER_BOOK_MAX, ttlMs: offerTtlMs, nowMs });
  const log = options.log ?? (() => undefined);

  const reputationGossip: ReputationGossip | undefined =
    options.reputation === undefined
      ? undefined
      : createReputationGossip({
          host,
          signer,
          store: options.reputation,
          counterparties: (limit) =>
            ledger
              .listTrades({ account: host.account, limit })
              .map(({ trade }) => (trade.provider === host.account ? trade.consumer : trade.provider)),
          nowMs,
          intervalMs: timings.reputationIntervalMs,
          log: (message, fields) => log("debug", message, fields),
        });
  const reputation = new LocalReputation(
    REPUTATION_ENTRIES_MAX,
    nowMs,
    options.reputation === undefined || reputationGossip === undefined
      ? undefined
      : notingPort(options.reputation, (account) => reputationGossip.note(account)),
  );

  let running = false;
  let gossip: GossipHandle | undefined;
  let tickTimer: NodeJS.Timeout | undefined;
  const unsubscribers: Array<() => void> = [];
  const demandNow: MarketDemand = { serving: 0, buying: 0, local: 0 };
  const demand = (): MarketDemand => ({ ...demandNow, local: options.localInFlight?.() ?? 0 });
  const publishTrade = async (signed: SignedTrade): Promise<unknown> => gossip?.publishTrade(signed);

  const publisher = createOfferPublisher({
    host,
    ledger,
    signer,
    engine,
    priceTrmPerToken,
    capacity: options.capacity,
    nowMs,
    send: async (offer) => (gossip === undefined ? 0 : gossip.publishOffer(offer)),
    log: (message, fields) => log("debug", message, fields),
  });

  const listeners = new Set<(signed: SignedTrade, source: TradeSource) => void>();
  function emitTrade(signed: SignedTrade, source: TradeSource): void {
    for (const listener of listeners) {
      try {
        listener(signed, source);
      } catch {
        // a listener's failure is its own
      }
    }
    publisher.changed(OFFER_ROOT_DEBOUNCE_MS);
  }

  /** Counts one request of `kind` in flight; capacity and demand changes re-publish the offer. */
  const tracker = (kind: "serving" | "buying") => ({
    begin: () => {
      demandNow[kind] += 1;
      if (kind === "serving") publisher.changed();
    },
    end: () => {
      demandNow[kind] -= 1;
      if (kind === "serving") publisher.changed();
    },
  });

  const sync = createSyncService({
    host,
    ledger,
    nowMs,
    onApplied: (signed) => emitTrade(signed, "sync"),
    onRound: (report) => {
      if (report.error !== null) log("debug", "sync round failed", { ...report });
    },
  });

  const owed = createOwedSettlement({
    host,
    ledger,
    signer,
    unsettled: options.unsettled,
    diedPurchases: options.diedPurchases ?? [],
    publishTrade,
    onTradeApplied: (signed, side) => emitTrade(signed, side),
    log: (message, fields) => log("info", message, fields),
  });

  const provider = createProvider({
    ledger,
    unsettled: options.unsettled,
    signer,
    clock,
    engine,
    acceptablePrice: (modelId) => publisher.acceptablePrice(modelId),
    reputation,
    publishTrade,
    inFlight: tracker("serving"),
    onTradeApplied: (signed) => emitTrade(signed, "provider"),
    onServed: options.onServed,
    onOwedRequest: (consumer) => void owed.offer(consumer),
    log: (event, fields) => log("info", event, fields),
  });

  const consumerDeps =
    options.spend === undefined
      ? undefined
      : {
          host,
          spend: options.spend,
          clock,
          reputation,
          publishTrade,
          inFlight: tracker("buying"),
          onTradeApplied: (signed: SignedTrade) => emitTrade(signed, "consumer"),
        };
  const consumer = consumerDeps === undefined ? undefined : createConsumer(consumerDeps);
  const embeddingConsumer = consumerDeps === undefined ? undefined : createEmbeddingConsumer(consumerDeps);

  const router = createRouter({
    host,
    book,
    reputation,
    trustPenalty: options.trustPenalty,
    purchase: (request) => {
      if (consumer === undefined)
        throw new MarketError(MarketErrorCode.MESH_DISABLED, "this node has no spend path: it cannot buy");
      return consumer.purchase(request);
    },
    purchaseEmbeddings: embeddingConsumer?.purchase,
  });

  const lending =
    options.lending === undefined
      ? undefined
      : createLending({
          host,
          ledger: options.lending,
          signer,
          clock,
          log: (message, fields) => log("info", message, fields),
        });

  const viewContext: ViewContext = { host, ledger, book, reputation: (account) => reputation.score(account) };

  function observePricing(): void {
    if (options.pricing === undefined) return;
    const { serving, buying, local } = demand();
    try {
      options.pricing.observe({
        providersSeen: book.providers().length + (engine() === undefined ? 0 : 1),
        requestsInFlight: serving + buying + local,
        peersKnown: host.connectedAccounts().length + 1,
        nowMs: nowMs(),
      });
    } catch (error) {
      log("warn", "pricing observe failed", { err: (error as Error).message });
    }
  }

  /** A peer's offer: sync when it holds trades this node lacks; re-announce when it lacks ours. */
  function onOffer(offer: ProviderOffer, from: AccountId): void {
    const localCount = ledger.tradeCount();
    const needs = offerSyncNeeds(offer, { tradeCount: localCount, merkleRoot: ledger.merkleRoot() });
    const peer = host.connectedAccounts().includes(offer.account) ? offer.account : from;
    if (needs.trades) sync.request(peer);
    if (needs.loans) void lending?.catchUpIfStale(peer);
    if (offer.trade_count < localCount) publisher.changed(OFFER_ROOT_DEBOUNCE_MS);
  }

  async function start(): Promise<void> {
    if (running) return;
    if (!host.started) await host.start();
    running = true;
    publisher.start();
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
    await lending?.start();
    await host.handle(EMBED_PROTOCOL_ID, (stream, from, signal) =>
      provider.handleEmbed(stream, from, signal),
    );
    await host.handle(SETTLE_PROTOCOL_ID, (stream, from) => owed.handle(stream, from));
    await sync.start();
    unsubscribers.push(
      host.on("peer:connected", ({ account }) => {
        sync.request(account);
        publisher.changed();
        void owed.offer(account);
      }),
    );
    for (const account of host.connectedAccounts()) sync.request(account);
    tickTimer = setInterval(() => {
      book.prune();
      observePricing();
      void publisher.publish();
    }, offerIntervalMs);
    tickTimer.unref();
    observePricing();
    await publisher.publish();
  }

  async function stop(): Promise<void> {
    if (!running) {
      await host.stop();
      return;
    }
    running = false;
    clearInterval(tickTimer);
    publisher.stop();
    for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
    await sync.stop();
    await host.unhandle(INFER_PROTOCOL_ID).catch(() => undefined);
    await lending?.stop();
    await host.unhandle(EMBED_PROTOCOL_ID).catch(() => undefined);
    await host.unhandle(SETTLE_PROTOCOL_ID).catch(() => undefined);
    gossip?.stop();
    gossip = undefined;
    reputationGossip?.stop();
    await host.stop();
  }

  return {
    account: host.account,
    host,
    start,
    stop,
    buy(request) {
      if (!running || consumer === undefined)
        return Promise.reject(
          new MarketError(
            MarketErrorCode.MESH_DISABLED,
            "the market is not running on this node (or it cannot buy)",
          ),
        );
      return router.buy(request);
    },
    buyEmbeddings(request) {
      if (!running || embeddingConsumer === undefined)
        return Promise.reject(
          new MarketError(
            MarketErrorCode.MESH_DISABLED,
            "the market is not running on this node (or it cannot buy)",
          ),
        );
      return router.buyEmbeddings(request);
    },
    servesRemotely: (modelId) => router.route(modelId, "balanced").length > 0,
    remoteModels: () => remoteModels(viewContext),
    route: router.route,
    providers: () => othersOffers(viewContext).filter((offer) => offer.models.length > 0),
    offers: () => othersOffers(viewContext),
    peers: () => peerViews(viewContext),
    network: () =>
      networkView(viewContext, demand(), {
        sync_rounds: sync.rounds(),
        gossip: { ...(gossip?.counters ?? {}), ...reputationGossip?.counters, ...host.gossipStats() },
        unsettled_consumers: provider.unsettled().length,
        served: provider.stats(),
      }),
    demand,
    currentOffer: publisher.current,
    publishOffer: publisher.publish,
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
    served: () => provider.stats(),
    gossipCounters: () => ({ ...(gossip?.counters as GossipCounters), ...reputationGossip?.counters }),
    publishReputation: async () =>
      running && reputationGossip !== undefined ? reputationGossip.publishRound() : 0,
    lending,
  };
}
