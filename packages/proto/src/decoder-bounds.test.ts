/**
 * Checks the claim that decoding never allocates beyond a kind's limits: hostile length and count prefixes
 * (u32 lengths of 4 GiB, field counts of 65,535, lists nested hundreds deep, a hundred thousand tiny values)
 * are refused as ProtoError INVALID_MESSAGE before anything of that size is built, using the per-kind limits
 * that @tirami/core's decodeCanonical is given. Also checks that non-canonical encodings of single values
 * are refused, so one message has exactly one frame.
 */
import { encodeCanonical } from "@tirami/core";
import { describe, expect, it } from "vitest";
import { examples } from "../test/fixtures.js";
import { ProtoError } from "./errors.js";
import { decodeMessage, encodeMessage, MESSAGE_LIMITS, messageDomain } from "./message.js";

function head(domain: string, fieldCount: number): number[] {
  return [0, domain.length, ...Buffer.from(domain), fieldCount >> 8, fieldCount & 0xff];
}

function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function refused(bytes: number[] | Uint8Array): ProtoError {
  try {
    decodeMessage(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  } catch (error) {
    expect(error).toBeInstanceOf(ProtoError);
    expect((error as ProtoError).code).toBe("INVALID_MESSAGE");
    return error as ProtoError;
  }
  throw new Error("expected the frame to be refused");
}

const syncResponse = messageDomain("sync_response");
const tokenChunk = messageDomain("token_chunk");

describe("hostile prefixes", () => {
  it("a list claiming 4 Gi items with no bytes behind it", () => {
    expect(refused([...head(syncResponse, 2), 0x05, ...u32(0xffffffff)]).message).toMatch(/truncated/);
  });

  it("bytes and strings claiming 4 GiB", () => {
    refused([...head(messageDomain("trade_accept"), 2), 0x01, ...u32(0xffffffff), 1, 2, 3]);
    refused([...head(tokenChunk, 3), 0x02, ...u32(0xffffffff), 0x61]);
  });

  it("a field count of 65,535 with three fields present", () => {
    refused([...head(tokenChunk, 0xffff), 0x00, 0x00, 0x00]);
  });

  it("lists nested far deeper than any kind needs", () => {
    const depth = 300;
    const nested = [
      ...head(syncResponse, 2),
      ...Array.from({ length: depth }, () => [0x05, ...u32(1)]).flat(),
      0x00,
      0x04,
      0x00,
    ];
    expect(refused(nested).message).toMatch(/nested deeper than 3/);
  });

  it("a hundred thousand one-byte values inside the byte limit stop at the kind's value limit", () => {
    const count = 100_000;
    const bytes = Uint8Array.from([
      ...head(syncResponse, 2),
      0x05,
      ...u32(count),
      ...new Array<number>(count).fill(0x00),
      0x04,
      0x00,
    ]);
    expect(bytes.length).toBeLessThanOrEqual(MESSAGE_LIMITS.sync_response.bytesMax);
    expect(refused(bytes).message).toContain(`more than ${MESSAGE_LIMITS.sync_response.itemsMax} values`);
  });

  it("a frame larger than its kind's limit is refused before decoding, whatever it holds", () => {
    const limit = MESSAGE_LIMITS.token_chunk.bytesMax;
    const bytes = encodeCanonical(tokenChunk, ["r", 0, "x".repeat(limit)]);
    try {
      decodeMessage(bytes);
      throw new Error("expected MESSAGE_TOO_LARGE");
    } catch (error) {
      expect((error as ProtoError).code).toBe("MESSAGE_TOO_LARGE");
    }
  });
});

describe("one message, one frame", () => {
  const valid = [...encodeMessage(examples.infer_end)];

  it("the valid frame decodes", () => {
    expect(decodeMessage(Uint8Array.from(valid))).toEqual(examples.infer_end);
  });

  it("trailing bytes, a non-0/1 bool, an unsafe uint, NaN and -0 floats are refused", () => {
    refused([...valid, 0x00]);
    refused([...head(syncResponse, 2), 0x05, ...u32(0), 0x04, 0x02]);
    refused([
      ...head(tokenChunk, 3),
      0x02,
      ...u32(1),
      0x72,
      0x03,
      0x00,
      0x20,
      0,
      0,
      0,
      0,
      0,
      0,
      0x02,
      ...u32(0),
    ]);
    const observation = (score: number[]): number[] => [
      ...head(messageDomain("reputation_observation"), 5),
      ...[0x01, ...u32(32), ...new Array<number>(32).fill(1)],
      ...[0x01, ...u32(32), ...new Array<number>(32).fill(2)],
      ...[0x06, ...score],
      ...[0x03, 0, 0, 0, 0, 0, 0, 0, 7],
      ...[0x01, ...u32(64), ...new Array<number>(64).fill(0)],
    ];
    expect(decodeMessage(Uint8Array.from(observation([0x3f, 0xe0, 0, 0, 0, 0, 0, 0])))).toMatchObject({
      score: 0.5,
    });
    refused(observation([0x7f, 0xf8, 0, 0, 0, 0, 0, 0])); // NaN
    refused(observation([0x80, 0, 0, 0, 0, 0, 0, 0])); // -0
    refused(observation([0x3f, 0xf0, 0, 0, 0, 0, 0, 1])); // 1.0000000000000002 > 1
  });

  it("ill-formed UTF-8 (overlong, encoded surrogate, truncated sequence) is refused", () => {
    for (const text of [
      [0xc0, 0x80],
      [0xed, 0xa0, 0x80],
      [0xe3, 0x81],
    ]) {
      refused([
        ...head(tokenChunk, 3),
        0x02,
        ...u32(1),
        0x72,
        0x03,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0x02,
        ...u32(text.length),
        ...text,
      ]);
    }
  });

  it("a uint where a float belongs (price 1 as uint) is refused, not coerced", () => {
    const frame = encodeCanonical(messageDomain("reputation_observation"), [
      new Uint8Array(32).fill(1),
      new Uint8Array(32).fill(2),
      1,
      0,
      new Uint8Array(64),
    ]);
    expect(refused(frame).details?.field).toBe("score");
  });

  it("decoding a Node Buffer gives a message independent of the buffer's later contents", () => {
    const buffer = Buffer.from(encodeMessage(examples.trade_accept));
    const decoded = decodeMessage(buffer);
    buffer.fill(0);
    expect(decoded).toEqual(examples.trade_accept);
  });
});
