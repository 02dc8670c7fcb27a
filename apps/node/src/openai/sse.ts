/**
 * A server-sent-events response body written frame by frame: `data: <json>\n\n` per chunk and the
 * literal `data: [DONE]` at the end, as OpenAI streams. Frames sent before the response is returned
 * are buffered, so a handler can wait for the first token (and still answer a clean 4xx/5xx status if
 * generation fails before it) without losing anything. A client that goes away cancels the stream,
 * which fires `onCancel` so generation can be aborted.
 * @module
 */

const encoder = new TextEncoder();

/** One SSE response under construction. */
export interface SseChannel {
  /** Sends one `data: <JSON>` frame. Ignored once closed. */
  send(value: unknown): void;
  /** Sends `data: [DONE]` and closes the stream. */
  done(): void;
  /** Closes the stream without `[DONE]` (after an error frame). */
  close(): void;
  /** True once closed by us or cancelled by the client. */
  readonly closed: boolean;
  /** The HTTP response carrying the stream. */
  response(headers?: Record<string, string>): Response;
}

/** Creates a channel; `onCancel` runs once if the client stops reading. */
export function createSseChannel(onCancel: () => void): SseChannel {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const body = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
    },
    cancel() {
      closed = true;
      onCancel();
    },
  });
  const write = (frame: string): void => {
    if (closed) return;
    try {
      controller.enqueue(encoder.encode(frame));
    } catch {
      closed = true;
      onCancel();
    }
  };
  const close = (): void => {
    if (closed) return;
    closed = true;
    try {
      controller.close();
    } catch {
      // Already errored by the runtime; nothing left to close.
    }
  };
  return {
    send: (value) => write(`data: ${JSON.stringify(value)}\n\n`),
    done() {
      write("data: [DONE]\n\n");
      close();
    },
    close,
    get closed() {
      return closed;
    },
    response: (headers = {}) =>
      new Response(body, {
        status: 200,
        headers: {
          "Content-Type": "text/event-stream; charset=utf-8",
          "Cache-Control": "no-cache",
          Connection: "keep-alive",
          ...headers,
        },
      }),
  };
}
