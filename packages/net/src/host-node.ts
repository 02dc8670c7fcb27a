/**
 * The libp2p node under a mesh host: TCP, Noise, Yamux, identify, ping and gossipsub, optional mDNS, a
 * bounded connection manager, and a connection gater that refuses denied (banned) peers both ways.
 * Created unstarted; `host-lifecycle.ts` starts and stops it.
 * @module
 */
import "./polyfill.js";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import type { GossipSub } from "@libp2p/gossipsub";
import { identify, type Identify } from "@libp2p/identify";
import type { Ed25519PrivateKey, Libp2p, PeerId } from "@libp2p/interface";
import { mdns } from "@libp2p/mdns";
import { ping, type Ping } from "@libp2p/ping";
import { tcp } from "@libp2p/tcp";
import { createLibp2p } from "libp2p";
import * as C from "./constants.js";
import { gossipsubService } from "./host-gossip.js";
import type { HostLimits } from "./host-limits.js";
import type { MeshHostOptions } from "./mesh-types.js";

/** The libp2p services a mesh host runs. */
export type MeshServices = { identify: Identify; ping: Ping; pubsub: GossipSub };

/** The libp2p node of a mesh host. */
export type MeshNode = Libp2p<MeshServices>;

/** What the libp2p node of a host is built from. */
export interface MeshNodeOptions {
  /** The node key (its peer id is the host's account). */
  privateKey: Ed25519PrivateKey;
  options: MeshHostOptions;
  limits: HostLimits;
  /** True for a peer the gater must refuse (dial, inbound and outbound connections). */
  isDenied(peerId: PeerId): boolean;
}

/** Creates the (unstarted) libp2p node of a mesh host. */
export async function createMeshNode(init: MeshNodeOptions): Promise<MeshNode> {
  const { options, limits, isDenied } = init;
  return createLibp2p({
    start: false,
    privateKey: init.privateKey,
    addresses: { listen: options.listen ?? ["/ip4/127.0.0.1/tcp/0"] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: options.mdns === true ? [mdns()] : [],
    connectionManager: {
      maxConnections: limits.connectionsMax,
      maxIncomingPendingConnections: C.CONNECTIONS_PENDING_INBOUND_MAX,
      dialTimeout: limits.dialTimeoutMs,
    },
    connectionGater: {
      denyDialPeer: isDenied,
      denyInboundEncryptedConnection: isDenied,
      denyOutboundEncryptedConnection: isDenied,
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsubService(options, limits),
    },
  });
}
