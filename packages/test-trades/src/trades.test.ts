/**
 * Proves the trade factories make real dual-signed trades: with the defaults they pass proto's full check
 * (fields, trade_id, both signatures); `seq` makes a trade reproducible while trades without it differ;
 * labelled signers are stable and throwaway ones fresh; and nothing is validated on the way, so a test can
 * sign a trade that proto or the ledger must refuse.
 */
import { costTrm } from "@tirami/core";
import { checkSignedTrade, isRequestId, isTradeId, parseSignedTrade } from "@tirami/proto";
import { describe, expect, it } from "vitest";
import { newSigner, signerFor } from "./signers.js";
import { signBoth, signedTrade, tradeOf } from "./trades.js";

const alice = signerFor("alice");
const bob = signerFor("bob");

describe("signers", () => {
  it("signerFor is the same account for the same label, another for another label", () => {
    expect(signerFor("alice").accountId).toBe(alice.accountId);
    expect(bob.accountId).not.toBe(alice.accountId);
  });

  it("newSigner is fresh every time", () => {
    expect(newSigner().accountId).not.toBe(newSigner().accountId);
  });
});

describe("signedTrade", () => {
  it("passes proto's full check with the defaults", () => {
    const signed = signedTrade({ provider: alice, consumer: bob });
    expect(checkSignedTrade(signed)).toBeNull();
    expect(parseSignedTrade(signed)).toEqual(signed);
    expect(signed.trade_id).toSatisfy(isTradeId);
    expect(signed.trade.request_id).toSatisfy(isRequestId);
    expect(signed.trade).toMatchObject({
      provider: alice.accountId,
      consumer: bob.accountId,
      amount_trm: 5,
      prompt_tokens: 7,
      completion_tokens: 5,
      model_id: "stories260K",
      price_trm_per_token: 1,
    });
  });

  it("charges costTrm(completionTokens, priceTrmPerToken) and takes every field from the spec", () => {
    const signed = signedTrade({
      provider: bob,
      consumer: alice,
      completionTokens: 7,
      promptTokens: 2,
      priceTrmPerToken: 1.5,
      timestampMs: 1_800_000_000_000,
      modelId: "tiny",
      requestId: "r-1",
    });
    expect(checkSignedTrade(signed)).toBeNull();
    expect(signed.trade).toMatchObject({
      amount_trm: costTrm(7, 1.5),
      prompt_tokens: 2,
      model_id: "tiny",
      timestamp_ms: 1_800_000_000_000,
      request_id: "r-1",
    });
  });

  it("is reproducible with seq, and different without it", () => {
    const spec = { provider: alice, consumer: bob, timestampMs: 1_800_000_000_000 };
    expect(signedTrade({ ...spec, seq: 1 })).toEqual(signedTrade({ ...spec, seq: 1 }));
    expect(signedTrade({ ...spec, seq: 1 }).trade.request_id).toBe("req-1");
    expect(signedTrade({ ...spec, seq: 2 }).trade_id).not.toBe(signedTrade({ ...spec, seq: 1 }).trade_id);
    const [x, y] = [signedTrade(spec), signedTrade(spec)];
    expect(x.trade.nonce).not.toBe(y.trade.nonce);
    expect(x.trade.request_id).not.toBe(y.trade.request_id);
  });
});

describe("signBoth", () => {
  it("signs whatever it is given, so tests can build trades that must be refused", () => {
    const overpriced = { ...tradeOf({ provider: alice, consumer: bob, seq: 3 }), amount_trm: 11 };
    expect(signBoth(overpriced, alice, bob).trade.amount_trm).toBe(11);
    const selfTrade = tradeOf({ provider: alice, consumer: alice, seq: 4 });
    expect(checkSignedTrade(signBoth(selfTrade, alice, alice))).toBe("malformed");
    const wrongConsumer = signBoth(tradeOf({ provider: alice, consumer: bob, seq: 5 }), alice, alice);
    expect(checkSignedTrade(wrongConsumer)).toBe("consumer_signature");
  });
});
