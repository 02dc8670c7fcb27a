/**
 * Streams a generation as SSE while keeping error statuses honest: the handler waits until the first
 * piece of text (or the end, or a failure) before it returns the response, so a request refused before
 * generation starts (busy engine, prompt too long, shutdown) still gets its 4xx/5xx status; a failure
 * after the first token is sent as an OpenAI error frame. A client that stops reading aborts generation.
 * @module
 */
import { describeError, INTERNAL_ERROR_BODY } from "../middleware/on-error.js";
import { createSseChannel } from "./sse.js";

/** How one stream is produced. */
export interface StreamPlan<R> {
  /** Runs the generation; calls `emit` for each piece of text; `signal` aborts it when the client leaves. */
  run(emit: (text: string) => void, signal: AbortSignal): Promise<R>;
  /** The frame sent first (e.g. the assistant role delta), or undefined. */
  head?: (() => unknown) | undefined;
  /** The frame for one piece of text. */
  piece(text: string): unknown;
  /** The frames that end a successful stream (finish reason, usage, x_tirami). */
  tail(result: R): unknown[];
  /** Called with unexpected errors that happen after the response started. */
  onLateError(error: unknown): void;
}

/** Runs `plan` and returns the streaming response once the first text (or the end) is known. */
export async function streamGeneration<R>(plan: StreamPlan<R>): Promise<Response> {
  const client = new AbortController();
  const channel = createSseChannel(() => client.abort());
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
    if (head !== undefined) channel.send(head);
    markStarted();
  };
  plan
    .run((text) => {
      begin();
      channel.send(plan.piece(text));
    }, client.signal)
    .then(
      (result) => {
        begin();
        for (const frame of plan.tail(result)) channel.send(frame);
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
        channel.send(described?.body ?? INTERNAL_ERROR_BODY);
        channel.close();
      },
    );
  await firstEvent;
  return channel.response();
}
