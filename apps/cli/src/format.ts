/**
 * Formatting helpers shared by commands.
 * @module
 */
import { isHex32 } from "@tirami/core";

/** A 64-hex id (account, trade, root) shortened for tables (`1a2b3c4d…9f0e`); other values pass through. */
export function short(value: unknown): unknown {
  return isHex32(value) ? `${value.slice(0, 8)}…${value.slice(-4)}` : value;
}
