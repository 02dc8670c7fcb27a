/**
 * Proves the registry's rules on real signed profiles and a hand-moved clock: a profile expires once it
 * is older than the TTL both by its own timestamp and by its arrival (a refresh keeps it); only a newer
 * profile of the same agent replaces it; a node may hold at most `perNodeMax` agents (an update of one it
 * holds still passes) and the registry's capacity evicts the stalest first.
 */
import { describe, expect, it } from "vitest";
import { signAgentProfile } from "@tirami/proto";
import { newSigner } from "@tirami/test-trades";
import type { Signer } from "@tirami/core";
import { ProfileRegistry } from "./registry.js";

const profileOf = (signer: Signer, agentId: string, timestampMs: number) =>
  signAgentProfile(
    {
      node: signer.accountId,
      agent_id: agentId,
      models: ["stories260K"],
      price_trm_per_token: 1,
      tier: "small",
      capabilities: [],
      endpoints: [],
      description: "",
      timestamp_ms: timestampMs,
    },
    signer,
  );

function registry(options: { capacity?: number; perNodeMax?: number } = {}) {
  const clock = { nowMs: 1_000_000 };
  const made = new ProfileRegistry({
    capacity: options.capacity ?? 100,
    perNodeMax: options.perNodeMax ?? 4,
    ttlMs: 10_000,
    nowMs: () => clock.nowMs,
  });
  return { registry: made, clock };
}

describe("profile registry", () => {
  it("expires a profile that is not refreshed, keeps one that is", () => {
    const { registry: r, clock } = registry();
    const s = newSigner();
    expect(r.put(profileOf(s, "x", clock.nowMs))).toBe(true);
    clock.nowMs += 9_000;
    expect(r.put(profileOf(s, "y", clock.nowMs))).toBe(true);
    clock.nowMs += 2_000;
    expect(r.list().map((p) => p.agent_id)).toEqual(["y"]);
    expect(r.put(profileOf(s, "y", clock.nowMs))).toBe(true);
    clock.nowMs += 9_999;
    expect(r.get(s.accountId, "y")).toBeDefined();
    clock.nowMs += 2;
    expect(r.size).toBe(1);
    expect(r.list()).toEqual([]);
    expect(r.size).toBe(0);
  });

  it("replaces only with a newer profile of the same agent", () => {
    const { registry: r, clock } = registry();
    const s = newSigner();
    const first = profileOf(s, "x", clock.nowMs);
    expect(r.put(first)).toBe(true);
    expect(r.put(profileOf(s, "x", clock.nowMs))).toBe("not_newer");
    expect(r.put(profileOf(s, "x", clock.nowMs - 1))).toBe("not_newer");
    expect(r.get(s.accountId, "x")).toEqual(first);
    expect(r.put(profileOf(s, "x", clock.nowMs + 1))).toBe(true);
    expect(r.get(s.accountId, "x")?.timestamp_ms).toBe(clock.nowMs + 1);
  });

  it("bounds the agents of one node and the registry as a whole", () => {
    const { registry: r, clock } = registry({ capacity: 5, perNodeMax: 2 });
    const s = newSigner();
    expect(r.put(profileOf(s, "a", clock.nowMs))).toBe(true);
    expect(r.put(profileOf(s, "b", clock.nowMs))).toBe(true);
    expect(r.put(profileOf(s, "c", clock.nowMs))).toBe("node_full");
    expect(r.put(profileOf(s, "b", clock.nowMs + 1))).toBe(true);
    expect(r.delete(s.accountId, "a")).toBe(true);
    expect(r.put(profileOf(s, "c", clock.nowMs))).toBe(true);
    const others = [newSigner(), newSigner(), newSigner(), newSigner()];
    for (const other of others) expect(r.put(profileOf(other, "a", clock.nowMs))).toBe(true);
    expect(r.size).toBe(5);
    // The stalest arrival (s's "b", refreshed before "c") went first.
    expect(r.ofNode(s.accountId).map((p) => p.agent_id)).toEqual(["c"]);
  });
});
