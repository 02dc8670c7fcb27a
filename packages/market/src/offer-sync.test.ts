/**
 * Proves the rule both the market and the simulator follow on a peer's offer: more trades there → a trade
 * sync; as many trades under another root → a trade sync and a loan catch-up (loan events are leaves of
 * the same log); the same root, or fewer trades there → nothing to ask.
 */
import { describe, expect, it } from "vitest";
import { offerSyncNeeds } from "./offer-sync.js";

const local = { tradeCount: 10, merkleRoot: "aa" };

describe("offerSyncNeeds", () => {
  it("asks trades from a peer with more, trades and loans from one with as many under another root", () => {
    expect(offerSyncNeeds({ trade_count: 11, merkle_root: "bb" }, local)).toEqual({
      trades: true,
      loans: false,
    });
    expect(offerSyncNeeds({ trade_count: 10, merkle_root: "bb" }, local)).toEqual({
      trades: true,
      loans: true,
    });
    expect(offerSyncNeeds({ trade_count: 10, merkle_root: "aa" }, local)).toEqual({
      trades: false,
      loans: false,
    });
    expect(offerSyncNeeds({ trade_count: 9, merkle_root: "bb" }, local)).toEqual({
      trades: false,
      loans: false,
    });
  });
});
