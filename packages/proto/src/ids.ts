/**
 * The wire's id rules: the bounds of `trade_id`, `model_id` and `request_id` that every message declares,
 * and type guards that apply exactly those rules outside a message (an HTTP route checking a model name, a
 * spend path checking a caller's request id, a ledger query checking a trade id). Built on @tirami/core's
 * primitives (`isLowerHex`, `isTextId`), so the schema and the guards cannot drift apart.
 * @module
 */
import { isLowerHex, isTextId, SHA256_BYTES } from "@tirami/core";

/** Bytes in a trade id: the SHA-256 of the trade's canonical bytes, 64 lowercase hex characters in JSON. */
export const TRADE_ID_BYTES = SHA256_BYTES;
/** Longest `model_id` in characters (printable ASCII without spaces, so also bytes). */
export const MODEL_ID_LENGTH_MAX = 128;
/** Longest `request_id` in characters (printable ASCII without spaces, so also bytes). */
export const REQUEST_ID_LENGTH_MAX = 128;

/** True when `value` is a trade id: 64 lowercase hex characters (`trade_id` of a signed trade). */
export function isTradeId(value: unknown): value is string {
  return isLowerHex(value, TRADE_ID_BYTES);
}

/** True when `value` is a valid `model_id`: 1 to 128 printable ASCII characters without spaces. */
export function isModelId(value: unknown): value is string {
  return isTextId(value, MODEL_ID_LENGTH_MAX);
}

/** True when `value` is a valid `request_id`: 1 to 128 printable ASCII characters without spaces. */
export function isRequestId(value: unknown): value is string {
  return isTextId(value, REQUEST_ID_LENGTH_MAX);
}
