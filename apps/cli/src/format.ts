/**
 * Formatting helpers shared by commands.
 * @module
 */

/** A 64-hex id shortened for tables (`1a2b3c4d…9f0e`); other values pass through. */
export function short(value: unknown): unknown {
  return typeof value === "string" && /^[0-9a-f]{64}$/.test(value)
    ? `${value.slice(0, 8)}…${value.slice(-4)}`
    : value;
}
