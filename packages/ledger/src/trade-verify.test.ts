/**
 * Proves the ledger's single-pass trade verification gives the same verdict as proto's
 * `checkSignedTrade` (valid, malformed, trade_id mismatch, which signature fails) on valid trades and on
 * random corruptions of them, and that its direct trade encoder writes exactly proto's canonical bytes (and
 * their Merkle leaf hash) for any valid trade.
 */
import { TEXT_ID_CHAR_CODE_MAX, TEXT_ID_CHAR_CODE_MIN } from "@tirami/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkSignedTrade, parseTrade, tradeCanonicalBytes } from "@tirami/proto";
import { signedTrade, signerFor } from "@tirami/test-trades";
import { LedgerError, LedgerErrorCode } from "./errors.js";
import { leafHash } from "./merkle/hash.js";
import { encodeTrade, verifySignedTrade } from "./trade-verify.js";

const T0 = 1_800_000_000_000;
const WINDOW_MS = 3_600_000;
const signers = ["v0", "v1", "v2"].map(signerFor);
const base = Array.from({ length: 6 }, (_, i) =>
  signedTrade({
    provider: signers[i % 3]!,
    consumer: signers[(i + 1) % 3]!,
    completionTokens: 1 + i,
    timestampMs: T0 + i,
    seq: 70_000 + i,
  }),
);

/** The verdict of `verifySignedTrade` in `checkSignedTrade`'s terms. */
function verdict(value: unknown): string | null {
  try {
    verifySignedTrade(value, T0, WINDOW_MS);
    return null;
  } catch (error) {
    if (!(error instanceof LedgerError)) throw error;
    if (error.code === LedgerErrorCode.TRADE_INVALID) return "malformed";
    expect(error.code).toBe(LedgerErrorCode.TRADE_SIGNATURE_INVALID);
    return String(error.details?.failure);
  }
}

const flipHex = (hex: string, at: number) =>
  hex.slice(0, at % hex.length) +
  (hex[at % hex.length] === "0" ? "1" : "0") +
  hex.slice((at % hex.length) + 1);

describe("verifySignedTrade", () => {
  it("accepts valid trades and computes canonical bytes and leaf hash once, correctly", () => {
    for (const signed of base) {
      const verified = verifySignedTrade(signed, T0, WINDOW_MS);
      const canonical = tradeCanonicalBytes(signed.trade);
      expect(verified.canonical).toEqual(canonical);
      expect(verified.leafHash).toEqual(leafHash(canonical));
      expect(verified.tradeId).toBe(signed.trade_id);
      expect(checkSignedTrade(signed)).toBeNull();
    }
  });

  it("agrees with checkSignedTrade on random corruptions (fast-check)", () => {
    const mutation = fc.oneof(
      fc.record({
        field: fc.constantFrom("trade_id", "provider_signature", "consumer_signature"),
        at: fc.nat(),
      }),
      fc.record({
        field: fc.constantFrom("trade.provider", "trade.consumer", "trade.nonce"),
        at: fc.nat(),
      }),
      fc.record({
        field: fc.constantFrom(
          "trade.amount_trm",
          "trade.prompt_tokens",
          "trade.model_id",
          "trade.request_id",
        ),
        value: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.double()),
      }),
      fc.record({ drop: fc.constantFrom("trade_id", "trade", "provider_signature", "consumer_signature") }),
      fc.record({ swap: fc.constant(true) }),
    );
    fc.assert(
      fc.property(fc.nat({ max: base.length - 1 }), mutation, (index, m) => {
        const original = base[index]!;
        const signed: Record<string, unknown> = { ...original, trade: { ...original.trade } };
        const trade = signed.trade as Record<string, unknown>;
        if ("drop" in m) delete signed[m.drop];
        else if ("swap" in m) signed.consumer_signature = original.provider_signature;
        else if ("at" in m) {
          if (m.field.startsWith("trade.")) {
            const key = m.field.slice(6);
            trade[key] = flipHex(String(trade[key]), m.at);
          } else signed[m.field] = flipHex(String(signed[m.field]), m.at);
        } else trade[m.field.slice(6)] = m.value;
        expect(verdict(signed)).toBe(checkSignedTrade(signed));
      }),
      { numRuns: 300 },
    );
  });
});

describe("encodeTrade", () => {
  const hex = (bytes: number) =>
    fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString("hex"));
  const id = (max: number) =>
    fc
      .array(fc.integer({ min: TEXT_ID_CHAR_CODE_MIN, max: TEXT_ID_CHAR_CODE_MAX }), {
        minLength: 1,
        maxLength: max,
      })
      .map((codes) => String.fromCharCode(...codes));
  const uint = fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.maxSafeNat());
  it("writes proto's canonical bytes for any valid trade (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.record({
          provider: hex(32),
          consumer: hex(32),
          amount_trm: uint,
          prompt_tokens: uint,
          completion_tokens: uint,
          model_id: id(128),
          price_trm_per_token: fc.oneof(
            fc.double({ min: 0, max: 1_000_000, noNaN: true }).filter((x) => !Object.is(x, -0)),
            fc.constant(0),
            fc.constant(1_000_000),
          ),
          timestamp_ms: uint,
          nonce: hex(16),
          request_id: id(128),
        }),
        (raw) => {
          fc.pre(raw.provider !== raw.consumer);
          const trade = parseTrade(raw);
          const expected = tradeCanonicalBytes(trade);
          const { canonical, leafHash: leaf } = encodeTrade(trade);
          expect(Buffer.from(canonical).equals(Buffer.from(expected))).toBe(true);
          expect(leaf).toEqual(leafHash(expected));
        },
      ),
      { numRuns: 500 },
    );
  });
});
