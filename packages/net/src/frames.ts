/**
 * Framing of request streams: each frame is a 4-byte big-endian body length, then the body — one type
 * byte and the payload. A DATA frame carries caller bytes; END says "I will send no more" (so a clean
 * finish is distinguishable from a peer that vanished); ERROR carries `{code, message}` as UTF-8 JSON.
 * The decoder rejects oversized frames from the length prefix alone, before buffering the body.
 * @module
 */
import { NetError, NetErrorCode } from "./errors.js";

export const FrameType = { DATA: 0, END: 1, ERROR: 2 } as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Bytes before the payload: 4 length bytes and 1 type byte. */
export const FRAME_HEADER_BYTES = 5;
/** Largest ERROR frame payload (code and a short message). */
export const ERROR_FRAME_BYTES_MAX = 1_024;

export interface Frame {
  type: FrameType;
  payload: Uint8Array;
}

/** Encodes one frame. */
export function encodeFrame(type: FrameType, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length + 1, false);
  out[4] = type;
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The payload of an ERROR frame, cut to `ERROR_FRAME_BYTES_MAX`. */
export function encodeErrorPayload(code: string, message: string): Uint8Array {
  const bytes = encoder.encode(JSON.stringify({ code: code.slice(0, 64), message: message.slice(0, 512) }));
  return bytes.length <= ERROR_FRAME_BYTES_MAX
    ? bytes
    : encoder.encode(JSON.stringify({ code: code.slice(0, 64), message: "" }));
}

/** Parses an ERROR frame payload; malformed payloads become `{code: "UNKNOWN"}`. */
export function decodeErrorPayload(payload: Uint8Array): { code: string; message: string } {
  try {
    const value: unknown = JSON.parse(decoder.decode(payload));
    if (typeof value === "object" && value !== null) {
      const { code, message } = value as Record<string, unknown>;
      return {
        code: typeof code === "string" ? code : "UNKNOWN",
        message: typeof message === "string" ? message : "",
      };
    }
  } catch {
    // fall through
  }
  return { code: "UNKNOWN", message: "" };
}

/**
 * Incremental decoder: feed chunks as they arrive, get whole frames out. Throws `NetError`
 * FRAME_TOO_LARGE when a length prefix announces more than `payloadBytesMax`, and PROTOCOL_ERROR for an
 * empty body or an unknown type. After a throw the decoder must be discarded.
 */
export class FrameDecoder {
  readonly #limit: number;
  readonly #chunks: Uint8Array[] = [];
  #buffered = 0;

  constructor(payloadBytesMax: number) {
    if (!Number.isSafeInteger(payloadBytesMax) || payloadBytesMax < 0) {
      throw new RangeError(`"payloadBytesMax" expected a non-negative integer, got ${payloadBytesMax}`);
    }
    this.#limit = payloadBytesMax;
  }

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  push(chunk: Uint8Array): Frame[] {
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const frames: Frame[] = [];
    while (this.#buffered >= FRAME_HEADER_BYTES) {
      const header = this.#peek(FRAME_HEADER_BYTES);
      const bodyLength = new DataView(header.buffer, header.byteOffset, 4).getUint32(0, false);
      const type = header[4];
      if (bodyLength < 1) throw new NetError(NetErrorCode.PROTOCOL_ERROR, "frame with an empty body");
      if (type !== FrameType.DATA && type !== FrameType.END && type !== FrameType.ERROR) {
        throw new NetError(NetErrorCode.PROTOCOL_ERROR, `unknown frame type ${String(type)}`);
      }
      const payloadLength = bodyLength - 1;
      const max =
        type === FrameType.DATA ? this.#limit : type === FrameType.ERROR ? ERROR_FRAME_BYTES_MAX : 0;
      if (payloadLength > max) {
        throw new NetError(
          NetErrorCode.FRAME_TOO_LARGE,
          `peer sent a ${payloadLength}-byte frame; the limit is ${max} bytes`,
          {
            details: { payloadBytes: payloadLength, payloadBytesMax: max },
          },
        );
      }
      if (this.#buffered < FRAME_HEADER_BYTES + payloadLength) break;
      const whole = this.#take(FRAME_HEADER_BYTES + payloadLength);
      frames.push({ type, payload: whole.subarray(FRAME_HEADER_BYTES) });
    }
    return frames;
  }

  /** The first `n` buffered bytes (contiguous), without consuming them. */
  #peek(n: number): Uint8Array {
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= n) return first.subarray(0, n);
    const out = new Uint8Array(n);
    let offset = 0;
    for (const chunk of this.#chunks) {
      const part = chunk.subarray(0, n - offset);
      out.set(part, offset);
      offset += part.length;
      if (offset === n) break;
    }
    return out;
  }

  /** Removes and returns the first `n` buffered bytes. */
  #take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let offset = 0;
    while (offset < n) {
      const chunk = this.#chunks[0];
      if (chunk === undefined) throw new Error("frame decoder underflow");
      const part = chunk.subarray(0, n - offset);
      out.set(part, offset);
      offset += part.length;
      if (part.length === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(part.length);
    }
    this.#buffered -= n;
    return out;
  }
}
