/**
 * Request streams of a mesh host, both ends. Serving: each inbound stream of a protocol becomes a
 * `FramedStream` for the handler (returning sends END, throwing sends an ERROR frame with the error's
 * `code`), tracked so stopping the host aborts it. Requesting: dial and protocol negotiation within the
 * dial timeout and the request's own, each failure mapped to its `NetError`, then a `FramedStream` for
 * the rest of the request's time.
 * @module
 */
import "./polyfill.js";
import type { AccountId } from "@tirami/core";
import type { Connection, PeerId, Stream } from "@libp2p/interface";
import type { Multiaddr } from "@multiformats/multiaddr";
import * as C from "./constants.js";
import { NetError, NetErrorCode } from "./errors.js";
import { type FramedStream, FramedStreamImpl, mapStreamError } from "./framed-stream.js";
import { anySignal, dialError, resolvedPeer, resolveTarget } from "./host-dial.js";
import { type HostLimits, positive } from "./host-limits.js";
import type { MeshNode } from "./host-node.js";
import { accountIdFromPeerId } from "./identity.js";
import type { PeerTarget, RequestHandler, RequestOptions } from "./mesh-types.js";

/** What both ends of a request stream need from the host. */
export interface StreamParts {
  node: MeshNode;
  limits: HostLimits;
  /** Inbound streams still being handled; the host aborts them when it stops. */
  inbound: Set<FramedStreamImpl>;
}

/** `MeshHost.handle`: serves `protocol` with `handler`, within the per-connection stream limits. */
export async function serveProtocol(
  parts: StreamParts,
  protocol: string,
  handler: RequestHandler,
): Promise<void> {
  await parts.node.handle(
    protocol,
    (stream: Stream, connection: Connection) => serveStream(parts, handler, stream, connection),
    { maxInboundStreams: C.STREAMS_INBOUND_MAX, maxOutboundStreams: C.STREAMS_OUTBOUND_MAX },
  );
}

/** Runs `handler` on one inbound stream; a stream from a peer without an account is aborted at once. */
async function serveStream(
  parts: StreamParts,
  handler: RequestHandler,
  stream: Stream,
  connection: Connection,
): Promise<void> {
  let fromAccount: AccountId;
  try {
    fromAccount = accountIdFromPeerId(connection.remotePeer);
  } catch {
    stream.abort(new Error("not a Tirami peer"));
    return;
  }
  const framed = new FramedStreamImpl(stream, {
    remoteAccount: fromAccount,
    frameBytesMax: parts.limits.frameBytesMax,
    idleTimeoutMs: parts.limits.streamIdleTimeoutMs,
    timeoutMs: parts.limits.streamTimeoutMs,
  });
  parts.inbound.add(framed);
  try {
    await handler(framed, fromAccount, framed.signal);
    await framed.close();
  } catch (error) {
    if (!framed.signal.aborted) {
      const code = errorCode(error);
      const message = error instanceof Error ? error.message : String(error);
      await framed.closeWithError(code, message);
    }
  } finally {
    parts.inbound.delete(framed);
  }
}

/**
 * `MeshHost.request`: opens a request stream of `protocol` to `target`. The overall timeout counts from
 * here, so the stream gets what the dial left of it.
 * @throws RangeError for a limit that is not a positive integer; NetError STREAM_ABORTED (cancelled
 *   while dialing), PROTOCOL_ERROR (protocol not served, or no Ed25519 identity), STREAM_TIMEOUT or
 *   PEER_UNREACHABLE.
 */
export async function openRequest(
  parts: Omit<StreamParts, "inbound">,
  target: PeerTarget,
  protocol: string,
  requestOptions: RequestOptions,
): Promise<FramedStream> {
  const { node, limits } = parts;
  // Every option is checked before anything is opened, so a bad one leaves no stream behind.
  const timeoutMs = positive(requestOptions.timeoutMs ?? limits.streamTimeoutMs, "timeoutMs");
  const frameBytesMax = positive(requestOptions.frameBytesMax ?? limits.frameBytesMax, "frameBytesMax");
  const idleTimeoutMs = positive(requestOptions.idleTimeoutMs ?? limits.streamIdleTimeoutMs, "idleTimeoutMs");
  const startedMs = Date.now();
  const resolved = resolveTarget(target);
  const stream = await dialProtocol(
    parts,
    { target, resolved, protocol, timeoutMs, startedMs },
    requestOptions,
  );
  const remoteAccount = streamAccount(node, stream, resolved);
  return new FramedStreamImpl(stream, {
    remoteAccount,
    frameBytesMax,
    idleTimeoutMs,
    timeoutMs: Math.max(1, timeoutMs - (Date.now() - startedMs)),
    signal: requestOptions.signal,
  });
}

/** One dial of a request: where to, and the request's clock. */
interface RequestDial {
  target: PeerTarget;
  resolved: PeerId | Multiaddr;
  protocol: string;
  timeoutMs: number;
  startedMs: number;
}

/** Dials `dial.resolved` and negotiates the protocol, bounded by the dial timeout and the request's. */
async function dialProtocol(
  parts: Omit<StreamParts, "inbound">,
  dial: RequestDial,
  requestOptions: RequestOptions,
): Promise<Stream> {
  const dialSignal = anySignal(
    AbortSignal.timeout(Math.min(dial.timeoutMs, parts.limits.dialTimeoutMs)),
    requestOptions.signal,
  );
  try {
    return await parts.node.dialProtocol(dial.resolved, dial.protocol, {
      signal: dialSignal,
      maxOutboundStreams: C.STREAMS_OUTBOUND_MAX,
    });
  } catch (cause) {
    throw requestDialError(cause, dial, dialSignal, requestOptions.signal);
  }
}

/** The NetError for a failed request dial: cancelled, protocol not served, timed out, or unreachable. */
function requestDialError(
  cause: unknown,
  dial: RequestDial,
  dialSignal: AbortSignal,
  requestSignal: AbortSignal | undefined,
): NetError {
  const { target, protocol } = dial;
  if (requestSignal?.aborted === true)
    return new NetError(NetErrorCode.STREAM_ABORTED, "request cancelled while dialing", { cause });
  if (cause instanceof Error && cause.name === "UnsupportedProtocolError") {
    return new NetError(NetErrorCode.PROTOCOL_ERROR, `${target} does not serve ${protocol}`, {
      cause,
      details: { protocol },
    });
  }
  if (dialSignal.aborted && Date.now() - dial.startedMs >= dial.timeoutMs) {
    return new NetError(NetErrorCode.STREAM_TIMEOUT, `request to ${target} timed out while dialing`, {
      cause,
    });
  }
  return dialError(cause, target);
}

/**
 * The account at the other end of an outbound `stream` (from its connection, else from the target).
 * @throws NetError PROTOCOL_ERROR, after aborting the stream, when the peer has no Ed25519 identity.
 */
function streamAccount(node: MeshNode, stream: Stream, resolved: PeerId | Multiaddr): AccountId {
  try {
    return accountIdFromPeerId(
      node.getConnections().find((c) => c.streams.includes(stream))?.remotePeer ?? resolvedPeer(resolved),
    );
  } catch (cause) {
    stream.abort(mapStreamError(cause, "identifying the peer"));
    throw new NetError(NetErrorCode.PROTOCOL_ERROR, "peer is not a Tirami node (no Ed25519 identity)", {
      cause,
    });
  }
}

/** The `code` a handler's error carries to the consumer (a string `code` property, else INTERNAL). */
function errorCode(error: unknown): string {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : "INTERNAL";
}
