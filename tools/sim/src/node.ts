/**
 * One simulated node: a real ledger (SQLite: a file for a node that may crash, so it restarts from its
 * durable state; `:memory:` otherwise), the market's real trade and offer gossip (`startGossip`) and sync
 * service (`createSyncService`) on a `SimHost`, the ledger's real spend path, and a clock that reads
 * simulated time plus this node's bounded skew. Sync rounds are scheduled as the market schedules them:
 * when a peer connects, when a trade arrives unfunded, when an offer shows a root or count this node lacks
 * — coalesced per peer, spaced by `SYNC_MIN_INTERVAL_MS`, at most `SYNC_CONCURRENT_MAX` at once.
 * @module
 */
import { type AccountId, type Clock, createSigner, type Signer } from "@tirami/core";
import { createSpendPath, type Ledger, openLedger, type SafetyPolicy, type SpendPath } from "@tirami/ledger";
import {
  createLending,
  type Lending,
  type LendTerms,
  OFFER_BOOK_MAX,
  OFFER_TTL_MS_DEFAULT,
  SYNC_CONCURRENT_MAX,
  SYNC_MIN_INTERVAL_MS,
} from "@tirami/market";
import {
  createSyncService,
  type GossipHandle,
  OfferBook,
  startGossip,
  type SyncRoundReport,
  type SyncService,
  offerSyncNeeds,
} from "@tirami/market/parts";
import { PROTOCOL_VERSION, type ProviderOffer, signProviderOffer } from "@tirami/proto";
import { SimHost, type SimWorld } from "./sim-host.js";
import { withSimIntervals } from "./sim-timers.js";

/** What kind of node this is, fixed for the run. */
export interface NodeRole {
  provider: boolean;
  byzantine: boolean;
  crashable: boolean;
}

export interface SimNodeOptions {
  index: number;
  seed: Uint8Array;
  role: NodeRole;
  /** This node's clock offset from simulated time (ms). */
  skewMs: number;
  /** Ledger file, or ":memory:". */
  path: string;
  neighbours: number[];
  /** Operator policy overrides (a tight budget on some nodes). */
  policy?: Partial<SafetyPolicy> | undefined;
  /** The offer's model price at start (TRM per token). */
  priceTrmPerToken: number;
  /** This node's lend offer (its operator's configuration: set again at every start). */
  lendTerms?: LendTerms | undefined;
}

/** Per-node counters. */
export interface NodeCounters {
  syncRounds: number;
  /** Trades received in sync rounds (most already known: a round pages from the start of the log). */
  syncReceived: number;
  syncApplied: number;
  syncFailed: number;
  restarts: number;
}

/** The sync scheduler's state of one peer. */
interface PeerSync {
  running: boolean;
  again: boolean;
  queued: boolean;
  lastMs: number;
}

/** The model every simulated provider serves. */
export const SIM_MODEL_ID = "sim/token-source";

export class SimNode {
  readonly index: number;
  readonly signer: Signer;
  readonly account: AccountId;
  readonly role: NodeRole;
  readonly skewMs: number;
  readonly path: string;
  readonly host: SimHost;
  readonly clock: Clock;
  readonly counters: NodeCounters = {
    syncRounds: 0,
    syncReceived: 0,
    syncApplied: 0,
    syncFailed: 0,
    restarts: 0,
  };
  readonly policy: Partial<SafetyPolicy> | undefined;
  priceTrmPerToken: number;
  /** The lend offer it makes at start, until the operator withdraws it. */
  lendTerms: LendTerms | undefined;
  /**
   * The last safety decision's id when the kill switch went on (if it did): any later decision that
   * allowed a spend breaks the kill switch. (Ids, not times: a decision and the kill can share a ms.)
   */
  killedAfterDecisionId: number | undefined;
  up = false;
  ledger!: Ledger;
  gossip!: GossipHandle;
  sync!: SyncService;
  offers!: OfferBook;
  spend!: SpendPath;
  lending!: Lending;
  readonly #peerSync = new Map<number, PeerSync>();
  readonly #syncWaiting: number[] = [];
  #syncRunning = 0;

  constructor(
    private readonly world: SimWorld,
    options: SimNodeOptions,
  ) {
    this.index = options.index;
    this.signer = createSigner(options.seed);
    this.account = this.signer.accountId;
    this.role = options.role;
    this.skewMs = options.skewMs;
    this.path = options.path;
    this.policy = options.policy;
    this.priceTrmPerToken = options.priceTrmPerToken;
    this.lendTerms = options.lendTerms;
    this.host = new SimHost(world, options.index, this.account, options.neighbours);
    const kernel = world.kernel;
    this.clock = { nowMs: () => kernel.nowMs + this.skewMs };
  }

  /**
   * Starts (or restarts) the node from its durable state: opens the ledger, releases the request holds a
   * previous life left (as the node does at start), subscribes to gossip and serves sync.
   */
  async start(serveInfer: (node: SimNode) => void): Promise<void> {
    this.ledger = openLedger({ path: this.path, clock: this.clock, localAccount: this.account });
    this.ledger.releaseRequestHolds();
    if (this.policy !== undefined) this.ledger.safety.setPolicy("operator", this.policy);
    await this.host.start();
    this.offers = new OfferBook({
      capacity: OFFER_BOOK_MAX,
      ttlMs: OFFER_TTL_MS_DEFAULT,
      nowMs: () => this.clock.nowMs(),
    });
    this.gossip = startGossip({
      host: this.host,
      ledger: this.ledger,
      offers: this.offers,
      offerTtlMs: OFFER_TTL_MS_DEFAULT,
      nowMs: () => this.clock.nowMs(),
      onTradeApplied: () => undefined,
      onTradeUnfunded: (_signed, from) => this.requestSync(from),
      onOffer: (offer, from) => this.#onOffer(offer, from),
    });
    this.sync = createSyncService({
      host: this.host,
      ledger: this.ledger,
      nowMs: () => this.clock.nowMs(),
      onApplied: () => undefined,
      onRound: (report) => this.#onRound(report),
    });
    await this.sync.start();
    this.spend = createSpendPath({
      ledger: this.ledger,
      signer: this.signer,
      clock: this.clock,
      // The simulation enforces its own (simulated) timeouts; this real timer must never fire.
      signTimeoutMs: 3_600_000,
    });
    this.lending = createLending({
      host: this.host,
      ledger: this.ledger,
      signer: this.signer,
      clock: this.clock,
      log: (message, fields) =>
        this.world.kernel.log(
          `node ${this.index} lending: ${message} ${JSON.stringify(fields ?? {}).slice(0, 160)}`,
        ),
    });
    const lending = this.lending;
    await withSimIntervals(this.world.kernel, () => lending.start());
    serveInfer(this);
    this.#peerSync.clear();
    this.#syncWaiting.length = 0;
    this.#syncRunning = 0;
    this.up = true;
  }

  /**
   * A crash: the process dies between two transactions (every ledger write is one committed transaction,
   * so closing the handle loses exactly what a kill -9 would: nothing committed). Process memory goes.
   */
  async crash(): Promise<void> {
    this.up = false;
    const lending = this.lending;
    await withSimIntervals(this.world.kernel, () => lending.stop());
    this.gossip.stop();
    await this.sync.stop();
    await this.host.stop();
    this.ledger.close();
  }

  /** Asks for a sync round with `peer` (an account), coalesced like the market's scheduler. */
  requestSync(peer: AccountId): void {
    const j = this.world.indexOf(peer);
    if (j === undefined || j === this.index || !this.up) return;
    let state = this.#peerSync.get(j);
    if (state === undefined) {
      state = { running: false, again: false, queued: false, lastMs: -SYNC_MIN_INTERVAL_MS };
      this.#peerSync.set(j, state);
    }
    if (state.running) {
      state.again = true;
      return;
    }
    if (state.queued) return;
    state.queued = true;
    this.#syncWaiting.push(j);
    this.#pump();
  }

  /** Signs this node's offer: its model and price when it provides, its root and trade count always. */
  offer(): ProviderOffer {
    return signProviderOffer(
      {
        account: this.account,
        models: this.role.provider
          ? [{ model_id: SIM_MODEL_ID, price_trm_per_token: this.priceTrmPerToken }]
          : [],
        free_capacity: this.role.provider ? 4 : 0,
        protocol_version: PROTOCOL_VERSION,
        merkle_root: this.ledger.merkleRoot(),
        trade_count: this.ledger.tradeCount(),
        timestamp_ms: this.clock.nowMs(),
      },
      this.signer,
    );
  }

  /** The market's rule on a new offer (`offerSyncNeeds`): trades, and loan events under another root. */
  #onOffer(offer: ProviderOffer, from: AccountId): void {
    const needs = offerSyncNeeds(offer, {
      tradeCount: this.ledger.tradeCount(),
      merkleRoot: this.ledger.merkleRoot(),
    });
    const peer = this.host.connectedAccounts().includes(offer.account) ? offer.account : from;
    if (needs.trades) this.requestSync(peer);
    if (needs.loans) void this.lending.catchUpIfStale(peer);
  }

  #pump(): void {
    const kernel = this.world.kernel;
    while (this.up && this.#syncRunning < SYNC_CONCURRENT_MAX && this.#syncWaiting.length > 0) {
      const j = this.#syncWaiting.shift()!;
      const state = this.#peerSync.get(j)!;
      const waitMs = state.lastMs + SYNC_MIN_INTERVAL_MS - kernel.elapsedMs;
      if (waitMs > 0) {
        kernel.at(waitMs, "sync-wait", () => {
          if (!this.up) return;
          this.#syncWaiting.push(j);
          this.#pump();
        });
        continue;
      }
      state.queued = false;
      state.running = true;
      state.again = false;
      this.#syncRunning += 1;
      const sync = this.sync;
      void sync
        .syncWith(this.world.hostOf(j).account)
        .catch(() => undefined)
        .finally(() => {
          if (this.sync !== sync) return; // the node restarted meanwhile: a fresh scheduler runs
          this.#syncRunning -= 1;
          state.running = false;
          state.lastMs = kernel.elapsedMs;
          if (state.again) this.requestSync(this.world.hostOf(j).account);
          this.#pump();
        });
    }
  }

  #onRound(report: SyncRoundReport): void {
    this.counters.syncRounds += 1;
    this.counters.syncReceived += report.received;
    this.counters.syncApplied += report.applied;
    if (report.error !== null) this.counters.syncFailed += 1;
  }
}
