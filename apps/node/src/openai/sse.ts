/**
 * A server-sent-events response body written frame by frame: `data: <json>\n\n` per chunk and the
 * literal `data: [DONE]` at the end, as OpenAI streams. Frames sent before the response is returned
 * are buffered, so a handler can wait for the first token (and still answer a clean 4xx/5xx status if
 * generation fails before it) without losing anything. A client that goes away cancels the stream,
 * which fires `onCancel` so generation can be aborted.
 *
 * Cost per token matters (a small model makes thousands a second, and the generation loop runs on the
 * same thread): with @hono/node-server the frames go straight to the Node `ServerResponse` (no web-streams
 * bridge), and streamed text (`text`) is coalesced — pieces that arrive before the next flush (at most one
 * per `SSE_FLUSH_INTERVAL_MS`, and none while the socket pushes back until it drains) become one chunk.
 * OpenAI clients concatenate `delta.content`, so the stream means the same; the first text is never
 * delayed (`flush`), and a model slower than one token per interval streams each token as it comes.
 *
 * When a write happens matters as much as how often. The text that makes a write due schedules it with
 * `setImmediate`: it runs once the current turn is over, i.e. after node-llama-cpp has dispatched its next
 * decode, so the write overlaps llama.cpp's work instead of delaying it, and the loop is not woken by a
 * timer of its own. Text held when tokens stop coming (a stalled model) goes out by a stall timer, at
 * most two intervals after the previous write.
 * @module
 */
import { ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { SSE_FLUSH_INTERVAL_MS } from "../constants.js";

const encoder = new TextEncoder();

/** A value already serialised as JSON: `send` writes its text as is. */
export class RawJson {
  constructor(readonly json: string) {}
}

/**
 * Pre-serialises a chunk around its one text field: `build` runs once with a marker, and each call then
 * costs one `JSON.stringify(text)` and two concatenations instead of building and serialising an object.
 * @throws TypeError if `build` does not place its argument exactly once as a JSON string value.
 */
export function jsonAroundText(build: (text: string) => unknown): (text: string) => RawJson {
  const marker = "\u0000tirami:text\u0000";
  const json = JSON.stringify(build(marker));
  const encoded = JSON.stringify(marker);
  const at = json.indexOf(encoded);
  if (at < 0 || json.indexOf(encoded, at + 1) >= 0)
    throw new TypeError("jsonAroundText: build must use its text argument exactly once");
  const prefix = json.slice(0, at);
  const suffix = json.slice(at + encoded.length);
  return (text) => new RawJson(prefix + JSON.stringify(text) + suffix);
}

/** Where frames are written: a Node response, or a web `ReadableStream` (tests through `app.request`). */
export interface SseTarget {
  /** `c.env.outgoing` under @hono/node-server; anything else falls back to a web stream. */
  outgoing?: unknown;
  /** Extra response headers (e.g. `X-Request-Id`, which middleware cannot add to a response already sent). */
  headers?: Record<string, string> | undefined;
}

/** One SSE response under construction. */
export interface SseChannel {
  /** Sends one `data: <JSON>` frame (after any pending text), now. Ignored once closed. */
  send(value: unknown): void;
  /** Queues one frame (after any pending text) without flushing; `flush` or the next `send` writes it. */
  queue(value: unknown): void;
  /** Adds streamed text: coalesced with other pending text into one `piece` frame at the next flush. */
  text(text: string): void;
  /** Writes everything pending now (unless the client is pushing back). */
  flush(): void;
  /** Turns pending text into its `piece` frame now (written with the next write), so frames built after it follow it. */
  settleText(): void;
  /** Sends `data: [DONE]` and closes the stream. */
  done(): void;
  /** Closes the stream without `[DONE]` (after an error frame). */
  close(): void;
  /** True once closed by us or cancelled by the client. */
  readonly closed: boolean;
  /**
   * The HTTP response carrying the stream: the web-stream response, or, when the frames go to the Node
   * response directly, hono's marker that the response was already sent.
   */
  response(headers?: Record<string, string>): Response;
}

/** Options of a channel. */
export interface SseChannelOptions {
  /** Builds the frame of coalesced streamed text (required to use `text`). */
  piece?: ((text: string) => unknown) | undefined;
  /** Where the frames go (default: a web stream). */
  target?: SseTarget | undefined;
  /** Streamed text is written at most once per this many ms (default `SSE_FLUSH_INTERVAL_MS`; 0 = each turn). */
  flushIntervalMs?: number | undefined;
  /**
   * `sse` (default): `data: <json>\n\n` frames ending with `data: [DONE]`; `ndjson`: one JSON document per
   * line and no end marker (`application/x-ndjson`, as Ollama streams).
   */
  framing?: Framing | undefined;
}

/** How frames are written. */
export type Framing = "sse" | "ndjson";

const NDJSON_HEADERS: Record<string, string> = {
  "Content-Type": "application/x-ndjson",
  "Cache-Control": "no-cache",
  Connection: "keep-alive",
};

const ndjsonFrameOf = (value: unknown): string =>
  `${value instanceof RawJson ? value.json : JSON.stringify(value)}\n`;

const SSE_HEADERS: Record<string, string> = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache",
  Connection: "keep-alive",
};

const sseFrameOf = (value: unknown): string =>
  `data: ${value instanceof RawJson ? value.json : JSON.stringify(value)}\n\n`;

/** Where bytes go: a Node response or a web stream controller. */
interface Sink {
  write(data: string): void;
  /** True while the reader pushes back: hold text to coalesce it. */
  blocked(): boolean;
  end(): void;
}

/** Creates a channel; `onCancel` runs once if the client stops reading. */
export function createSseChannel(onCancel: () => void, options: SseChannelOptions = {}): SseChannel {
  const ndjson = options.framing === "ndjson";
  const frameOf = ndjson ? ndjsonFrameOf : sseFrameOf;
  const headers = ndjson ? NDJSON_HEADERS : SSE_HEADERS;
  let closed = false;
  let pendingText = "";
  let out = "";
  let scheduled = false;
  let stall: ReturnType<typeof setTimeout> | undefined;
  let lastWriteMs = -Infinity;
  const flushIntervalMs = options.flushIntervalMs ?? SSE_FLUSH_INTERVAL_MS;
  const cancel = (): void => {
    if (closed) return;
    closed = true;
    clearTimeout(stall);
    onCancel();
  };
  const takeText = (): void => {
    if (pendingText === "") return;
    out += frameOf((options.piece as (text: string) => unknown)(pendingText));
    pendingText = "";
  };
  const writeOut = (): void => {
    if (stall !== undefined) {
      clearTimeout(stall);
      stall = undefined;
    }
    takeText();
    if (out === "") return;
    const data = out;
    out = "";
    lastWriteMs = performance.now();
    sink.write(data);
  };
  const flush = (): void => {
    scheduled = false;
    if (!closed && !sink.blocked()) writeOut(); // else the drain (or the next pull) flushes
  };
  const flushStalled = (): void => {
    stall = undefined;
    if (!scheduled) flush();
  };
  const queue = (value: unknown): void => {
    if (closed) return;
    takeText();
    out += frameOf(value);
  };

  const outgoing = options.target?.outgoing;
  const extraHeaders = options.target?.headers ?? {};
  let sink: Sink;
  let body: ReadableStream<Uint8Array> | undefined;
  if (outgoing instanceof ServerResponse) {
    const res = outgoing as ServerResponse;
    const writable = (): boolean => !res.destroyed && !res.writableEnded;
    res.on("drain", flush);
    res.on("close", () => {
      if (!res.writableFinished) cancel();
    });
    res.on("error", cancel);
    sink = {
      write(data) {
        if (!writable()) return cancel();
        if (!res.headersSent) res.writeHead(200, { ...headers, ...extraHeaders });
        res.write(data);
        // Node corks a chunked response's writes until the next tick, which — inside a generation loop
        // chaining promises — comes only once the loop next waits on llama.cpp. Send the frame now.
        if (res.socket !== null && res.socket.writableCorked > 0) res.socket.uncork();
      },
      blocked: () => res.writableNeedDrain,
      end() {
        // Nothing sent yet (a failure before the first token): the error handler answers instead.
        if (writable() && res.headersSent) res.end();
      },
    };
  } else {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    body = new ReadableStream<Uint8Array>({
      start(streamController) {
        controller = streamController;
      },
      pull() {
        if (!scheduled && (pendingText !== "" || out !== "")) flush();
      },
      cancel,
    });
    sink = {
      write(data) {
        try {
          controller.enqueue(encoder.encode(data));
        } catch {
          cancel();
        }
      },
      blocked: () => (controller.desiredSize ?? 1) <= 0,
      end() {
        try {
          controller.close();
        } catch {
          // Already errored by the runtime; nothing left to close.
        }
      },
    };
  }

  const close = (): void => {
    if (closed) return;
    writeOut(); // even while the reader pushes back: the socket buffers the end of the stream
    closed = true;
    sink.end();
  };
  return {
    send(value) {
      queue(value);
      flush();
    },
    queue,
    settleText: takeText,
    text(text) {
      if (closed || text === "") return;
      if (options.piece === undefined) throw new TypeError("createSseChannel: text needs options.piece");
      pendingText += text;
      if (scheduled) return;
      const nowMs = performance.now();
      if (nowMs - lastWriteMs >= flushIntervalMs) {
        scheduled = true;
        setImmediate(flush);
      } else {
        stall ??= setTimeout(flushStalled, lastWriteMs + 2 * flushIntervalMs - nowMs);
      }
    },
    flush,
    done() {
      if (!ndjson) queue(new RawJson("[DONE]"));
      close();
    },
    close,
    get closed() {
      return closed;
    },
    response(extra = {}) {
      if (body === undefined) return RESPONSE_ALREADY_SENT;
      return new Response(body, { status: 200, headers: { ...headers, ...extraHeaders, ...extra } });
    },
  };
}
