/**
 * Polling waits for tests: check a condition every few milliseconds until it holds, and fail after a
 * bounded time with a message that names what was awaited. A test waits for the state it needs instead of
 * sleeping a guessed duration, so it is as fast as the machine allows and as patient as the bound says.
 * @module
 */

/** How long a wait polls before it fails, unless told otherwise. */
export const WAIT_TIMEOUT_MS_DEFAULT = 10_000;
/** Pause between two checks, unless told otherwise. */
export const WAIT_INTERVAL_MS_DEFAULT = 20;

/** Bounds of a wait. */
export interface WaitOptions {
  /** Fail after this long (default `WAIT_TIMEOUT_MS_DEFAULT`, 10 s). */
  timeoutMs?: number;
  /** Pause between checks (default `WAIT_INTERVAL_MS_DEFAULT`, 20 ms). */
  intervalMs?: number;
}

/** Thrown when a wait runs out of time; `message` names what was awaited and for how long. */
export class WaitTimeoutError extends Error {
  override name = "WaitTimeoutError";
  /** What the test waited for, as passed to `waitFor`. */
  readonly what: string;
  /** How many times the condition was checked. */
  readonly checks: number;

  constructor(what: string, timeoutMs: number, checks: number) {
    super(`timed out after ${timeoutMs} ms waiting for ${what} (checked ${checks} times)`);
    this.what = what;
    this.checks = checks;
  }
}

function positiveMs(value: number, field: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`"${field}" expected a positive number of milliseconds, got ${value}`);
  return value;
}

/** Resolves after `ms` milliseconds. Only for giving something that must NOT happen its chance to. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `probe` until it returns a value other than `undefined`, and returns that value. Checks at least
 * once, then every `intervalMs`; throws `WaitTimeoutError` naming `what` once `timeoutMs` has passed. An
 * error thrown by `probe` ends the wait at once (it is a failure, not a "not yet").
 * @example
 * const approvalId = await waitForValue("the pending approval", async () => (await list()).at(0)?.id);
 */
export async function waitForValue<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = positiveMs(options.timeoutMs ?? WAIT_TIMEOUT_MS_DEFAULT, "timeoutMs");
  const intervalMs = positiveMs(options.intervalMs ?? WAIT_INTERVAL_MS_DEFAULT, "intervalMs");
  const deadline = Date.now() + timeoutMs;
  for (let checks = 1; ; checks++) {
    const value = await probe();
    if (value !== undefined) return value;
    const leftMs = deadline - Date.now();
    if (leftMs <= 0) throw new WaitTimeoutError(what, timeoutMs, checks);
    await pause(Math.min(intervalMs, leftMs));
  }
}

/**
 * Polls `check` until it returns true. Checks at least once, then every `intervalMs`; throws
 * `WaitTimeoutError` ("timed out after 10000 ms waiting for B sees A (checked 500 times)") once `timeoutMs`
 * has passed. An error thrown by `check` ends the wait at once.
 * @example
 * await waitFor("B sees A", () => b.connectedAccounts().includes(a.account));
 */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  options: WaitOptions = {},
): Promise<void> {
  await waitForValue(what, async () => ((await check()) ? true : undefined), options);
}
