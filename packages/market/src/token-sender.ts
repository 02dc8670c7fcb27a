/**
 * The provider's side of the token stream: generated text becomes `token_chunk` frames, coalesced.
 *
 * A frame costs far more than the text in it — protocol encoding, a yamux frame, a Noise encryption, a TCP
 * write, and the window update yamux answers every data frame with, which the provider must decrypt and
 * read in turn — all on the thread that drives generation. Sending one frame per token cost the provider
 * ~100 µs per token (measured: a third of the time a 260K-parameter model needs to make one), so text is
 * held and sent at most once per `intervalMs` (`chunkIntervalMs`: 8 ms for one stream, longer when several
 * generate at once), and not at all while the previous frame waits for the stream to drain. The first text is never held (time to first token), a
 * model slower than one token per interval sends each token as it comes, and `end()` sends what is held
 * at once, so the consumer has every piece before `infer_end`. A chunk carries at most `textBytesMax`
 * bytes of text (the wire limit, `TOKEN_CHUNK_TEXT_BYTES_MAX`); chunk indices count chunks (0, 1, 2, …),
 * which is all the consumer checks.
 *
 * As in the node's SSE channel (apps/node), a send that becomes due is made with `setImmediate`,
 * after the current turn — i.e. once node-llama-cpp has dispatched its next decode — so it overlaps the
 * decode instead of delaying it.
 * @module
 */
import { performance } from "node:perf_hooks";
import { encodeMessage, TOKEN_CHUNK_TEXT_BYTES_MAX } from "@tirami/proto";
import { TOKEN_CHUNK_INTERVAL_MAX_MS, TOKEN_CHUNK_INTERVAL_MS } from "./constants.js";

/** Options of `createTokenSender`. */
export interface TokenSenderOptions {
  /** The `request_id` every chunk carries. */
  requestId: string;
  /** Sends one encoded frame; resolves once the stream took it (after a drain when it pushes back). */
  send(frame: Uint8Array): Promise<void>;
  /**
   * Held text is sent at most once per this many ms (0 = every turn), or per what the function returns
   * when a send is due (e.g. `chunkIntervalMs` of the streams generating now). Default
   * `TOKEN_CHUNK_INTERVAL_MS`.
   */
  intervalMs?: number | (() => number) | undefined;
  /** Most UTF-8 bytes of text in one chunk (default and upper bound `TOKEN_CHUNK_TEXT_BYTES_MAX`; ≥ 4). */
  textBytesMax?: number | undefined;
}

/** Turns generated text into coalesced `token_chunk` frames. */
export interface TokenSender {
  /** Adds generated text (the engine's `onText`). Never throws; after a failed send it drops the text. */
  push(text: string): void;
  /**
   * Sends the held text now and resolves once every chunk was handed to the stream.
   * @throws the first send failure (the stream's `NetError`).
   */
  end(): Promise<void>;
  /** Drops the held text and cancels the pending send (the generation failed). */
  discard(): void;
  /** Chunks sent so far. */
  readonly chunks: number;
}

/** Largest `intervalMs`: a longer hold would make a streamed answer visibly stutter. */
const INTERVAL_MS_MAX = 1_000;

/**
 * The interval of each of `streams` token streams generating at once: `streams × TOKEN_CHUNK_INTERVAL_MS`,
 * at most `TOKEN_CHUNK_INTERVAL_MAX_MS`, so the provider's frames per second stay flat as streams are added.
 */
export function chunkIntervalMs(streams: number): number {
  return Math.min(TOKEN_CHUNK_INTERVAL_MAX_MS, TOKEN_CHUNK_INTERVAL_MS * Math.max(1, streams));
}
/** UTF-8 bytes of one code point at most: a chunk must fit one. */
const CODE_POINT_BYTES_MAX = 4;

/**
 * Creates the sender of one request's token stream.
 * @throws {RangeError} when `intervalMs` is not an integer in [0, 1000] or `textBytesMax` not in [4, 16384].
 * @example
 * const tokens = createTokenSender({ requestId, send: (frame) => stream.send(frame) });
 * await engine.chat(messages, { onText: tokens.push });
 * await tokens.end();
 */
export function createTokenSender(options: TokenSenderOptions): TokenSender {
  const interval = options.intervalMs ?? TOKEN_CHUNK_INTERVAL_MS;
  const textBytesMax = options.textBytesMax ?? TOKEN_CHUNK_TEXT_BYTES_MAX;
  if (
    typeof interval === "number" &&
    (!Number.isSafeInteger(interval) || interval < 0 || interval > INTERVAL_MS_MAX)
  )
    throw new RangeError(`"intervalMs" expected an integer from 0 to ${INTERVAL_MS_MAX}, got ${interval}`);
  const intervalMs = typeof interval === "number" ? () => interval : interval;
  if (
    !Number.isSafeInteger(textBytesMax) ||
    textBytesMax < CODE_POINT_BYTES_MAX ||
    textBytesMax > TOKEN_CHUNK_TEXT_BYTES_MAX
  )
    throw new RangeError(
      `"textBytesMax" expected an integer from ${CODE_POINT_BYTES_MAX} to ${TOKEN_CHUNK_TEXT_BYTES_MAX}, got ${textBytesMax}`,
    );
  let held = "";
  let heldBytes = 0;
  let index = 0;
  let lastSentMs = -Infinity;
  let sendsInFlight = 0;
  let chain: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;

  const cancel = (): void => {
    clearTimeout(timer);
    clearImmediate(immediate);
    timer = undefined;
    immediate = undefined;
  };
  const settled = (): void => {
    sendsInFlight -= 1;
    if (sendsInFlight === 0 && !closed) schedule();
  };
  const emit = (text: string): void => {
    const frame = encodeMessage({ kind: "token_chunk", request_id: options.requestId, index, text });
    index += 1;
    sendsInFlight += 1;
    lastSentMs = performance.now();
    chain = chain
      .then(() => (failure === undefined ? options.send(frame) : undefined))
      .then(settled, (error: unknown) => {
        failure ??= { error };
        held = "";
        heldBytes = 0;
        cancel();
        settled();
      });
  };
  const sendHeld = (): void => {
    cancel();
    if (held === "") return;
    const pieces = heldBytes > textBytesMax ? splitUtf8(held, textBytesMax) : [held];
    held = "";
    heldBytes = 0;
    for (const piece of pieces) emit(piece);
  };
  const flush = (): void => {
    timer = undefined;
    immediate = undefined;
    if (sendsInFlight === 0) sendHeld(); // else the send in flight schedules the next one when it settles
  };
  function schedule(): void {
    if (held === "" || timer !== undefined || immediate !== undefined || sendsInFlight > 0) return;
    const waitMs = lastSentMs + Math.min(INTERVAL_MS_MAX, intervalMs()) - performance.now();
    if (waitMs <= 0) immediate = setImmediate(flush);
    else timer = setTimeout(flush, waitMs);
  }

  return {
    push(text) {
      if (closed || failure !== undefined || text === "") return;
      const bytes = Buffer.byteLength(text, "utf8");
      if (heldBytes + bytes > textBytesMax) sendHeld();
      held += text;
      heldBytes += bytes;
      if (index === 0 || heldBytes >= textBytesMax) sendHeld();
      else schedule();
    },
    async end() {
      if (!closed) {
        closed = true;
        if (failure === undefined) sendHeld();
        cancel();
      }
      await chain;
      if (failure !== undefined) throw failure.error;
    },
    discard() {
      closed = true;
      held = "";
      heldBytes = 0;
      cancel();
    },
    get chunks() {
      return index;
    },
  };
}

/** Cuts `text` into pieces of at most `bytesMax` UTF-8 bytes without splitting a code point. */
export function splitUtf8(text: string, bytesMax: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let at = 0; at < text.length;) {
    const code = text.codePointAt(at) as number;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x1_0000 ? 3 : 4;
    if (bytes + size > bytesMax) {
      pieces.push(text.slice(start, at));
      start = at;
      bytes = 0;
    }
    bytes += size;
    at += code > 0xffff ? 2 : 1;
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}
