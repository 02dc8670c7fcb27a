/**
 * The node's Nostr identity: a secp256k1 secret key (BIP-340, x-only public key) kept beside the node
 * key in `$TIRAMI_HOME/nostr.key` — the raw 32 bytes, mode 0600, written atomically on first use, refused
 * when its permissions are wider or its size is wrong, exactly as `node.key` (core `key-file.ts`). Nostr
 * keys are not Ed25519, so the node key cannot serve (upstream used it as a Nostr pubkey, which no relay
 * can verify: docs/upstream.md §10.3); the link between the two is the node's signed agent profile, which
 * names this public key.
 * @module
 */
import { join } from "node:path";
import { createSecretFile, fileExists, readSecretFile } from "@tirami/core";
import { generateSecretKey, getPublicKey } from "nostr-tools";
import { AgoraError, AgoraErrorCode } from "../errors.js";

/** File name of the Nostr key in the node's home. */
export const NOSTR_KEY_FILE = "nostr.key";
const SECRET_KEY_BYTES = 32;

/** The node's Nostr key. */
export interface NostrKey {
  readonly path: string;
  /** The 32-byte secp256k1 secret key. Handle with care. */
  readonly secretKey: Uint8Array;
  /** The x-only public key, 64 lowercase hex characters. */
  readonly pubkey: string;
  /** True when this call created the key. */
  readonly created: boolean;
}

function keyOf(path: string, secretKey: Uint8Array, created: boolean): NostrKey {
  let pubkey: string;
  try {
    pubkey = getPublicKey(secretKey);
  } catch (cause) {
    throw new AgoraError(
      AgoraErrorCode.INVALID_AGORA_REQUEST,
      `${path} is not a valid secp256k1 secret key`,
      {
        cause,
        details: { path },
      },
    );
  }
  return { path, secretKey, pubkey, created };
}

/**
 * Loads `home/nostr.key`, creating it (mode 0600) when absent. A file of the wrong size, not a valid
 * secret key, or readable by others is refused, never replaced.
 */
export function loadOrCreateNostrKey(home: string): NostrKey {
  const path = join(home, NOSTR_KEY_FILE);
  if (!fileExists(path)) {
    const secretKey = generateSecretKey();
    if (createSecretFile(path, secretKey)) return keyOf(path, secretKey, true);
  }
  const secretKey = readSecretFile(path);
  if (secretKey.length !== SECRET_KEY_BYTES)
    throw new AgoraError(
      AgoraErrorCode.INVALID_AGORA_REQUEST,
      `${path} is ${secretKey.length} bytes; a Nostr secret key is exactly ${SECRET_KEY_BYTES}`,
      { details: { path, size_bytes: secretKey.length } },
    );
  return keyOf(path, new Uint8Array(secretKey), false);
}
