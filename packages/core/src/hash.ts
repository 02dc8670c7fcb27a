/**
 * SHA-256 through node:crypto (FIPS 180-4), the only hash Tirami uses for ids and Merkle trees.
 * @module
 */
import { createHash } from "node:crypto";

/** Bytes in a SHA-256 digest: trade ids, Merkle roots and leaves, content ids. */
export const SHA256_BYTES = 32;

/** SHA-256 of the concatenation of `parts`. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}
