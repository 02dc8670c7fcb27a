/**
 * Proves Ed25519 signing through node:crypto is correct: it agrees byte for byte with @noble/curves and
 * the RFC 8032 §7.1 test vectors, and verification rejects tampered messages, wrong keys and malformed
 * signatures without throwing.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAccountId } from "./account.js";
import { fromHex, toHex } from "./bytes.js";
import { assertSignature, createSigner, generateSeed, publicKeyFromSeed, verifySignature } from "./keys.js";

// RFC 8032 §7.1, TEST 1 and TEST 2.
const RFC8032_VECTORS = [
  {
    seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "",
    signature:
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "72",
    signature:
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
];

describe("Ed25519 through node:crypto", () => {
  it.each(RFC8032_VECTORS)("matches RFC 8032 §7.1 vector for public key $publicKey", (vector) => {
    const signer = createSigner(fromHex(vector.seed));
    expect(toHex(signer.publicKey)).toBe(vector.publicKey);
    expect(signer.accountId).toBe(vector.publicKey);
    expect(toHex(signer.sign(fromHex(vector.message)))).toBe(vector.signature);
    expect(verifySignature(signer.accountId, fromHex(vector.message), fromHex(vector.signature))).toBe(true);
  });

  it("agrees byte for byte with @noble/curves for random seeds and messages", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 300 }),
        (seed, message) => {
          const signer = createSigner(seed);
          expect(toHex(publicKeyFromSeed(seed))).toBe(toHex(ed25519.getPublicKey(seed)));
          const signature = signer.sign(message);
          expect(toHex(signature)).toBe(toHex(ed25519.sign(message, seed)));
          expect(ed25519.verify(signature, message, signer.publicKey)).toBe(true);
          expect(verifySignature(signer.publicKey, message, signature)).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("rejects a tampered message, a wrong key, and truncated or extended signatures", () => {
    const signer = createSigner(generateSeed());
    const other = createSigner(generateSeed());
    const message = new TextEncoder().encode("pay 10 TRM");
    const signature = signer.sign(message);
    const tampered = message.slice();
    tampered[0] = (tampered[0] as number) ^ 1;
    expect(verifySignature(signer.accountId, tampered, signature)).toBe(false);
    expect(verifySignature(other.accountId, message, signature)).toBe(false);
    expect(verifySignature(signer.accountId, message, signature.slice(0, 63))).toBe(false);
    expect(verifySignature(signer.accountId, message, new Uint8Array([...signature, 0]))).toBe(false);
    expect(verifySignature(signer.accountId, message, new Uint8Array(64))).toBe(false);
    expect(() => assertSignature(other.accountId, message, signature, "provider signature")).toThrow(
      expect.objectContaining({ code: "INVALID_SIGNATURE" }),
    );
  });

  it("rejects every single-bit flip of a signature", () => {
    const signer = createSigner(generateSeed());
    const message = new TextEncoder().encode("trade");
    const signature = signer.sign(message);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 * 8 - 1 }), (bit) => {
        const flipped = signature.slice();
        flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
        expect(verifySignature(signer.accountId, message, flipped)).toBe(false);
      }),
    );
  });

  it("returns false instead of throwing for malformed keys and account ids", () => {
    const message = new Uint8Array([1]);
    const signature = new Uint8Array(64);
    expect(verifySignature(new Uint8Array(31), message, signature)).toBe(false);
    expect(verifySignature("zz" as never, message, signature)).toBe(false);
    expect(() => parseAccountId("ABC")).toThrow(expect.objectContaining({ code: "INVALID_ACCOUNT_ID" }));
  });

  it("rejects seeds that are not 32 bytes", () => {
    expect(() => createSigner(new Uint8Array(31))).toThrow(TypeError);
  });
});
