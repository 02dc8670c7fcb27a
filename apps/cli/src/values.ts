/**
 * Small, total readers for JSON the node returns: the CLI codes defensively against fields that may be
 * missing or renamed, and argument parsers that turn bad flags into usage errors (exit 2).
 * @module
 */
import { InvalidArgumentError } from "commander";

/** The object at `value`, or an empty one. */
export function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** The first array found under one of `keys` (or `value` itself when it is an array). */
export function list(value: unknown, ...keys: string[]): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.map(record);
  const object = record(value);
  for (const key of keys) if (Array.isArray(object[key])) return (object[key] as unknown[]).map(record);
  return [];
}

/** The first of `keys` present in `object` (for fields whose name may differ between node versions). */
export function pick(object: Record<string, unknown>, ...keys: string[]): unknown {
  for (const key of keys) if (object[key] !== undefined) return object[key];
  return undefined;
}

/** A number field, or undefined. */
export function num(object: Record<string, unknown>, ...keys: string[]): number | undefined {
  const value = pick(object, ...keys);
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A commander argument parser for an integer in [min, max]; a bad value is a usage error. */
export function integerArg(name: string, min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isSafeInteger(value) || value < min || value > max)
      throw new InvalidArgumentError(
        `${name} must be an integer from ${min.toLocaleString("en-US")} to ${max.toLocaleString("en-US")}, got "${raw}"`,
      );
    return value;
  };
}

/** A commander argument parser for a finite number in [min, max]. */
export function numberArg(name: string, min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || value < min || value > max)
      throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
    return value;
  };
}

/** Largest TRM amount a flag accepts: a safe integer, as money always is (docs/architecture.md §3). */
export const TRM_FLAG_MAX = Number.MAX_SAFE_INTEGER;
