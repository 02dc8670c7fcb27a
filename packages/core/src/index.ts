/**
 * @tirami/core — the bottom layer every Tirami package builds on: account ids, id and hex validators,
 * Ed25519 keys and signatures, the node key file, canonical bytes, SHA-256, TRM amounts, typed errors,
 * config and clocks.
 * It depends on nothing but Node.js.
 * @packageDocumentation
 */

/** Errors and invariants. */
export {
  AssertionError,
  CoreErrorCode,
  isTiramiError,
  TiramiError,
  type TiramiErrorOptions,
} from "./errors.js";
export { assert, unreachable } from "./assert.js";

/** Bytes and hashing. */
export { assertBytes, concatBytes, equalBytes, fromHex, fromUtf8, isLowerHex, toHex, utf8 } from "./bytes.js";
export { sha256, SHA256_BYTES } from "./hash.js";

/** Ids and hex forms. */
export { isHex32, isSignatureHex, isTextId, TEXT_ID_CHAR_CODE_MAX, TEXT_ID_CHAR_CODE_MIN } from "./ids.js";

/** Money. */
export {
  addTrm,
  AmountOverflowError,
  type AmountTrm,
  assertAmountTrm,
  costTrm,
  InvalidAmountError,
  isAmountTrm,
  subTrm,
} from "./amount.js";

/** Identity and signatures. */
export {
  type AccountId,
  accountIdFromPublicKey,
  InvalidAccountIdError,
  isAccountId,
  parseAccountId,
  PUBLIC_KEY_BYTES,
  publicKeyFromAccountId,
  shortAccountId,
} from "./account.js";
export {
  assertSignature,
  createSigner,
  generateSeed,
  InvalidSignatureError,
  publicKeyFromSeed,
  SEED_BYTES,
  SIGNATURE_BYTES,
  type Signer,
  verifySignature,
} from "./keys.js";
export { KeyFileCorruptError, loadOrCreateNodeKey, type NodeKey, readNodeKey } from "./key-file.js";
export { createSecretFile, fileExists, readSecretFile, SecretFilePermissionsError } from "./secret-file.js";
export { HOME_ENV, NODE_KEY_FILE, resolveHome } from "./home.js";
export {
  acquireHomeLock,
  HOME_LOCK_FILE,
  HomeInUseError,
  type HomeLock,
  type HomeLockHolder,
  readHomeLock,
} from "./home-lock.js";

/** Text that may be signed or cross the wire. */
export { isWellFormedText } from "./text.js";

/** Canonical bytes. */
export {
  CANONICAL_DEFAULT_LIMITS,
  CANONICAL_DOMAIN_RE,
  type CanonicalFloat,
  canonicalFloat,
  CanonicalEncodingError,
  type CanonicalLimits,
  type CanonicalMessage,
  type CanonicalValue,
  decodeCanonical,
  encodeCanonical,
} from "./canonical.js";

/** Configuration and time. */
export {
  ConfigError,
  type ConfigOption,
  type ConfigOrigin,
  type ConfigSources,
  type ConfigTable,
  type ConfigValues,
  envName,
  type LoadedConfig,
  loadConfig,
} from "./config.js";
export { type Clock, createManualClock, type ManualClock, systemClock } from "./clock.js";

/** Structured output: the JSON-schema subset a grammar enforces, and a validator for answers. */
export {
  checkJsonSchema,
  InvalidJsonSchemaError,
  JSON_SCHEMA_BYTES_MAX,
  JSON_SCHEMA_DEPTH_MAX,
  JSON_SCHEMA_LIST_MAX,
  JSON_SCHEMA_NODES_MAX,
  JSON_SCHEMA_REPEAT_MAX,
  type JsonSchema,
  type JsonValue,
  validateJson,
} from "./json-schema.js";
