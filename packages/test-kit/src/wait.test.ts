/**
 * Proves the polling waits: they return as soon as the condition holds (set later by a timer), return the
 * probed value, fail with a WaitTimeoutError naming what was awaited once the bound passes, check at least
 * once however short the bound, end at once when the condition throws, and refuse meaningless bounds.
 */
import { describe, expect, it } from "vitest";
import { pause, waitFor, waitForValue, WaitTimeoutError } from "./wait.js";

describe("waitFor", () => {
  it("resolves once the condition turns true", async () => {
    let ready = false;
    setTimeout(() => (ready = true), 30);
    await waitFor("the flag", () => ready);
    expect(ready).toBe(true);
  });

  it("accepts an async condition", async () => {
    let calls = 0;
    await waitFor("the third call", async () => {
      await pause(1);
      calls += 1;
      return calls >= 3;
    });
    expect(calls).toBe(3);
  });

  it("fails with a message naming what it waited for and the bound", async () => {
    const error = await waitFor("B sees A", () => false, { timeoutMs: 50, intervalMs: 10 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).message).toMatch(
      /^timed out after 50 ms waiting for B sees A \(checked \d+ times\)$/,
    );
    expect((error as WaitTimeoutError).what).toBe("B sees A");
    expect((error as WaitTimeoutError).checks).toBeGreaterThanOrEqual(2);
  });

  it("checks at least once, even when the bound is already over", async () => {
    let checks = 0;
    await waitFor("one check", () => ++checks === 1, { timeoutMs: 1 });
    expect(checks).toBe(1);
  });

  it("ends at once when the condition throws", async () => {
    let checks = 0;
    const boom = new Error("broken");
    await expect(
      waitFor("never", () => {
        checks += 1;
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(checks).toBe(1);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    "refuses timeoutMs and intervalMs of %s",
    async (ms) => {
      await expect(waitFor("x", () => true, { timeoutMs: ms })).rejects.toThrow(RangeError);
      await expect(waitFor("x", () => true, { intervalMs: ms })).rejects.toThrow(RangeError);
    },
  );
});

describe("waitForValue", () => {
  it("returns the first value that is not undefined (falsy values included)", async () => {
    const values = [undefined, undefined, 0];
    await expect(waitForValue("a number", () => values.shift())).resolves.toBe(0);
    await expect(waitForValue("an empty string", async () => "")).resolves.toBe("");
  });

  it("fails with WaitTimeoutError when nothing comes", async () => {
    await expect(waitForValue("an approval id", () => undefined, { timeoutMs: 30 })).rejects.toThrow(
      /waiting for an approval id/,
    );
  });
});
