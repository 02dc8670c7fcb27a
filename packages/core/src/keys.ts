/**
 * Ed25519 keys and signatures (RFC 8032). Signing and verification go through node:crypto (OpenSSL),
 * which verifies ~13× faster than a pure-JS implementation on these machines (STACK.md pitfall 8); a
 * test checks that @noble/curves produces byte-identical keys and signatures for the same seed.
 *
 * A 32-byte seed is the private key. The same seed is the node's libp2p identity (docs/architecture.md §2).
 * @module
 */
import {
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from "node:crypto";
import {
  accountIdFromPublicKey,
  type AccountId,
  PUBLIC_KEY_BYTES,
  publicKeyFromAccountId,
} from "./account.js";
import { assertBytes } from "./bytes.js";
import { CoreErrorCode, TiramiError } from "./errors.js";

export const SEED_BYTES = 32;
export const SIGNATURE_BYTES = 64;

// DER prefixes that wrap a raw Ed25519 key (RFC 8410 §7 PKCS#8 private key, §4 SubjectPublicKeyInfo).
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** Public keys parsed into KeyObjects, kept so hot-path verification does not re-parse DER. Bounded. */
const PUBLIC_KEY_CACHE_MAX = 4_096;
const publicKeyCache = new Map<string, KeyObject>();

/** Thrown when a signature does not verify against the expected key. */
export class InvalidSignatureError extends TiramiError {
  override name = "InvalidSignatureError";
  constructor(message: string, details?: Record<string, unknown>) {
    super(CoreErrorCode.INVALID_SIGNATURE, message, details === undefined ? {} : { details });
  }
}

/** Signs on behalf of one account. The seed never leaves the closure that `createSigner` builds. */
export interface Signer {
  readonly accountId: AccountId;
  readonly publicKey: Uint8Array;
  /** Ed25519 signature (64 bytes) over `message`. */
  sign(message: Uint8Array): Uint8Array;
}

/** 32 fresh random bytes from the OS CSPRNG. */
export function generateSeed(): Uint8Array {
  return new Uint8Array(randomBytes(SEED_BYTES));
}

function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  assertBytes(seed, "seed", SEED_BYTES);
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
}

/** The Ed25519 public key (32 bytes) of `seed`. */
export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  const spki = createPublicKey(privateKeyFromSeed(seed)).export({ format: "der", type: "spki" });
  return new Uint8Array(spki.subarray(SPKI_PREFIX.length));
}

/** A signer for `seed`. Throws `TypeError` unless the seed is 32 bytes. */
export function createSigner(seed: Uint8Array): Signer {
  const privateKey = privateKeyFromSeed(seed);
  const publicKey = publicKeyFromSeed(seed);
  return {
    accountId: accountIdFromPublicKey(publicKey),
    publicKey,
    sign(message) {
      assertBytes(message, "message");
      return new Uint8Array(nodeSign(null, message, privateKey));
    },
  };
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const cacheKey = Buffer.from(publicKey).toString("hex");
  let keyObject = publicKeyCache.get(cacheKey);
  if (keyObject === undefined) {
    try {
      keyObject = createPublicKey({
        key: Buffer.concat([SPKI_PREFIX, publicKey]),
        format: "der",
        type: "spki",
      });
    } catch (cause) {
      throw new TiramiError(CoreErrorCode.INVALID_KEY, "not a valid Ed25519 public key", { cause });
    }
    if (publicKeyCache.size >= PUBLIC_KEY_CACHE_MAX) {
      const oldest = publicKeyCache.keys().next().value;
      if (oldest !== undefined) publicKeyCache.delete(oldest);
    }
    publicKeyCache.set(cacheKey, keyObject);
  }
  return keyObject;
}

/**
 * True when `signature` is a valid Ed25519 signature of `message` by `signer` (an account id or a raw
 * 32-byte public key). Returns false — never throws — for wrong lengths, malformed keys and bad
 * signatures, so a caller can treat every "no" alike.
 */
export function verifySignature(
  signer: AccountId | Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const publicKey = typeof signer === "string" ? publicKeyFromAccountId(signer) : signer;
    if (publicKey.length !== PUBLIC_KEY_BYTES) return false;
    if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
    if (!(message instanceof Uint8Array)) return false;
    return nodeVerify(null, message, publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}

/** Like `verifySignature`, but throws `InvalidSignatureError` (code `INVALID_SIGNATURE`) naming `what`. */
export function assertSignature(
  signer: AccountId,
  message: Uint8Array,
  signature: Uint8Array,
  what = "signature",
): void {
  if (!verifySignature(signer, message, signature)) {
    throw new InvalidSignatureError(`${what} does not verify for ${signer}`, { signer, what });
  }
}
