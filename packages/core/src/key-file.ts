/**
 * The node key file: `$TIRAMI_HOME/node.key`, the raw 32-byte Ed25519 seed, mode 0600, written
 * atomically on first start (docs/architecture.md §2). The same seed is the node's ledger account and its
 * libp2p identity.
 * @module
 */
import { join } from "node:path";
import { CoreErrorCode, TiramiError } from "./errors.js";
import { NODE_KEY_FILE } from "./home.js";
import { createSigner, generateSeed, SEED_BYTES, type Signer } from "./keys.js";
import { createSecretFile, fileExists, readSecretFile } from "./secret-file.js";

export interface NodeKey {
  /** Path of the key file. */
  readonly path: string;
  /** The 32-byte seed. Handle with care: it is the node's private key. */
  readonly seed: Uint8Array;
  readonly signer: Signer;
  /** True when this call created the key. */
  readonly created: boolean;
}

/** Thrown when the key file exists but is not exactly 32 bytes. */
export class KeyFileCorruptError extends TiramiError {
  override name = "KeyFileCorruptError";
  constructor(path: string, size: number) {
    super(
      CoreErrorCode.KEY_FILE_CORRUPT,
      `${path} is ${size} bytes; a node key is exactly ${SEED_BYTES}. Restore it from a backup — deleting it creates a new identity and abandons this node's balance.`,
      { details: { path, size_bytes: size } },
    );
  }
}

/** Reads the node key at `path`; throws KEY_FILE_PERMISSIONS or KEY_FILE_CORRUPT. */
export function readNodeKey(path: string): NodeKey {
  const seed = readSecretFile(path);
  if (seed.length !== SEED_BYTES) throw new KeyFileCorruptError(path, seed.length);
  return { path, seed, signer: createSigner(seed), created: false };
}

/**
 * Loads `home/node.key`, creating the home (mode 0700) and a fresh key (mode 0600) when none exists.
 * A file with the wrong size or permissions wider than 0600 is refused, never replaced.
 */
export function loadOrCreateNodeKey(home: string): NodeKey {
  const path = join(home, NODE_KEY_FILE);
  if (!fileExists(path)) {
    const seed = generateSeed();
    if (createSecretFile(path, seed)) return { path, seed, signer: createSigner(seed), created: true };
    // Another process created it between our check and our link: use theirs.
  }
  return readNodeKey(path);
}
