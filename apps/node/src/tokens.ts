/**
 * API bearer tokens: 32 random bytes, base64url, shown once; only their SHA-256 is kept. Comparison hashes
 * both sides and uses `crypto.timingSafeEqual`, so neither the length nor the content of the expected token
 * leaks through timing (STACK pitfall 12: not hono's `bearerAuth({ token })`).
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { TOKEN_BYTES } from "./constants.js";

/** A fresh token: 32 random bytes from the OS CSPRNG as 43 base64url characters. */
export function generateToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

/** SHA-256 of the token's UTF-8 bytes: what is stored and compared. */
export function hashToken(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/** Constant-time check of a presented token against a stored hash. Never throws; false on any error. */
export function tokenMatchesHash(presented: string, expectedHash: Uint8Array): boolean {
  try {
    const presentedHash = hashToken(presented);
    return expectedHash.length === presentedHash.length && timingSafeEqual(presentedHash, expectedHash);
  } catch {
    return false;
  }
}
