/**
 * Proves the well-formed text rule: lone high or low surrogates anywhere are refused, surrogate pairs
 * and every other code point are accepted, and the rule is exactly "has a lossless UTF-8 encoding".
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWellFormedText } from "./text.js";

describe("isWellFormedText", () => {
  it("refuses lone surrogates and accepts pairs", () => {
    for (const bad of ["a\ud800b", "\ud800", "\udc00", "x\udc00\ud800", "\ud83d"])
      expect(isWellFormedText(bad)).toBe(false);
    for (const good of ["", "abc", "\u{1f600}", "é\u{10ffff}", "\ud83d\ude00"])
      expect(isWellFormedText(good)).toBe(true);
  });

  it("is true exactly when the string survives a UTF-8 round trip", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 16 }), (value) => {
        expect(isWellFormedText(value)).toBe(Buffer.from(value, "utf8").toString("utf8") === value);
      }),
      { numRuns: 5_000 },
    );
  });
});
