/**
 * The limits of one mesh host: every size, count and time `MeshHostOptions` may override, defaulted from
 * `constants.ts` and checked once, when the host is created, so nothing out of range reaches libp2p.
 * @module
 */
import type { BackoffOptions } from "./backoff.js";
import * as C from "./constants.js";
import type { MeshHostOptions } from "./mesh-types.js";

/** A host's resolved limits (each a positive integer; the unit is in the name). */
export interface HostLimits {
  connectionsMax: number;
  dialTimeoutMs: number;
  pingIntervalMs: number;
  /** Bootstrap re-dial delays. */
  backoff: BackoffOptions;
  frameBytesMax: number;
  streamIdleTimeoutMs: number;
  streamTimeoutMs: number;
  gossipMessageBytesMax: number;
}

/**
 * Resolves the limits of `options`, each defaulting to its constant.
 * @throws RangeError when a limit is not a positive integer (the first one, in declaration order).
 */
export function resolveHostLimits(options: MeshHostOptions): HostLimits {
  return {
    connectionsMax: positive(options.connectionsMax ?? C.CONNECTIONS_MAX, "connectionsMax"),
    dialTimeoutMs: positive(options.dialTimeoutMs ?? C.DIAL_TIMEOUT_MS, "dialTimeoutMs"),
    pingIntervalMs: positive(options.pingIntervalMs ?? C.PING_INTERVAL_MS, "pingIntervalMs"),
    backoff: {
      baseMs: positive(
        options.bootstrapBackoffBaseMs ?? C.BOOTSTRAP_BACKOFF_BASE_MS,
        "bootstrapBackoffBaseMs",
      ),
      maxMs: positive(options.bootstrapBackoffMaxMs ?? C.BOOTSTRAP_BACKOFF_MAX_MS, "bootstrapBackoffMaxMs"),
    },
    frameBytesMax: positive(options.frameBytesMax ?? C.FRAME_BYTES_MAX, "frameBytesMax"),
    streamIdleTimeoutMs: positive(
      options.streamIdleTimeoutMs ?? C.STREAM_IDLE_TIMEOUT_MS,
      "streamIdleTimeoutMs",
    ),
    streamTimeoutMs: positive(options.streamTimeoutMs ?? C.STREAM_TIMEOUT_MS, "streamTimeoutMs"),
    gossipMessageBytesMax: positive(
      options.gossipMessageBytesMax ?? C.GOSSIP_MESSAGE_BYTES_MAX,
      "gossipMessageBytesMax",
    ),
  };
}

/**
 * Returns `value` when it is a positive safe integer.
 * @throws RangeError naming `name` and the value received otherwise.
 */
export function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`"${name}" expected a positive integer, got ${value}`);
  return value;
}
