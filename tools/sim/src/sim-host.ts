/**
 * A `MeshHost` (the interface `@tirami/market` is written against) on the simulated network, so the
 * market's own gossip and sync code runs unchanged:
 *
 * - gossip floods like gossipsub's mesh: a message id is SHA-256 over topic and payload (`gossipMessageId`
 *   of `@tirami/net`), a seen cache (time-to-live `GOSSIP_SEEN_TTL_MS`) drops repeats before validation,
 *   the topic's validator decides accept (deliver, forward to every other neighbour) / ignore / reject
 *   (count against the sender; `INVALID_MESSAGES_MAX` rejects ban it for `BAN_DURATION_MS`);
 * - request streams are `SimStream`s opened after one latency, to a neighbour or any node (a dial), and
 *   refused with PEER_UNREACHABLE across a partition or to a node that is down.
 * @module
 */
import type { AccountId } from "@tirami/core";
import {
  BAN_DURATION_MS,
  type FramedStream,
  GOSSIP_SEEN_TTL_MS,
  gossipMessageId,
  type GossipHandlers,
  type GossipStats,
  INVALID_MESSAGES_MAX,
  type MeshHost,
  type MeshHostEvents,
  NetError,
  NetErrorCode,
  type PeerRecord,
  type PeerStanding,
  type RequestHandler,
  type RequestOptions,
} from "@tirami/net";
import { SimStream } from "./sim-stream.js";
import type { SimKernel } from "./kernel.js";
import type { SimNetwork } from "./network.js";

/** Default stream timeouts when the caller gives none (as `@tirami/net`'s defaults, in simulated ms). */
const STREAM_TIMEOUT_MS = 120_000;
const STREAM_IDLE_TIMEOUT_MS = 30_000;
/** Seen-cache bound per host (gossipsub keeps ids for its TTL; this caps memory on long runs). */
const SEEN_MAX = 50_000;

/** What a host needs from the world around it. */
export interface SimWorld {
  kernel: SimKernel;
  network: SimNetwork;
  /** The host of node `index` (whatever incarnation it is in). */
  hostOf(index: number): SimHost;
  indexOf(account: AccountId): number | undefined;
}

type Listener = (detail: unknown) => void;

export class SimHost implements MeshHost {
  readonly peerId: string;
  started = false;
  /** Bumped at every start: a stream or datagram to an older incarnation is lost. */
  incarnation = 0;
  readonly #subscriptions = new Map<string, GossipHandlers>();
  readonly #handlers = new Map<string, RequestHandler>();
  readonly #seen = new Map<string, number>();
  readonly #invalid = new Map<number, number>();
  readonly #bannedUntil = new Map<number, number>();
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #offers = new Map<AccountId, unknown>();
  readonly stats: GossipStats = {
    delivered: 0,
    rejected: 0,
    ignored: 0,
    duplicates: 0,
    oversized: 0,
    handlerErrors: 0,
    published: 0,
    rateLimited: 0,
  };

  constructor(
    private readonly world: SimWorld,
    readonly index: number,
    readonly account: AccountId,
    readonly neighbours: number[],
  ) {
    this.peerId = `sim-${index}`;
  }

  async start(): Promise<void> {
    this.started = true;
    this.incarnation += 1;
  }

  /** A crash or a stop: handlers, subscriptions and the seen cache are process memory and go with it. */
  async stop(): Promise<void> {
    this.started = false;
    this.#subscriptions.clear();
    this.#handlers.clear();
    this.#seen.clear();
    this.#listeners.clear();
  }

  multiaddrs(): string[] {
    return [`/sim/${this.index}/p2p/${this.peerId}`];
  }

  connectedAccounts(): AccountId[] {
    return this.neighbours
      .filter((j) => this.world.network.reachable(this.index, j))
      .map((j) => this.world.hostOf(j).account);
  }

  async dial(target: string): Promise<AccountId> {
    const j = this.#resolve(target);
    if (!this.world.network.reachable(this.index, j))
      throw new NetError(NetErrorCode.PEER_UNREACHABLE, `sim node ${j} unreachable`);
    return this.world.hostOf(j).account;
  }

  async hangUp(): Promise<void> {
    // Connections are implied by the topology in the simulation.
  }

  async ping(account: AccountId): Promise<number> {
    const j = this.#resolve(account);
    if (!this.world.network.reachable(this.index, j))
      throw new NetError(NetErrorCode.PEER_UNREACHABLE, `sim node ${j} unreachable`);
    return 2 * this.world.network.latencyMs();
  }

  peers(): PeerRecord[] {
    return this.neighbours.map((j) => this.#record(j));
  }

  peer(account: AccountId): PeerRecord | undefined {
    const j = this.world.indexOf(account);
    return j === undefined || !this.neighbours.includes(j) ? undefined : this.#record(j);
  }

  setOffer(account: AccountId, offer: unknown): boolean {
    if (this.peer(account) === undefined) return false;
    this.#offers.set(account, offer);
    return true;
  }

  subscribe(topic: string, handlers: GossipHandlers): () => void {
    this.#subscriptions.set(topic, handlers);
    return () => {
      if (this.#subscriptions.get(topic) === handlers) this.#subscriptions.delete(topic);
    };
  }

  async publish(topic: string, payload: Uint8Array): Promise<{ recipients: number; duplicate: boolean }> {
    const id = Buffer.from(gossipMessageId(topic, payload)).toString("hex");
    if (!this.#markSeen(id)) return { recipients: 0, duplicate: true };
    this.stats.published += 1;
    return { recipients: this.flood(topic, payload, id, -1), duplicate: false };
  }

  /** Sends a message to every reachable neighbour but `except`; returns how many it left for. */
  flood(topic: string, payload: Uint8Array, id: string, except: number): number {
    let recipients = 0;
    for (const j of this.neighbours) {
      if (j === except) continue;
      if (this.sendTo(j, topic, payload, id)) recipients += 1;
    }
    return recipients;
  }

  /** One datagram to neighbour `j` (Byzantine nodes use it to address one neighbour only). */
  sendTo(j: number, topic: string, payload: Uint8Array, id: string): boolean {
    const from = this.index;
    return this.world.network.datagram(from, j, "gossip", () => {
      void this.world.hostOf(j).receive(from, topic, payload, id);
    });
  }

  /** A datagram arrives from neighbour `from`. */
  async receive(from: number, topic: string, payload: Uint8Array, id: string): Promise<void> {
    const handlers = this.#subscriptions.get(topic);
    if (!this.started || handlers === undefined) return;
    if ((this.#bannedUntil.get(from) ?? -1) > this.world.kernel.elapsedMs) return;
    if (!this.#markSeen(id)) {
      this.stats.duplicates += 1;
      return;
    }
    const fromAccount = this.world.hostOf(from).account;
    let verdict;
    try {
      verdict = await handlers.validate(payload, fromAccount);
    } catch {
      verdict = "ignore" as const;
    }
    if (verdict === "accept") {
      this.stats.delivered += 1;
      try {
        handlers.onMessage(payload, fromAccount);
      } catch {
        this.stats.handlerErrors += 1;
      }
      this.flood(topic, payload, id, from);
    } else if (verdict === "reject") {
      this.stats.rejected += 1;
      this.#penalise(from);
    } else this.stats.ignored += 1;
  }

  topicPeers(topic: string): AccountId[] {
    return this.connectedAccounts().filter((account) =>
      this.world.hostOf(this.world.indexOf(account)!).#subscriptions.has(topic),
    );
  }

  gossipStats(): GossipStats {
    return { ...this.stats };
  }

  standing(account: AccountId): PeerStanding {
    const j = this.#resolve(account);
    return {
      invalidMessages: this.#invalid.get(j) ?? 0,
      gossipScore: -(this.#invalid.get(j) ?? 0),
      banned: (this.#bannedUntil.get(j) ?? -1) > this.world.kernel.elapsedMs,
    };
  }

  async handle(protocol: string, handler: RequestHandler): Promise<void> {
    this.#handlers.set(protocol, handler);
  }

  async unhandle(protocol: string): Promise<void> {
    this.#handlers.delete(protocol);
  }

  request(target: string, protocol: string, options: RequestOptions = {}): Promise<FramedStream> {
    const { kernel, network } = this.world;
    const j = this.#resolve(target);
    const remote = this.world.hostOf(j);
    const openedBy = this.incarnation;
    return new Promise((resolve, reject) => {
      options.signal?.throwIfAborted();
      // One round trip to open the stream (the connection itself is implied by the topology).
      kernel.at(network.latencyMs(), "stream-open", () => {
        const handler = remote.#handlers.get(protocol);
        if (!network.reachable(this.index, j) || this.incarnation !== openedBy || !remote.started) {
          reject(new NetError(NetErrorCode.PEER_UNREACHABLE, `sim node ${j} unreachable`));
          return;
        }
        if (handler === undefined) {
          reject(new NetError(NetErrorCode.PROTOCOL_ERROR, `sim node ${j} does not serve ${protocol}`));
          return;
        }
        const remoteIncarnation = remote.incarnation;
        const link = {
          kernel,
          network,
          idleTimeoutMs: options.idleTimeoutMs ?? STREAM_IDLE_TIMEOUT_MS,
          timeoutMs: options.timeoutMs ?? STREAM_TIMEOUT_MS,
          alive: () =>
            this.started &&
            remote.started &&
            this.incarnation === openedBy &&
            remote.incarnation === remoteIncarnation,
        };
        const local = new SimStream(link, this.index, j, { remoteAccount: remote.account, protocol });
        const far = new SimStream(link, j, this.index, { remoteAccount: this.account, protocol });
        SimStream.pair(link, local, far);
        options.signal?.addEventListener("abort", () => local.abort(), { once: true });
        handler(far, this.account, far.signal).then(
          () => far.close(),
          (error: unknown) => far.abort(error instanceof Error ? error : undefined),
        );
        kernel.at(network.latencyMs(), "stream-opened", () => resolve(local));
      });
    });
  }

  on<E extends keyof MeshHostEvents>(event: E, listener: (detail: MeshHostEvents[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  /** Fires a host event (the simulation's connection changes). */
  emit<E extends keyof MeshHostEvents>(event: E, detail: MeshHostEvents[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) listener(detail);
  }

  #markSeen(id: string): boolean {
    const nowMs = this.world.kernel.elapsedMs;
    const seenMs = this.#seen.get(id);
    if (seenMs !== undefined && nowMs - seenMs < GOSSIP_SEEN_TTL_MS) return false;
    this.#seen.delete(id);
    this.#seen.set(id, nowMs);
    // Oldest first: drop what has expired, and the oldest beyond the bound.
    for (const [oldId, atMs] of this.#seen) {
      if (this.#seen.size <= SEEN_MAX && nowMs - atMs < GOSSIP_SEEN_TTL_MS) break;
      this.#seen.delete(oldId);
    }
    return true;
  }

  #penalise(from: number): void {
    const count = (this.#invalid.get(from) ?? 0) + 1;
    this.#invalid.set(from, count);
    if (count >= INVALID_MESSAGES_MAX)
      this.#bannedUntil.set(from, this.world.kernel.elapsedMs + BAN_DURATION_MS);
  }

  #resolve(target: string): number {
    const j = this.world.indexOf(target as AccountId);
    if (j === undefined) throw new NetError(NetErrorCode.PEER_UNREACHABLE, `unknown sim peer ${target}`);
    return j;
  }

  #record(j: number): PeerRecord {
    const host = this.world.hostOf(j);
    return {
      account: host.account,
      peerId: host.peerId,
      multiaddrs: host.multiaddrs(),
      lastSeenMs: this.world.kernel.nowMs,
      latencyMs: undefined,
      connected: this.world.network.reachable(this.index, j),
      offer: this.#offers.get(host.account),
    };
  }
}
