/**
 * `GET /v1/tirami/trades/stream`: the trades this node's ledger takes, pushed as Server-Sent Events the
 * moment they are applied (made here as consumer or provider, or learnt from gossip and sync). The
 * operator sees every trade; an agent sees only its own purchases: the trades the spend path settled for
 * that agent (`trade-owners.ts`; the spend path notes the spender before the market announces the trade,
 * so the attribution exists when the trade reaches the stream).
 *
 * The stream opens with `event: ready`, then sends `event: trade` (`id:` the trade id; data: the signed
 * trade, its `source` and its `proof_path`) and a comment line every heartbeat so proxies and clients can
 * tell a quiet stream from a dead one. Subscribers are bounded; a client too slow to read its queue is cut
 * off with `event: overflow` (it can reconnect and page `GET /trades` for what it missed).
 * @module
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { Market, TradeSource } from "@tirami/market";
import type { SignedTrade } from "@tirami/proto";
import { NodeError, NodeErrorCode } from "../errors.js";
import { type AppEnv, type Principal, spenderOf } from "../principal.js";
import type { TradeOwners } from "../trade-owners.js";

/** Open trade streams a node serves at once (a console tab or a client each hold one). */
export const TRADE_STREAM_SUBSCRIBERS_MAX = 32;
/** Interval of the keep-alive comment (ms): well under the usual 60 s idle timeout of proxies. */
export const TRADE_STREAM_HEARTBEAT_MS = 15_000;
/** Trades queued for one subscriber before it is cut off as too slow. */
export const TRADE_STREAM_QUEUE_MAX = 256;

/** Settings of the trade stream (defaults: the constants above). */
export interface TradeStreamSettings {
  heartbeatMs: number;
  subscribersMax: number;
  queueMax: number;
}

/** What the trade stream reads. */
export interface TradeStreamDeps {
  mesh(): Market | undefined;
  owners: Pick<TradeOwners, "ownerOf">;
  settings?: Partial<TradeStreamSettings> | undefined;
}

/** One streamed trade: the signed trade, how this node got it, and where its inclusion proof is served. */
export interface TradeEvent extends SignedTrade {
  source: TradeSource;
  proof_path: string;
}

/** True when `principal` may see `signed` on the stream. */
function visibleTo(deps: TradeStreamDeps, principal: Principal, signed: SignedTrade): boolean {
  return principal.kind === "operator" || deps.owners.ownerOf(signed.trade_id) === spenderOf(principal);
}

/** Routes of the trade stream; mount before the `/trades/:trade_id` route so `stream` is not taken for an id. */
export function tradeStreamRoutes(deps: TradeStreamDeps): Hono<AppEnv> {
  const settings: TradeStreamSettings = {
    heartbeatMs: deps.settings?.heartbeatMs ?? TRADE_STREAM_HEARTBEAT_MS,
    subscribersMax: deps.settings?.subscribersMax ?? TRADE_STREAM_SUBSCRIBERS_MAX,
    queueMax: deps.settings?.queueMax ?? TRADE_STREAM_QUEUE_MAX,
  };
  for (const [name, value] of Object.entries(settings))
    if (!Number.isSafeInteger(value) || value < 1)
      throw new RangeError(`${name} expected a positive integer`);
  const app = new Hono<AppEnv>();
  let subscribers = 0;

  app.get("/trades/stream", (c) => {
    if (subscribers >= settings.subscribersMax)
      throw new NodeError(
        NodeErrorCode.STREAMS_FULL,
        `${settings.subscribersMax} trade streams are open; close one or retry later`,
        { retryAfterS: Math.ceil(settings.heartbeatMs / 1_000) },
      );
    subscribers += 1;
    const principal = c.get("principal");
    const market = deps.mesh();
    const queue: TradeEvent[] = [];
    let overflowed = false;
    let wake: (() => void) | undefined;
    const unsubscribe =
      market?.onTrade((signed, source) => {
        if (!visibleTo(deps, principal, signed)) return;
        if (queue.length >= settings.queueMax) overflowed = true;
        else queue.push({ ...signed, source, proof_path: `/v1/tirami/proof/${signed.trade_id}` });
        wake?.();
      }) ?? (() => undefined);
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => wake?.());
      try {
        await stream.writeSSE({
          event: "ready",
          data: JSON.stringify({ heartbeat_ms: settings.heartbeatMs, mesh: market !== undefined }),
        });
        while (!stream.aborted && !stream.closed) {
          if (queue.length === 0 && !overflowed)
            await idle(settings.heartbeatMs, (resolve) => (wake = resolve));
          wake = undefined;
          if (stream.aborted || stream.closed) break;
          if (overflowed) {
            await stream.writeSSE({
              event: "overflow",
              data: JSON.stringify({ queue_max: settings.queueMax }),
            });
            break;
          }
          if (queue.length === 0) await stream.write(": heartbeat\n\n");
          for (let event = queue.shift(); event !== undefined; event = queue.shift())
            await stream.writeSSE({ event: "trade", id: event.trade_id, data: JSON.stringify(event) });
        }
      } finally {
        unsubscribe();
        subscribers -= 1;
      }
    });
  });
  return app;
}

/** Resolves after `timeoutMs`, or earlier when the `arm`ed wake-up is called. */
function idle(timeoutMs: number, arm: (resolve: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    arm(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
