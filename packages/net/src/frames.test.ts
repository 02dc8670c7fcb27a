// Proves the frame decoder returns exactly the frames encoded, however the bytes are split into chunks,
// and refuses oversized or malformed frames from the header alone.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeFrame, FrameDecoder, FrameType } from "./frames.js";
import { isNetError, NetErrorCode } from "./errors.js";

describe("frames", () => {
  it("decodes any sequence of frames split at any points", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }),
        (payloads, cuts) => {
          const bytes = Buffer.concat([
            ...payloads.map((p) => encodeFrame(FrameType.DATA, p)),
            encodeFrame(FrameType.END),
          ]);
          const decoder = new FrameDecoder(300);
          const frames = [];
          let offset = 0;
          for (let i = 0; offset < bytes.length; i++) {
            const size = cuts[i % cuts.length] ?? 1;
            frames.push(...decoder.push(new Uint8Array(bytes.subarray(offset, offset + size))));
            offset += size;
          }
          expect(frames.map((f) => f.type)).toEqual([...payloads.map(() => FrameType.DATA), FrameType.END]);
          expect(frames.slice(0, -1).map((f) => Buffer.from(f.payload))).toEqual(
            payloads.map((p) => Buffer.from(p)),
          );
          expect(decoder.bufferedBytes).toBe(0);
        },
      ),
    );
  });

  it("refuses an oversized frame from its length prefix, before the body arrives", () => {
    const header = encodeFrame(FrameType.DATA, new Uint8Array(101)).subarray(0, 5);
    expect(() => new FrameDecoder(100).push(header)).toThrow(
      expect.objectContaining({ code: NetErrorCode.FRAME_TOO_LARGE }),
    );
  });

  it("refuses unknown frame types, empty bodies and an END with a payload", () => {
    const unknown = encodeFrame(FrameType.DATA, new Uint8Array(1));
    unknown[4] = 9;
    const empty = new Uint8Array([0, 0, 0, 0, 0]);
    const fatEnd = encodeFrame(FrameType.END, new Uint8Array(1));
    for (const [bytes, code] of [
      [unknown, NetErrorCode.PROTOCOL_ERROR],
      [empty, NetErrorCode.PROTOCOL_ERROR],
      [fatEnd, NetErrorCode.FRAME_TOO_LARGE],
    ] as const) {
      let error: unknown;
      try {
        new FrameDecoder(100).push(bytes);
      } catch (e) {
        error = e;
      }
      expect(isNetError(error, code)).toBe(true);
    }
  });
});
