/**
 * Query-string parsing for the economy routes: integers within bounds, or 400 naming the parameter.
 * @module
 */
import { NodeError, NodeErrorCode } from "../errors.js";

/** An integer query parameter in [min, max], `fallback` when absent. @throws {NodeError} INVALID_REQUEST */
export function integerParam(
  raw: string | undefined,
  name: string,
  fallback: number | undefined,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined || raw === "") return fallback;
  const value = /^-?\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new NodeError(NodeErrorCode.INVALID_REQUEST, `${name}: expected an integer from ${min} to ${max}`, {
      param: name,
    });
  }
  return value;
}

/** A finite non-negative number query parameter, or undefined. @throws {NodeError} INVALID_REQUEST */
export function numberParam(raw: string | undefined, name: string, max: number): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const value = /^\d{1,16}(\.\d{1,12})?$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || value < 0 || value > max) {
    throw new NodeError(NodeErrorCode.INVALID_REQUEST, `${name}: expected a number from 0 to ${max}`, {
      param: name,
    });
  }
  return value;
}
