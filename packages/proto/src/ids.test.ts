/**
 * Proves the id guards apply exactly the wire's rules: for fixed vectors and for arbitrary strings,
 * `isRequestId`, `isModelId` and `isTradeId` say yes precisely when a signed trade holding that value in
 * `request_id`, `model_id` or `trade_id` passes the schema (so a route or ledger check can never accept what
 * the wire refuses, or the reverse).
 */
import { TEXT_ID_CHAR_CODE_MAX, TEXT_ID_CHAR_CODE_MIN } from "@tirami/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signedTrade, trade } from "../test/fixtures.js";
import { isModelId, isRequestId, isTradeId, MODEL_ID_LENGTH_MAX, REQUEST_ID_LENGTH_MAX } from "./ids.js";
import { parseSignedTrade, parseTrade } from "./trade.js";

/** True when the schema accepts `value` in the trade field `field`. */
function tradeAccepts(field: "request_id" | "model_id", value: unknown): boolean {
  try {
    parseTrade({ ...trade, [field]: value });
    return true;
  } catch {
    return false;
  }
}

function signedTradeAccepts(tradeId: unknown): boolean {
  try {
    parseSignedTrade({ ...signedTrade, trade_id: tradeId });
    return true;
  } catch {
    return false;
  }
}

const textSamples: [string, unknown][] = [
  ["one character", "x"],
  ["a typical id", "req-0001"],
  ["exactly 128 characters", "r".repeat(128)],
  ["129 characters", "r".repeat(129)],
  ["empty", ""],
  ["a space", "req 1"],
  ["a tab", "req\t1"],
  ["DEL", "req\u007f"],
  ["non-ASCII", "réq"],
  ["an emoji", "req-👋"],
  ["a number", 5],
  ["null", null],
];

const printable = fc
  .integer({ min: TEXT_ID_CHAR_CODE_MIN - 1, max: TEXT_ID_CHAR_CODE_MAX + 1 })
  .map((code) => String.fromCharCode(code));
const textArb = fc.oneof(
  fc.string({ unit: printable, maxLength: 140 }),
  fc.string({ unit: "binary", maxLength: 8 }),
);

describe("isRequestId and isModelId", () => {
  it("bound ids at 128 characters", () => {
    expect(REQUEST_ID_LENGTH_MAX).toBe(128);
    expect(MODEL_ID_LENGTH_MAX).toBe(128);
  });

  it.each(textSamples)("agree with the trade schema on %s", (_label, value) => {
    expect(isRequestId(value)).toBe(tradeAccepts("request_id", value));
    expect(isModelId(value)).toBe(tradeAccepts("model_id", value));
  });

  it("agree with the trade schema on arbitrary strings", () => {
    fc.assert(
      fc.property(textArb, (value) => {
        expect(isRequestId(value)).toBe(tradeAccepts("request_id", value));
        expect(isModelId(value)).toBe(tradeAccepts("model_id", value));
      }),
    );
  });
});

describe("isTradeId", () => {
  it.each([
    ["a real trade id", signedTrade.trade_id, true],
    ["uppercase", signedTrade.trade_id.toUpperCase(), false],
    ["one character short", signedTrade.trade_id.slice(1), false],
    ["one character long", `${signedTrade.trade_id}0`, false],
    ["a space", ` ${signedTrade.trade_id.slice(1)}`, false],
    ["a signature", signedTrade.provider_signature, false],
    ["a number", 5, false],
  ])("on %s says %s, as the signed-trade schema does", (_label, value, expected) => {
    expect(isTradeId(value)).toBe(expected);
    expect(signedTradeAccepts(value)).toBe(expected);
  });

  it("agrees with the signed-trade schema on arbitrary hex-like strings", () => {
    const hexish = fc.string({ unit: fc.constantFrom(..."0123456789abcdefABx "), maxLength: 66 });
    fc.assert(
      fc.property(
        fc.oneof(
          hexish,
          hexish.map((s) => s.padEnd(64, "0")),
        ),
        (value) => {
          expect(isTradeId(value)).toBe(signedTradeAccepts(value));
        },
      ),
    );
  });
});
