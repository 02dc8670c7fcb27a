/**
 * Proves the offer's trailing `capacity` field is backward-compatible and bounded: an offer without it
 * has exactly its old frame and signature (the published vector in vectors/messages-v1.json, an offer
 * signed before capacity existed, still decodes and verifies), an offer with it signs, verifies and
 * round-trips, changing the capacity breaks the signature, out-of-range values are refused naming the
 * field, a frame carrying an explicit null in its place is refused (one encoding per offer), and a
 * trailing field must be declared optional and last.
 */
import { readFileSync } from "node:fs";
import { type CanonicalValue, decodeCanonical, encodeCanonical, fromHex, toHex } from "@tirami/core";
import { describe, expect, it } from "vitest";
import { looseFrame } from "../test/arbitraries.js";
import { examples, provider } from "../test/fixtures.js";
import {
  OFFER_MEMORY_BYTES_MAX,
  OFFER_THROUGHPUT_BYTES_PER_S_MAX,
  type ProviderOffer,
  signProviderOffer,
  verifyProviderOffer,
} from "./index.js";
import { decodeMessage, encodeMessage } from "./message.js";
import { checkTrailingFields } from "./schema.js";

const published = (
  JSON.parse(readFileSync(new URL("../vectors/messages-v1.json", import.meta.url), "utf8")) as {
    vectors: { kind: string; message: ProviderOffer; frame_hex: string }[];
  }
).vectors.find((vector) => vector.kind === "provider_offer") as { message: ProviderOffer; frame_hex: string };

function withCapacity(capacity: unknown): ProviderOffer {
  const { kind: _kind, signature: _signature, ...body } = examples.provider_offer;
  return signProviderOffer({ ...body, capacity } as Omit<ProviderOffer, "kind" | "signature">, provider);
}

describe("offer capacity", () => {
  it("leaves an offer without it byte-identical to the published v1 frame, which still verifies", () => {
    const decoded = decodeMessage(fromHex(published.frame_hex), ["provider_offer"]);
    expect(decoded).toEqual(published.message);
    expect(decoded.capacity).toBeUndefined();
    expect(verifyProviderOffer(decoded)).toBe(true);
    expect(toHex(encodeMessage(published.message))).toBe(published.frame_hex);
    expect(examples.provider_offer.signature).toBe(published.message.signature);
  });

  it("signs, verifies and round-trips with capacity; a changed capacity fails verification", () => {
    const offer = withCapacity({ memory_bytes: 8 * 2 ** 30, throughput_bytes_per_s: 20_000_000_000 });
    expect(verifyProviderOffer(offer)).toBe(true);
    const frame = encodeMessage(offer);
    expect(frame.length).toBeGreaterThan(fromHex(published.frame_hex).length);
    expect(decodeMessage(frame, ["provider_offer"])).toEqual(offer);
    expect(verifyProviderOffer({ ...offer, capacity: { ...offer.capacity, memory_bytes: 1 } })).toBe(false);
    const { capacity: _dropped, ...without } = offer;
    expect(verifyProviderOffer(without)).toBe(false);
    const memoryOnly = withCapacity({ memory_bytes: 1_024 });
    expect(decodeMessage(encodeMessage(memoryOnly), ["provider_offer"])).toEqual(memoryOnly);
  });

  it("refuses out-of-range or unknown capacity fields, naming them", () => {
    const cases: [unknown, string][] = [
      [{ memory_bytes: OFFER_MEMORY_BYTES_MAX + 1 }, "capacity.memory_bytes"],
      [{ memory_bytes: -1 }, "capacity.memory_bytes"],
      [{ memory_bytes: 1, throughput_bytes_per_s: 0 }, "capacity.throughput_bytes_per_s"],
      [
        { memory_bytes: 1, throughput_bytes_per_s: OFFER_THROUGHPUT_BYTES_PER_S_MAX + 1 },
        "capacity.throughput_bytes_per_s",
      ],
      [{ memory_bytes: 1, cores: 4 }, "capacity.cores"],
      [{}, "capacity.memory_bytes"],
    ];
    for (const [capacity, field] of cases) {
      let caught: unknown;
      try {
        withCapacity(capacity);
      } catch (error) {
        caught = error;
      }
      expect(caught, field).toMatchObject({ code: "INVALID_MESSAGE", details: { field } });
    }
  });

  it("refuses a frame that sends an absent capacity as an explicit null", () => {
    const frame = fromHex(published.frame_hex);
    const { domain, fields } = decodeCanonical(frame);
    const padded = encodeCanonical(domain, [...fields, null] as CanonicalValue[]);
    expect(() => decodeMessage(padded)).toThrow(/capacity/);
    // The loose writer of the tests leaves it off, as every sender does.
    expect(toHex(looseFrame(published.message as unknown as Record<string, unknown>))).toBe(
      published.frame_hex,
    );
  });

  it("accepts trailing fields only when optional and last", () => {
    const optional = { t: "optional", of: { t: "uint", max: 1 } } as const;
    expect(() => checkTrailingFields([{ name: "a", type: { t: "uint", max: 1 }, trailing: true }])).toThrow(
      /must be optional/,
    );
    expect(() =>
      checkTrailingFields([
        { name: "a", type: optional, trailing: true },
        { name: "b", type: optional },
      ]),
    ).toThrow(/must be trailing/);
    expect(() => checkTrailingFields([{ name: "a", type: optional, trailing: true }])).not.toThrow();
  });
});
