/**
 * One key for both worlds (docs/architecture.md §2, STACK pitfall 3): the node's 32-byte Ed25519 seed is both
 * its ledger account and its libp2p identity, so the peer Noise authenticates *is* the counterparty.
 * An account id is the hex public key; an Ed25519 peer id embeds that same public key.
 * @module
 */
import {
  type AccountId,
  accountIdFromPublicKey,
  assertBytes,
  publicKeyFromAccountId,
  SEED_BYTES,
} from "@tirami/core";
import { generateKeyPairFromSeed, publicKeyFromRaw } from "@libp2p/crypto/keys";
import type { Ed25519PrivateKey, PeerId } from "@libp2p/interface";
import { peerIdFromPublicKey, peerIdFromString } from "@libp2p/peer-id";

/** The libp2p private key for a node seed (the same key `createSigner(seed)` signs with). */
export async function privateKeyFromSeed(seed: Uint8Array): Promise<Ed25519PrivateKey> {
  assertBytes(seed, "seed", SEED_BYTES);
  return generateKeyPairFromSeed("Ed25519", seed);
}

/**
 * The ledger account of a peer: hex of its Ed25519 public key. Throws `TypeError` for peer ids that do
 * not embed an Ed25519 key (RSA, secp256k1), which can never be Tirami accounts.
 */
export function accountIdFromPeerId(peerId: PeerId | string): AccountId {
  const id = typeof peerId === "string" ? peerIdFromString(peerId) : peerId;
  if (id.type !== "Ed25519" || id.publicKey === undefined) {
    throw new TypeError(`peer ${id.toString()} is not an Ed25519 peer id, so it has no account`);
  }
  return accountIdFromPublicKey(id.publicKey.raw);
}

/** The peer id of an account (throws `InvalidAccountIdError` for malformed ids). */
export function peerIdFromAccountId(account: AccountId): PeerId {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKeyFromAccountId(account)));
}
