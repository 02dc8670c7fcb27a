// Proves bootstrap re-dial: when the bootstrap peer stops and comes back on the same port with the same
// key, the node reconnects by itself within the (bounded, jittered) backoff.
import { generateSeed } from "@tirami/core";
import { afterEach, describe, expect, it } from "vitest";
import { pause, waitFor } from "@tirami/test-kit";
import { hostPool } from "../test/helpers.js";

const pool = hostPool();
afterEach(() => pool.stopAll());

describe("bootstrap re-dial", () => {
  it("reconnects to a bootstrap peer restarted on the same port", async () => {
    const seed = generateSeed();
    const first = await pool.start({ seed });
    const address = first.multiaddrs()[0];
    if (address === undefined) throw new Error("no listen address");
    const port = /\/tcp\/(\d+)/.exec(address)?.[1];
    const a = await pool.start({
      bootstrap: [address],
      bootstrapBackoffBaseMs: 100,
      bootstrapBackoffMaxMs: 400,
    });
    await waitFor("A connected to the bootstrap peer", () => a.connectedAccounts().includes(first.account));

    await first.stop();
    await waitFor("A noticed the loss", () => !a.connectedAccounts().includes(first.account));
    // A now re-dials, fails (nothing listens), and backs off: 100, 200, 400, 400… ms (each × [0.5, 1]).
    await pause(1_000);
    expect(a.connectedAccounts()).not.toContain(first.account);

    const again = await pool.start({ seed, listen: [`/ip4/127.0.0.1/tcp/${port}`] });
    expect(again.account).toBe(first.account);
    // Bound: one full backoff period (400 ms) plus dial time; 5 s leaves room for a loaded CI machine.
    await waitFor("A reconnected", () => a.connectedAccounts().includes(again.account), { timeoutMs: 5_000 });
    expect(a.peer(again.account)?.connected).toBe(true);
  });
});
