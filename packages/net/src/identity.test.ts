// Proves one key serves both worlds: for any seed, the libp2p peer id embeds the same Ed25519 public key
// as the ledger signer, the account ↔ peer id mapping round-trips, and libp2p signatures verify as ledger
// signatures.
import { createSigner, generateSeed, utf8, verifySignature } from "@tirami/core";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accountIdFromPeerId, peerIdFromAccountId, privateKeyFromSeed } from "./index.js";

describe("identity = node key", () => {
  it("derives the signer's account from the libp2p key of the same seed", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), async (seed) => {
        const peerId = peerIdFromPrivateKey(await privateKeyFromSeed(seed));
        const account = accountIdFromPeerId(peerId);
        expect(account).toBe(createSigner(seed).accountId);
        expect(peerIdFromAccountId(account).toString()).toBe(peerId.toString());
        expect(accountIdFromPeerId(peerId.toString())).toBe(account);
      }),
      { numRuns: 25 },
    );
  });

  it("produces signatures the ledger verifies", async () => {
    const seed = generateSeed();
    const key = await privateKeyFromSeed(seed);
    const message = utf8("trade bytes");
    const signature = await key.sign(message);
    expect(verifySignature(createSigner(seed).accountId, message, signature)).toBe(true);
    expect(new Uint8Array(signature)).toEqual(createSigner(seed).sign(message));
  });

  it("rejects seeds of the wrong length", async () => {
    await expect(privateKeyFromSeed(new Uint8Array(31))).rejects.toThrow(TypeError);
  });
});
