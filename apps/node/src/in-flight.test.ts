/**
 * Proves the in-flight tracker used for graceful shutdown: new work is refused once stopping, running work
 * gets the grace period and is then aborted, and drain resolves as soon as the last entry ends.
 */
import { describe, expect, it } from "vitest";
import { createInFlight } from "./in-flight.js";

describe("createInFlight", () => {
  it("refuses new work after stopAccepting and aborts what still runs after the grace period", async () => {
    const inFlight = createInFlight();
    const entry = inFlight.begin();
    entry.signal.addEventListener("abort", () => setTimeout(() => entry.end(), 1), { once: true });
    inFlight.stopAccepting();
    expect(() => inFlight.begin()).toThrow(expect.objectContaining({ code: "SHUTTING_DOWN" }));
    expect(inFlight.count()).toBe(1);
    expect(await inFlight.drain(5)).toBe(true);
    expect(entry.signal.aborted).toBe(true);
    expect(inFlight.count()).toBe(0);
  });

  it("resolves at once with nothing running, and without aborting when work ends within the grace period", async () => {
    const inFlight = createInFlight();
    expect(await inFlight.drain(0)).toBe(true);
    const entry = inFlight.begin();
    setTimeout(() => entry.end(), 1);
    expect(await inFlight.drain(60_000)).toBe(true);
    expect(entry.signal.aborted).toBe(false);
    entry.end(); // idempotent
    expect(inFlight.count()).toBe(0);
  });
});
