/**
 * Streams a generation as SSE while keeping error statuses honest: the handler waits until the first
 * piece of text (or the end, or a failure) before it returns the response, so a request refused before
 * generation starts (busy engine, prompt too long, shutdown) still gets its 4xx/5xx status; a failure
 * after the first token is sent as an OpenAI error frame. A client that stops reading aborts generation.
 * Text after the first piece is coalesced by the channel (see `sse.ts`): nothing heavier than a string
 * concatenation runs per token on the generation's thread.
 * @module
 */
import type { Context } from "hono";
import { describeError, INTERNAL_ERROR_BODY } from "../middleware/on-error.js";
import type { AppEnv } from "../principal.js";
import { createSseChannel, type Framing, type SseTarget } from "./sse.js";

/** Streaming settings of a route. */
export interface StreamSettings {
  /** Coalescing of streamed text: written at most once per this many ms (default `SSE_FLUSH_INTERVAL_MS`). */
  sseFlushIntervalMs?: number | undefined;
}

/** How one stream is produced. */
export interface StreamPlan<R> {
  /** Runs the generation; calls `emit` for each piece of text; `signal` aborts it when the client leaves. */
  run(emit: (text: string) => void, signal: AbortSignal): Promise<R>;
  /** The frame sent first (e.g. the assistant role delta), or undefined. */
  head?: (() => unknown) | undefined;
  /** The frame for one piece of text (may be several coalesced pieces; a `RawJson` is written as is). */
  piece(text: string): unknown;
  /** The frames that end a successful stream (finish reason, usage, x_tirami). */
  tail(result: R): unknown[];
  /** Where the frames go: `sseTargetOf(c)` writes straight to the Node response (default: a web stream). */
  target?: SseTarget | undefined;
  /** Streamed text is coalesced and written at most once per this many ms (default `SSE_FLUSH_INTERVAL_MS`). */
  flushIntervalMs?: number | undefined;
  /** Called with unexpected errors that happen after the response started. */
  onLateError(error: unknown): void;
  /** SSE (default) or NDJSON frames. */
  framing?: Framing | undefined;
  /** The frame reporting a failure after the stream started (default: the OpenAI error body). */
  errorFrame?: ((body: { error: { message: string } }) => unknown) | undefined;
}

/** The stream target of a request: the Node response under @hono/node-server, and its request id. */
export function sseTargetOf(c: Context<AppEnv>): SseTarget {
  const requestId = c.get("requestId");
  return {
    outgoing: (c.env as { outgoing?: unknown } | undefined)?.outgoing,
    headers: requestId === undefined ? undefined : { "X-Request-Id": requestId },
  };
}

/**
 * Runs `plan` and returns the streaming response once the first text (or the end) is known. With a
 * `plan.target` holding @hono/node-server's `outgoing` (`c.env.outgoing`), frames are written to it
 * directly and the returned response is hono's "already sent" marker.
 */
export async function streamGeneration<R>(plan: StreamPlan<R>): Promise<Response> {
  const client = new AbortController();
  const channel = createSseChannel(() => client.abort(), {
    piece: (text) => plan.piece(text),
    target: plan.target,
    flushIntervalMs: plan.flushIntervalMs,
    framing: plan.framing,
  });
  let started = false;
  let markStarted!: () => void;
  let failEarly!: (error: unknown) => void;
  const firstEvent = new Promise<void>((resolve, reject) => {
    markStarted = resolve;
    failEarly = reject;
  });
  const begin = (): void => {
    if (started) return;
    started = true;
    const head = plan.head?.();
    if (head !== undefined) channel.queue(head);
    markStarted();
  };
  plan
    .run((text) => {
      if (started) return channel.text(text);
      begin();
      channel.text(text);
      channel.flush(); // the first token is never delayed
    }, client.signal)
    .then(
      (result) => {
        begin();
        channel.settleText(); // the last text's frame comes before the tail's (which may number them)
        for (const frame of plan.tail(result)) channel.queue(frame);
        channel.done();
      },
      (error: unknown) => {
        if (!started) {
          channel.close();
          failEarly(error);
          return;
        }
        const described = describeError(error);
        if (described === undefined) plan.onLateError(error);
        const body = described?.body ?? INTERNAL_ERROR_BODY;
        channel.queue(plan.errorFrame === undefined ? body : plan.errorFrame(body));
        channel.close();
      },
    );
  await firstEvent;
  return channel.response();
}
