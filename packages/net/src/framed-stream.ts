/**
 * A request stream as the caller sees it: a duplex of length-prefixed frames over one libp2p stream,
 * with a per-frame size limit, an idle timeout, an overall timeout and cancellation in both directions.
 *
 * - `send(bytes)` writes a DATA frame (waiting for the muxer to drain when its buffer is full).
 * - Iterating yields the peer's DATA frames until its END frame; a stream that closes or resets without
 *   END, an ERROR frame, a timeout or a local abort make the iterator throw a `NetError`.
 * - `close()` sends END and half-closes: "I will send no more", reading continues.
 * - `abort()` resets the stream; the peer's iterator throws STREAM_ABORTED and its `signal` aborts.
 * @module
 */
import "./polyfill.js";
import type { AccountId } from "@tirami/core";
import type { Stream } from "@libp2p/interface";
import { FRAME_QUEUE_MAX } from "./constants.js";
import { NetError, NetErrorCode } from "./errors.js";
import { decodeErrorPayload, encodeErrorPayload, encodeFrame, FrameDecoder, FrameType } from "./frames.js";

/** The framed duplex handed to request handlers and returned by `MeshHost.request`. */
export interface FramedStream extends AsyncIterable<Uint8Array> {
  /** The account of the peer at the other end (authenticated by Noise). */
  readonly remoteAccount: AccountId;
  /** The protocol id negotiated for this stream. */
  readonly protocol: string;
  /** Aborts when the stream fails: timeout, reset, local abort or a protocol violation (reason = the NetError). */
  readonly signal: AbortSignal;
  /** Sends one DATA frame. Throws FRAME_TOO_LARGE over the limit, or the stream's failure. */
  send(payload: Uint8Array): Promise<void>;
  /** Sends END and half-closes the write side. Idempotent. */
  close(): Promise<void>;
  /** Resets the stream both ways. The local iterator throws STREAM_ABORTED (or `error` when given). */
  abort(error?: Error): void;
}

export interface FramedStreamOptions {
  remoteAccount: AccountId;
  frameBytesMax: number;
  idleTimeoutMs: number;
  timeoutMs: number;
  /** Aborting it aborts the stream (STREAM_ABORTED). */
  signal?: AbortSignal | undefined;
}

type Waiter = { resolve: () => void };

/** Wraps a libp2p stream; used by both ends. Internal — callers see `FramedStream`. */
export class FramedStreamImpl implements FramedStream {
  readonly remoteAccount: AccountId;
  readonly protocol: string;
  readonly #stream: Stream;
  readonly #decoder: FrameDecoder;
  readonly #frameBytesMax: number;
  readonly #queue: Uint8Array[] = [];
  readonly #controller = new AbortController();
  readonly #idleTimer: NodeJS.Timeout;
  readonly #overallTimer: NodeJS.Timeout;
  readonly #externalSignal: AbortSignal | undefined;
  #waiter: Waiter | undefined;
  #failure: NetError | undefined;
  #remoteEnded = false;
  #localEnded = false;
  #paused = false;
  #discarding = false;
  #done = false;

  constructor(stream: Stream, options: FramedStreamOptions) {
    this.#stream = stream;
    this.remoteAccount = options.remoteAccount;
    this.protocol = stream.protocol;
    this.#frameBytesMax = options.frameBytesMax;
    this.#decoder = new FrameDecoder(options.frameBytesMax);
    // Our idle timer is the one that fires; keep libp2p's own inactivity timer out of the way.
    stream.inactivityTimeout = options.idleTimeoutMs * 2 + 1_000;
    this.#idleTimer = setTimeout(() => this.#timeout("idle", options.idleTimeoutMs), options.idleTimeoutMs);
    this.#overallTimer = setTimeout(() => this.#timeout("overall", options.timeoutMs), options.timeoutMs);
    this.#idleTimer.unref();
    this.#overallTimer.unref();
    stream.addEventListener("message", this.#onMessage);
    stream.addEventListener("end", this.#onEnd);
    stream.addEventListener("close", this.#onClose);
    this.#externalSignal = options.signal;
    if (options.signal !== undefined) {
      if (options.signal.aborted) queueMicrotask(this.#onExternalAbort);
      else options.signal.addEventListener("abort", this.#onExternalAbort, { once: true });
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  async send(payload: Uint8Array): Promise<void> {
    if (!(payload instanceof Uint8Array))
      throw new TypeError(`"payload" expected Uint8Array, got ${typeof payload}`);
    if (payload.length > this.#frameBytesMax) {
      throw new NetError(
        NetErrorCode.FRAME_TOO_LARGE,
        `frame of ${payload.length} bytes exceeds the ${this.#frameBytesMax}-byte limit`,
        {
          details: { payloadBytes: payload.length, payloadBytesMax: this.#frameBytesMax },
        },
      );
    }
    if (this.#localEnded) throw new TypeError("send() after close()");
    await this.#write(encodeFrame(FrameType.DATA, payload));
  }

  async close(): Promise<void> {
    if (this.#localEnded || this.#failure !== undefined) return;
    this.#localEnded = true;
    await this.#write(encodeFrame(FrameType.END));
    try {
      await this.#stream.close({ signal: this.#controller.signal });
    } catch (cause) {
      this.#fail(mapStreamError(cause, "closing the stream"), true);
    }
    this.#maybeDone();
  }

  /** Provider side: report a handler failure to the consumer as an ERROR frame, then close. */
  async closeWithError(code: string, message: string): Promise<void> {
    if (this.#localEnded || this.#failure !== undefined) return;
    this.#localEnded = true;
    await this.#write(encodeFrame(FrameType.ERROR, encodeErrorPayload(code, message))).catch(() => undefined);
    await this.#stream.close({ signal: this.#controller.signal }).catch(() => undefined);
    this.#maybeDone();
  }

  abort(error?: Error): void {
    const failure =
      error instanceof NetError
        ? error
        : new NetError(NetErrorCode.STREAM_ABORTED, error?.message ?? "stream aborted locally", {
            cause: error,
          });
    this.#fail(failure, true);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        for (;;) {
          if (this.#failure !== undefined) throw this.#failure;
          const frame = this.#queue.shift();
          if (frame !== undefined) {
            if (this.#queue.length <= FRAME_QUEUE_MAX / 2) this.#resumeIfPaused();
            return { value: frame, done: false };
          }
          if (this.#remoteEnded) return { value: undefined, done: true };
          await new Promise<void>((resolve) => {
            this.#waiter = { resolve };
          });
        }
      },
      return: async (): Promise<IteratorResult<Uint8Array>> => {
        // The reader stopped early (e.g. `break` after the request frame): drop further DATA frames
        // instead of buffering them; END, ERROR and failures are still tracked. Call abort() to cancel.
        this.#discarding = true;
        this.#queue.length = 0;
        this.#resumeIfPaused();
        return { value: undefined, done: true };
      },
    };
  }

  async #write(frame: Uint8Array): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    this.#idleTimer.refresh();
    try {
      if (!this.#stream.send(frame)) await this.#stream.onDrain({ signal: this.#controller.signal });
    } catch (cause) {
      if (this.#failure !== undefined) throw this.#failure;
      const failure = mapStreamError(cause, "writing a frame");
      this.#fail(failure, true);
      throw failure;
    }
  }

  readonly #onMessage = (event: { data: Uint8Array | { subarray(): Uint8Array } }): void => {
    if (this.#failure !== undefined) return;
    const bytes = event.data instanceof Uint8Array ? event.data : event.data.subarray();
    let frames;
    try {
      frames = this.#decoder.push(bytes);
    } catch (error) {
      this.#fail(
        error instanceof NetError
          ? error
          : new NetError(NetErrorCode.PROTOCOL_ERROR, "bad frame", { cause: error }),
        true,
      );
      return;
    }
    if (frames.length > 0) this.#idleTimer.refresh();
    for (const frame of frames) {
      if (this.#remoteEnded) {
        this.#fail(new NetError(NetErrorCode.PROTOCOL_ERROR, "peer sent a frame after END"), true);
        return;
      }
      if (frame.type === FrameType.DATA) {
        if (!this.#discarding) this.#queue.push(frame.payload);
      } else if (frame.type === FrameType.END) {
        this.#remoteEnded = true;
        // The consumer side: the provider is done, so nothing we could still send would be read.
        if (this.#stream.direction === "outbound") void this.close().catch(() => undefined);
      } else {
        const { code, message } = decodeErrorPayload(frame.payload);
        this.#fail(
          new NetError(NetErrorCode.REMOTE_ERROR, `peer failed: ${code}: ${message}`, {
            details: { remoteCode: code, remoteMessage: message },
          }),
          true,
        );
        return;
      }
    }
    if (!this.#paused && this.#queue.length >= FRAME_QUEUE_MAX) {
      this.#paused = true;
      this.#stream.pause();
    }
    this.#wake();
    this.#maybeDone();
  };

  readonly #onEnd = (): void => {
    if (!this.#remoteEnded)
      this.#fail(new NetError(NetErrorCode.STREAM_ABORTED, "peer closed the stream without END"), true);
  };

  readonly #onClose = (event: { error?: Error | undefined; local?: boolean | undefined }): void => {
    if (this.#failure !== undefined || (this.#remoteEnded && this.#localEnded)) return this.#finish();
    if (event.error !== undefined) {
      this.#fail(
        new NetError(NetErrorCode.STREAM_ABORTED, `stream reset: ${event.error.message}`, {
          cause: event.error,
        }),
        false,
      );
    } else if (!this.#remoteEnded && this.#stream.readBufferLength === 0 && !this.#paused) {
      this.#fail(new NetError(NetErrorCode.STREAM_ABORTED, "stream closed before the peer sent END"), false);
    }
    // Otherwise frames are still buffered (we paused for back-pressure): 'end' fires once they are read.
  };

  readonly #onExternalAbort = (): void => {
    this.#fail(
      new NetError(NetErrorCode.STREAM_ABORTED, "request cancelled", { cause: this.#externalSignal?.reason }),
      true,
    );
  };

  #timeout(kind: "idle" | "overall", ms: number): void {
    this.#fail(
      new NetError(NetErrorCode.STREAM_TIMEOUT, `request stream ${kind} timeout after ${ms} ms`, {
        details: { kind, timeoutMs: ms },
      }),
      true,
    );
  }

  #fail(failure: NetError, abortStream: boolean): void {
    if (this.#failure !== undefined || this.#done) return;
    this.#failure = failure;
    this.#queue.length = 0;
    this.#controller.abort(failure);
    if (
      abortStream &&
      this.#stream.status !== "closed" &&
      this.#stream.status !== "aborted" &&
      this.#stream.status !== "reset"
    ) {
      this.#stream.abort(failure);
    }
    this.#wake();
    this.#finish();
  }

  #resumeIfPaused(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#stream.readStatus === "paused") this.#stream.resume();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve();
  }

  #maybeDone(): void {
    if (this.#remoteEnded && this.#localEnded) {
      clearTimeout(this.#idleTimer);
      clearTimeout(this.#overallTimer);
    }
  }

  #finish(): void {
    if (this.#done) return;
    this.#done =
      this.#failure !== undefined ||
      (this.#remoteEnded && this.#localEnded) ||
      this.#stream.status === "closed";
    if (!this.#done) return;
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#overallTimer);
    this.#externalSignal?.removeEventListener("abort", this.#onExternalAbort);
    this.#stream.removeEventListener("message", this.#onMessage);
    this.#stream.removeEventListener("end", this.#onEnd);
    this.#stream.removeEventListener("close", this.#onClose);
  }
}

/** Maps a libp2p stream error to a NetError. */
export function mapStreamError(cause: unknown, doing: string): NetError {
  if (cause instanceof NetError) return cause;
  const name = cause instanceof Error ? cause.name : "Error";
  const message = cause instanceof Error ? cause.message : String(cause);
  return new NetError(NetErrorCode.STREAM_ABORTED, `${doing} failed: ${name}: ${message}`, { cause });
}
