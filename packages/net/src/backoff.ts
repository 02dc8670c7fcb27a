/**
 * Bounded exponential backoff with jitter for re-dialing bootstrap peers: attempt n waits
 * `min(max, base·2ⁿ)` scaled by a random factor in [0.5, 1] ("equal jitter"), so a restarted peer is
 * found within `maxMs` and a fleet of nodes does not re-dial in lock-step.
 * @module
 */

export interface BackoffOptions {
  /** First delay, ms. */
  baseMs: number;
  /** Upper bound of any delay, ms. */
  maxMs: number;
}

/** Delay before re-dial attempt `attempt` (0-based). `random` returns [0, 1). Always in [base/2, max]. */
export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  if (!Number.isSafeInteger(attempt) || attempt < 0)
    throw new RangeError(`"attempt" expected a non-negative integer, got ${attempt}`);
  const { baseMs, maxMs } = options;
  if (!(baseMs > 0) || !(maxMs >= baseMs))
    throw new RangeError(`backoff expects 0 < baseMs <= maxMs, got ${baseMs}, ${maxMs}`);
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 52));
  const factor = 0.5 + 0.5 * Math.min(Math.max(random(), 0), 1);
  return Math.max(1, Math.round(exponential * factor));
}
