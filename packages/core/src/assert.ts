/**
 * Invariant assertions (TigerBeetle style): for programmer errors only. A failed assertion means the
 * program is wrong; it throws `AssertionError`, which no layer catches to carry on.
 * @module
 */
import { AssertionError } from "./errors.js";

/** Throws `AssertionError` unless `condition` is true. Keep conditions simple: one fact per call. */
export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Marks code that the type system proves unreachable; throws if reached anyway. */
export function unreachable(value: never, message = "unreachable"): never {
  throw new AssertionError(`${message}: ${String(value)}`);
}
