/**
 * Lending's sweeper is a `setInterval` (`LENDING_TICK_MS`) inside `createLending().start()`. The simulator
 * swaps `setInterval`/`clearInterval` for simulated-time versions only while that start (or stop) runs, so
 * the sweeper ticks on the agenda — deterministic, and as often in simulated time as in real time. Timers
 * created outside those calls are untouched. (A timer port beside the clock would make this unnecessary:
 * docs/simulator.md.)
 * @module
 */
import type { SimKernel } from "./kernel.js";

/** A simulated interval: looks enough like a Node timer for `unref()` and `clearInterval`. */
class SimInterval {
  cleared = false;
  unref(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  hasRef(): boolean {
    return false;
  }
}

/** Runs `fn` with the global interval functions on simulated time. */
export async function withSimIntervals<T>(kernel: SimKernel, fn: () => Promise<T>): Promise<T> {
  const realSet = globalThis.setInterval;
  const realClear = globalThis.clearInterval;
  const simSet = (callback: () => void, ms: number): SimInterval => {
    const handle = new SimInterval();
    const tick = () => {
      if (handle.cleared) return;
      callback();
      kernel.at(ms, "interval", tick);
    };
    kernel.at(ms, "interval", tick);
    return handle;
  };
  const simClear = (handle: unknown) => {
    if (handle instanceof SimInterval) handle.cleared = true;
    else realClear(handle as NodeJS.Timeout);
  };
  globalThis.setInterval = simSet as unknown as typeof setInterval;
  globalThis.clearInterval = simClear as typeof clearInterval;
  try {
    return await fn();
  } finally {
    globalThis.setInterval = realSet;
    globalThis.clearInterval = realClear;
  }
}
