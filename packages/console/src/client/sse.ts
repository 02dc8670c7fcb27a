/**
 * The live trade feed: `GET /v1/tirami/trades/stream` read with `fetch` (so the token travels in the
 * `Authorization` header; `EventSource` could only put it in the URL), parsed as Server-Sent Events, and
 * reconnected with a capped back-off when the connection drops. Trades go to a bounded store that views
 * subscribe to.
 * @module
 */
import type { Api } from "./api.js";
import type { TradeEvent } from "./types.js";

/** Trades the page keeps in memory, newest first. */
export const TRADES_KEPT_MAX = 200;
/** Characters of one SSE event the parser accepts before dropping the connection as broken. */
export const SSE_EVENT_CHARS_MAX = 65_536;
/** Reconnect back-off: first and largest wait (ms). */
export const RECONNECT_MS_MIN = 1_000;
export const RECONNECT_MS_MAX = 30_000;

/** One parsed Server-Sent Event. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/** Feeds text chunks in, calls `onEvent` for each complete event (comments are ignored). */
export function createSseParser(onEvent: (event: SseEvent) => void): (chunk: string) => void {
  let buffer = "";
  return (chunk) => {
    buffer += chunk.replace(/\r\n?/g, "\n");
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line === "" || line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
        else if (field === "id") id = value;
      }
      if (data.length > 0) onEvent({ event, data: data.join("\n"), id });
    }
    if (buffer.length > SSE_EVENT_CHARS_MAX) throw new Error("an event exceeds the size limit");
  };
}

/** The connection state shown in the page. */
export type FeedState = "connecting" | "live" | "retrying" | "stopped";

/** Recent trades, newest first, with listeners. */
export interface TradeFeed {
  trades(): TradeEvent[];
  state(): FeedState;
  /** Adds trades read with `GET /trades` (older ones; duplicates ignored). */
  seed(trades: TradeEvent[]): void;
  onChange(listener: (fresh: TradeEvent | undefined) => void): () => void;
  stop(): void;
}

/** Opens the feed for `api` and keeps it open until `stop()`. */
export function startTradeFeed(api: Api): TradeFeed {
  const list: TradeEvent[] = [];
  const seen = new Set<string>();
  const listeners = new Set<(fresh: TradeEvent | undefined) => void>();
  const controller = new AbortController();
  let state: FeedState = "connecting";
  const notify = (fresh: TradeEvent | undefined) => {
    for (const listener of listeners) listener(fresh);
  };
  const add = (trade: TradeEvent, front: boolean): boolean => {
    if (seen.has(trade.trade_id)) return false;
    seen.add(trade.trade_id);
    if (front) list.unshift(trade);
    else list.push(trade);
    list.sort((a, b) => b.trade.timestamp_ms - a.trade.timestamp_ms);
    while (list.length > TRADES_KEPT_MAX) seen.delete((list.pop() as TradeEvent).trade_id);
    return true;
  };
  const setState = (next: FeedState) => {
    state = next;
    notify(undefined);
  };

  async function readOnce(): Promise<void> {
    const response = await api.stream("/v1/tirami/trades/stream", controller.signal);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const parse = createSseParser((event) => {
      if (event.event === "ready") setState("live");
      if (event.event !== "trade") return;
      const trade = JSON.parse(event.data) as TradeEvent;
      if (add(trade, true)) notify(trade);
    });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parse(decoder.decode(value, { stream: true }));
    }
  }

  void (async () => {
    let waitMs = RECONNECT_MS_MIN;
    while (!controller.signal.aborted) {
      try {
        await readOnce();
        waitMs = RECONNECT_MS_MIN;
      } catch {
        // Refused or dropped: retry below unless stopped.
      }
      if (controller.signal.aborted) break;
      setState("retrying");
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      waitMs = Math.min(RECONNECT_MS_MAX, waitMs * 2);
    }
    setState("stopped");
  })();

  return {
    trades: () => list,
    state: () => state,
    seed(trades) {
      let changed = false;
      for (const trade of trades) changed = add(trade, false) || changed;
      if (changed) notify(undefined);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: () => controller.abort(),
  };
}
