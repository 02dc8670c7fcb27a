/**
 * What a mesh host does on libp2p's connection events while it runs: a peer that connects is recorded
 * in the peer book (with its addresses), announced and pinged, and hung up on when it has no account; a
 * disconnect is recorded, announced and handed to the bootstrap re-dialer; identify refreshes a peer's
 * listen addresses; an mDNS discovery is dialed while the connection limit leaves room.
 * @module
 */
import "./polyfill.js";
import type { AccountId } from "@tirami/core";
import type { IdentifyResult, PeerId } from "@libp2p/interface";
import type { BootstrapDialer } from "./bootstrap.js";
import type { HostEvents } from "./host-events.js";
import { refreshLatency, type PeerProbe } from "./host-peers.js";
import { accountIdFromPeerId } from "./identity.js";

/** What the connection handlers read and update. */
export interface ConnectionWatcherParts extends PeerProbe {
  events: HostEvents;
  bootstraps: BootstrapDialer;
  /** Also listen for mDNS discoveries. */
  mdns: boolean;
  /** True once the host began stopping: disconnects are not re-dialed, discoveries not dialed. */
  isStopping(): boolean;
}

/** The host's connection-event handlers; `attach` and `detach` add and remove the same functions. */
export class ConnectionWatcher {
  readonly #parts: ConnectionWatcherParts;

  constructor(parts: ConnectionWatcherParts) {
    this.#parts = parts;
  }

  /** Starts handling the node's connection events (call after the node started). */
  attach(): void {
    const { node } = this.#parts;
    node.addEventListener("peer:connect", this.#onConnect);
    node.addEventListener("peer:disconnect", this.#onDisconnect);
    node.addEventListener("peer:identify", this.#onIdentify);
    if (this.#parts.mdns) node.addEventListener("peer:discovery", this.#onDiscovery);
  }

  /** Stops handling them. */
  detach(): void {
    const { node } = this.#parts;
    node.removeEventListener("peer:connect", this.#onConnect);
    node.removeEventListener("peer:disconnect", this.#onDisconnect);
    node.removeEventListener("peer:identify", this.#onIdentify);
    node.removeEventListener("peer:discovery", this.#onDiscovery);
  }

  readonly #onConnect = (event: CustomEvent<PeerId>): void => {
    const { node, peerBook, events } = this.#parts;
    const peer = event.detail;
    let peerAccount: AccountId;
    try {
      peerAccount = accountIdFromPeerId(peer);
    } catch {
      void node.hangUp(peer).catch(() => undefined);
      return;
    }
    const addrs = node.getConnections(peer).map((connection) => connection.remoteAddr.toString());
    peerBook.touch(peerAccount, peer.toString(), { connected: true, multiaddrs: addrs });
    events.emit("peer:connected", { account: peerAccount, peerId: peer.toString() });
    void refreshLatency(this.#parts, peer).catch(() => undefined);
  };

  readonly #onDisconnect = (event: CustomEvent<PeerId>): void => {
    const { peerBook, events, bootstraps } = this.#parts;
    const peer = event.detail;
    let peerAccount: AccountId;
    try {
      peerAccount = accountIdFromPeerId(peer);
    } catch {
      return;
    }
    peerBook.touch(peerAccount, peer.toString(), { connected: false });
    events.emit("peer:disconnected", { account: peerAccount, peerId: peer.toString() });
    if (!this.#parts.isStopping()) bootstraps.onDisconnect(peer.toString());
  };

  readonly #onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    try {
      const peerAccount = accountIdFromPeerId(event.detail.peerId);
      const listen = event.detail.listenAddrs.map((addr) => addr.toString());
      this.#parts.peerBook.touch(peerAccount, event.detail.peerId.toString(), { multiaddrs: listen });
    } catch {
      // not a Tirami peer; #onConnect hangs up on it
    }
  };

  readonly #onDiscovery = (event: CustomEvent<{ id: PeerId }>): void => {
    const { node, limits } = this.#parts;
    if (this.#parts.isStopping() || node.getConnections().length >= limits.connectionsMax) return;
    void node
      .dial(event.detail.id, { signal: AbortSignal.timeout(limits.dialTimeoutMs) })
      .catch(() => undefined);
  };
}
