/**
 * Type guards for the id and hex forms every package checks: 32-byte hex (SHA-256 digests such as trade
 * ids and Merkle roots), hex Ed25519 signatures, and text ids (request ids, model ids, multiaddrs:
 * printable ASCII without spaces, bounded in length). One rule each, so no package keeps its own regex.
 *
 * Only the primitive rules live here. Where a wire message fixes a bound (the 128 characters of a
 * `request_id` or `model_id`, the 32 bytes of a `trade_id`), @tirami/proto owns it and builds its guards
 * (`isRequestId`, `isModelId`, `isTradeId`) on these.
 * @module
 */
import { isLowerHex } from "./bytes.js";
import { SHA256_BYTES } from "./hash.js";
import { SIGNATURE_BYTES } from "./keys.js";

/** Lowest character code of a text id: `!` (0x21). The space (0x20) and control characters are out. */
export const TEXT_ID_CHAR_CODE_MIN = 0x21;
/** Highest character code of a text id: `~` (0x7e). DEL and everything outside ASCII are out. */
export const TEXT_ID_CHAR_CODE_MAX = 0x7e;

const TEXT_ID_RE = /^[\x21-\x7e]+$/;

/** True when `value` is 32 bytes as 64 lowercase hex characters (a SHA-256 digest, e.g. a Merkle root). */
export function isHex32(value: unknown): value is string {
  return isLowerHex(value, SHA256_BYTES);
}

/** True when `value` is an Ed25519 signature (64 bytes) as 128 lowercase hex characters. */
export function isSignatureHex(value: unknown): value is string {
  return isLowerHex(value, SIGNATURE_BYTES);
}

/**
 * True when `value` is a text id: 1 to `lengthMax` characters, each printable ASCII other than space
 * (`TEXT_ID_CHAR_CODE_MIN`–`TEXT_ID_CHAR_CODE_MAX`), so one character is one byte on the wire. Throws
 * `RangeError` when `lengthMax` is not a positive safe integer (a programmer error, not an input).
 */
export function isTextId(value: unknown, lengthMax: number): value is string {
  if (!Number.isSafeInteger(lengthMax) || lengthMax < 1)
    throw new RangeError(`"lengthMax" expected a positive safe integer, got ${lengthMax}`);
  // The length test runs first so a huge string never reaches the regex.
  return (
    typeof value === "string" && value.length >= 1 && value.length <= lengthMax && TEXT_ID_RE.test(value)
  );
}
