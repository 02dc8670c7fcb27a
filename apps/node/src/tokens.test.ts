/**
 * Proves the token helpers: 256-bit base64url tokens, and a comparison that accepts only the exact token
 * and never throws on odd input.
 */
import { describe, expect, it } from "vitest";
import { generateToken, hashToken, tokenMatchesHash } from "./tokens.js";

describe("tokens", () => {
  it("generates distinct 43-character base64url tokens and matches only the exact one", () => {
    const token = generateToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(token);
    const hash = hashToken(token);
    expect(tokenMatchesHash(token, hash)).toBe(true);
    expect(tokenMatchesHash(`${token} `, hash)).toBe(false);
    expect(tokenMatchesHash(token.slice(0, -1), hash)).toBe(false);
    expect(tokenMatchesHash("", hash)).toBe(false);
    expect(tokenMatchesHash(token, new Uint8Array(5))).toBe(false);
  });
});
