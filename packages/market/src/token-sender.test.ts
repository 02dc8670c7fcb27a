/**
 * Proves the provider's token sender keeps the token stream complete and in order while it coalesces: the
 * first text goes out at once, text that comes while a chunk is held (or while the previous send waits
 * for the stream to drain) goes out as one later chunk, `end()` sends what is held, chunk indices run
 * 0, 1, 2, … without gaps, no chunk exceeds its byte bound or splits a code point, and a failed send is
 * rethrown by `end()` with nothing sent after it. Frames are decoded with the real wire decoder; sends go
 * to an in-memory list (what a stream would carry), and no assertion depends on timing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMessage, TOKEN_CHUNK_TEXT_BYTES_MAX } from "@tirami/proto";
import { chunkIntervalMs, createTokenSender, splitUtf8, type TokenSenderOptions } from "./token-sender.js";

const REQUEST_ID = "req-1";
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A sender whose frames land, decoded, in `texts`. */
function collecting(options: Partial<TokenSenderOptions> = {}) {
  const texts: string[] = [];
  const sender = createTokenSender({
    requestId: REQUEST_ID,
    send: async (frame) => {
      const chunk = decodeMessage(frame, ["token_chunk"]);
      expect(chunk.request_id).toBe(REQUEST_ID);
      expect(chunk.index).toBe(texts.length); // in order, no gaps
      texts.push(chunk.text);
    },
    ...options,
  });
  return { sender, texts };
}

describe("token sender", () => {
  it("sends the first text at once and coalesces what comes before the next send", async () => {
    const { sender, texts } = collecting({ intervalMs: 1_000 });
    sender.push("Once");
    await nextTurn();
    expect(texts).toEqual(["Once"]);
    for (const word of [" upon", " a", " time"]) sender.push(word);
    await nextTurn();
    expect(texts).toEqual(["Once"]); // held for the interval
    await sender.end();
    expect(texts).toEqual(["Once", " upon a time"]);
    expect(sender.chunks).toBe(2);
  });

  it("sends each piece on its own turn with a zero interval", async () => {
    const { sender, texts } = collecting({ intervalMs: 0 });
    for (const word of ["a", "b", "c"]) {
      sender.push(word);
      await nextTurn();
      await nextTurn();
    }
    await sender.end();
    expect(texts).toEqual(["a", "b", "c"]);
  });

  it("holds text while the previous chunk waits for the stream to drain, then sends it as one", async () => {
    const texts: string[] = [];
    let drained!: () => void;
    const sender = createTokenSender({
      requestId: REQUEST_ID,
      intervalMs: 0,
      send: (frame) => {
        texts.push(decodeMessage(frame, ["token_chunk"]).text);
        return texts.length === 1 ? new Promise<void>((resolve) => (drained = resolve)) : Promise.resolve();
      },
    });
    sender.push("a");
    for (const word of ["b", "c", "d"]) {
      await nextTurn();
      sender.push(word);
    }
    await nextTurn();
    await nextTurn();
    expect(texts).toEqual(["a"]);
    drained();
    await sender.end();
    expect(texts).toEqual(["a", "bcd"]);
  });

  it("bounds the bytes of a chunk and never splits a code point", async () => {
    const { sender, texts } = collecting({ intervalMs: 1_000, textBytesMax: 8 });
    const pieces = ["abcdef", "ghijkl", "mnop", "é".repeat(10), "😀😀😀", "x"];
    for (const piece of pieces) sender.push(piece);
    await sender.end();
    expect(texts.join("")).toBe(pieces.join(""));
    for (const text of texts) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(8);
    expect(texts).toContain("😀😀");
  });

  it("rethrows a failed send from end() and sends nothing after it", async () => {
    const sent: string[] = [];
    const failure = new Error("stream reset");
    const sender = createTokenSender({
      requestId: REQUEST_ID,
      intervalMs: 0,
      send: async (frame) => {
        sent.push(decodeMessage(frame, ["token_chunk"]).text);
        if (sent.length === 2) throw failure;
      },
    });
    for (const word of ["a", "b", "c", "d"]) {
      sender.push(word);
      await nextTurn();
      await nextTurn();
    }
    await expect(sender.end()).rejects.toBe(failure);
    expect(sent).toEqual(["a", "b"]);
  });

  it("drops held text on discard", async () => {
    const { sender, texts } = collecting({ intervalMs: 0 });
    sender.push("a");
    sender.push("b");
    sender.discard();
    await nextTurn();
    await nextTurn();
    await sender.end();
    expect(texts).toEqual(["a"]);
  });

  it("reads an interval function when a send becomes due", async () => {
    let intervalMs = 0;
    const { sender, texts } = collecting({ intervalMs: () => intervalMs });
    sender.push("a");
    await nextTurn();
    sender.push("b");
    await nextTurn();
    await nextTurn();
    intervalMs = 1_000;
    sender.push("c");
    sender.push("d");
    await nextTurn();
    await nextTurn();
    expect(texts).toEqual(["a", "b"]); // "c" and "d" wait for the longer interval
    await sender.end();
    expect(texts).toEqual(["a", "b", "cd"]);
  });

  it("spaces each stream's chunks further apart while several generate, up to 32 ms", () => {
    expect([0, 1, 2, 3, 4, 8, 64].map(chunkIntervalMs)).toEqual([8, 8, 16, 24, 32, 32, 32]);
  });

  it("refuses an interval or byte bound out of range", () => {
    const send = async (): Promise<void> => undefined;
    for (const intervalMs of [-1, 1.5, 1_001])
      expect(() => createTokenSender({ requestId: REQUEST_ID, send, intervalMs })).toThrow(RangeError);
    for (const textBytesMax of [3, TOKEN_CHUNK_TEXT_BYTES_MAX + 1])
      expect(() => createTokenSender({ requestId: REQUEST_ID, send, textBytesMax })).toThrow(RangeError);
  });

  it("splitUtf8: pieces rejoin to the text, each within the bound, no code point cut", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 60 }),
        fc.integer({ min: 4, max: 20 }),
        (text, max) => {
          const pieces = splitUtf8(text, max);
          expect(pieces.join("")).toBe(text);
          for (const piece of pieces) {
            expect(piece.length).toBeGreaterThan(0);
            expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(max);
            expect(Buffer.from(piece, "utf8").toString("utf8")).toBe(piece); // no lone surrogate
          }
        },
      ),
    );
  });
});
