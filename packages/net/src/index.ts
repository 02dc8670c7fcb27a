/**
 * @tirami/net (L1) — the libp2p mesh host of a Tirami node: TCP + Noise + Yamux transport whose identity
 * is the node's ledger key, bootstrap with bounded re-dial, a bounded peer book, validated gossip that is
 * re-flooded only after validation (invalid senders penalised and disconnected), and framed request
 * streams with size limits, timeouts and cancellation both ways. Payloads are opaque bytes: message
 * formats live in @tirami/proto and are checked by the caller's validators.
 * @packageDocumentation
 */
import "./polyfill.js";

/** Host. */
export {
  type MeshHost,
  type MeshHostEvents,
  type MeshHostOptions,
  type PeerStanding,
  type PeerTarget,
  type RequestHandler,
  type RequestOptions,
} from "./mesh-types.js";
export { createMeshHost } from "./mesh-host.js";
export { bootstrapAddressProblem } from "./bootstrap-address.js";
export type { FramedStream } from "./framed-stream.js";
export type { PeerRecord } from "./peer-book.js";
export { gossipMessageId, type GossipHandlers, type GossipStats, type GossipVerdict } from "./gossip.js";

/** Identity. */
export { accountIdFromPeerId, peerIdFromAccountId, privateKeyFromSeed } from "./identity.js";

/** Errors. */
export { isNetError, NetError, NetErrorCode } from "./errors.js";

/** Constants. */
export * from "./constants.js";

/** Building blocks (exported for tests and benches of other layers). */
export { backoffDelayMs, type BackoffOptions } from "./backoff.js";
export { SeenCache } from "./seen-cache.js";
