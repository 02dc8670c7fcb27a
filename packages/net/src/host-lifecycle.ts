/**
 * Start and stop of a mesh host. Start: the libp2p node listens, then the connection handlers attach,
 * the latency timer runs and the bootstrap peers are dialed. Stop, in the order that leaves nothing
 * behind: timer and re-dials first, then inbound request streams are aborted, the handlers detach,
 * gossip unbinds and the node stops. Both are idempotent; the host counts as stopped from the moment
 * `stop()` begins.
 * @module
 */
import "./polyfill.js";
import type { BootstrapDialer } from "./bootstrap.js";
import { NetError, NetErrorCode } from "./errors.js";
import type { FramedStreamImpl } from "./framed-stream.js";
import type { GossipRouter } from "./gossip.js";
import { ConnectionWatcher } from "./host-connections.js";
import type { HostEvents } from "./host-events.js";
import { type PeerProbe, startLatencyRefresh } from "./host-peers.js";

/** What a host's lifecycle starts and stops. */
export interface HostLifecycleParts extends PeerProbe {
  events: HostEvents;
  gossip: GossipRouter;
  bootstraps: BootstrapDialer;
  /** Inbound request streams still being handled (aborted on stop). */
  inbound: Set<FramedStreamImpl>;
  /** Also dial peers found by mDNS. */
  mdns: boolean;
}

/** The started/stopping state of a host and the two transitions between them. */
export class HostLifecycle {
  readonly #parts: HostLifecycleParts;
  readonly #connections: ConnectionWatcher;
  #started = false;
  #stopping = false;
  #pingTimer: NodeJS.Timeout | undefined;
  #starting: Promise<void> | undefined;

  constructor(parts: HostLifecycleParts) {
    this.#parts = parts;
    this.#connections = new ConnectionWatcher({ ...parts, isStopping: () => this.#stopping });
  }

  /** True between a completed `start()` and the end of `stop()`. */
  get started(): boolean {
    return this.#started;
  }

  /**
   * Throws unless the host is started and not stopping.
   * @throws NetError NOT_STARTED.
   */
  requireStarted(): void {
    if (!this.#started || this.#stopping)
      throw new NetError(NetErrorCode.NOT_STARTED, "the mesh host is not started");
  }

  /**
   * Starts the node, the connection handlers, gossip delivery, the latency timer, then dials the bootstrap
   * peers. Concurrent calls share one start; a stopped host starts again.
   */
  start(): Promise<void> {
    if (this.#started) return Promise.resolve();
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    this.#stopping = false;
    await this.#parts.node.start();
    this.#started = true;
    this.#connections.attach();
    this.#parts.gossip.resume();
    this.#pingTimer = startLatencyRefresh(this.#parts);
    await this.#parts.bootstraps.start();
  }

  /** Stops everything `start()` started, and aborts inbound request streams. */
  async stop(): Promise<void> {
    if (!this.#started || this.#stopping) return;
    this.#stopping = true;
    clearInterval(this.#pingTimer);
    this.#parts.bootstraps.stop();
    for (const stream of this.#parts.inbound)
      stream.abort(new NetError(NetErrorCode.STREAM_ABORTED, "host stopping"));
    this.#parts.inbound.clear();
    this.#connections.detach();
    this.#parts.gossip.stop();
    await this.#parts.node.stop();
    this.#started = false;
  }
}
