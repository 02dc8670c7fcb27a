/**
 * Proves a node's advertised capacity reaches its peers inside its signed offer (real ledgers, real
 * libp2p on 127.0.0.1): B sees A's capacity in `offers()` even though A serves no model, clamped to the
 * wire's limits (whole bytes; a throughput below 1 left out), and a node without capacity sends none.
 */
import { OFFER_MEMORY_BYTES_MAX, verifyProviderOffer } from "@tirami/proto";
import { waitFor } from "@tirami/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clampCapacity } from "./offer-publisher.js";
import { type LedgerNode, startLedgerNode } from "./testing.js";

let a: LedgerNode;
let b: LedgerNode;

beforeAll(async () => {
  a = await startLedgerNode({
    market: { capacity: () => ({ memory_bytes: 8_000_000_000.7, throughput_bytes_per_s: 0.5 }) },
  });
  b = await startLedgerNode({ bootstrap: [a.addr()] });
}, 30_000);

afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

describe("offer capacity", () => {
  it("travels in the signed offer, clamped", async () => {
    await waitFor("B holds A's offer", () =>
      b.mesh.offers().some((offer) => offer.account === a.mesh.account),
    );
    const offer = b.mesh.offers().find((candidate) => candidate.account === a.mesh.account);
    expect(offer?.models).toEqual([]);
    expect(offer?.capacity).toEqual({ memory_bytes: 8_000_000_000 });
    expect(verifyProviderOffer(offer)).toBe(true);
    await waitFor("A holds B's offer", () => a.mesh.offers().some((o) => o.account === b.mesh.account));
    expect(a.mesh.offers().find((o) => o.account === b.mesh.account)?.capacity).toBeUndefined();
  });

  it("clamps to the wire's limits", () => {
    expect(clampCapacity({ memory_bytes: 2 ** 60, throughput_bytes_per_s: 2 ** 60 })).toEqual({
      memory_bytes: OFFER_MEMORY_BYTES_MAX,
      throughput_bytes_per_s: 2 ** 44,
    });
    expect(clampCapacity({ memory_bytes: -5, throughput_bytes_per_s: Number.NaN })).toEqual({
      memory_bytes: 0,
    });
  });
});
