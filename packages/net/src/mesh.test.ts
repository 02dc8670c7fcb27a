// Proves that nodes find each other through bootstrap addresses and that the peer Noise authenticated is
// the ledger account of the other node's key (identity = node key), with peer-book entries and events.
import { createSigner, generateSeed, type AccountId } from "@tirami/core";
import { afterEach, describe, expect, it } from "vitest";
import { pause, waitFor } from "@tirami/test-kit";
import { hostPool } from "../test/helpers.js";

const pool = hostPool();
afterEach(() => pool.stopAll());

describe("mesh host: bootstrap and identity", () => {
  it("connects two nodes; each sees the other's signer account", async () => {
    const seedA = generateSeed();
    const seedB = generateSeed();
    const b = await pool.start({ seed: seedB });
    const connectedAtB: AccountId[] = [];
    b.on("peer:connected", ({ account }) => connectedAtB.push(account));
    const a = await pool.start({ seed: seedA, bootstrap: b.multiaddrs() });

    expect(a.account).toBe(createSigner(seedA).accountId);
    expect(b.account).toBe(createSigner(seedB).accountId);
    await waitFor(
      "A and B connected",
      () => a.connectedAccounts().includes(b.account) && b.connectedAccounts().includes(a.account),
    );
    await waitFor("B's connected event", () => connectedAtB.includes(a.account));
    await waitFor("A's ping latency of B", () => a.peer(b.account)?.latencyMs !== undefined);
    const record = a.peer(b.account);
    expect(record?.connected).toBe(true);
    expect(record?.peerId).toBe(b.peerId);
    expect(record?.multiaddrs.length).toBeGreaterThan(0);
    expect(a.setOffer(b.account, { model: "tiny" })).toBe(true);
    expect(a.peer(b.account)?.offer).toEqual({ model: "tiny" });
  });

  it("connects three nodes through one bootstrap node, and reports disconnects", async () => {
    const b = await pool.start();
    const a = await pool.start({ bootstrap: b.multiaddrs() });
    const c = await pool.start({ bootstrap: b.multiaddrs() });
    await waitFor("B sees A and C", () => b.connectedAccounts().length === 2);
    expect(new Set(b.connectedAccounts())).toEqual(new Set([a.account, c.account]));
    expect(c.connectedAccounts()).toEqual([b.account]);

    const gone: AccountId[] = [];
    b.on("peer:disconnected", ({ account }) => gone.push(account));
    await c.stop();
    await waitFor("B notices C left", () => gone.includes(c.account));
    expect(b.peer(c.account)?.connected).toBe(false);
  });

  it("dials by account id once addresses are known, and by multiaddr", async () => {
    const b = await pool.start();
    const a = await pool.start();
    const first = b.multiaddrs()[0];
    if (first === undefined) throw new Error("B has no address");
    expect(await a.dial(first)).toBe(b.account);
    await a.hangUp(b.account);
    await waitFor("A hung up", () => !a.connectedAccounts().includes(b.account));
    expect(await a.dial(b.account)).toBe(b.account);
  });
});

describe("mesh host: connection limit", () => {
  it("keeps at most connectionsMax connections", async () => {
    const b = await pool.start({ connectionsMax: 1 });
    const a = await pool.start();
    const c = await pool.start();
    const [addr] = b.multiaddrs();
    if (addr === undefined) throw new Error("no address");
    await a.dial(addr);
    await c.dial(addr).catch(() => undefined); // may be refused or pruned
    await waitFor("B back within its limit", () => b.connectedAccounts().length <= 1);
    await pause(500);
    expect(b.connectedAccounts().length).toBeLessThanOrEqual(1);
  });
});
