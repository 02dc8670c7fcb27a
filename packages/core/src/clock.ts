/**
 * Time as a dependency: code that reads the clock takes a `Clock`, so tests can drive it.
 * @module
 */

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

/** The system clock. */
export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that only moves when told to, for tests. */
export interface ManualClock extends Clock {
  advanceMs(deltaMs: number): void;
  setMs(timestampMs: number): void;
}

export function createManualClock(startMs = 1_700_000_000_000): ManualClock {
  let nowMs = startMs;
  return {
    nowMs: () => nowMs,
    advanceMs(deltaMs) {
      if (!Number.isFinite(deltaMs) || deltaMs < 0)
        throw new RangeError(`"deltaMs" expected a finite non-negative number, got ${deltaMs}`);
      nowMs += deltaMs;
    },
    setMs(timestampMs) {
      nowMs = timestampMs;
    },
  };
}
