/**
 * Runs the README's usage example verbatim (through the public entry), so the documented code compiles and
 * does what the README says.
 */
import { createSigner, generateSeed } from "@tirami/core";
import { expect, it } from "vitest";
import {
  assembleSignedTrade,
  checkSignedTrade,
  createTrade,
  decodeMessage,
  encodeMessage,
  signTrade,
} from "./index.js";

it("the README example works", () => {
  const provider = createSigner(generateSeed());
  const consumer = createSigner(generateSeed());
  const trade = createTrade({
    provider: provider.accountId,
    consumer: consumer.accountId,
    amount_trm: 42,
    prompt_tokens: 17,
    completion_tokens: 42,
    model_id: "smollm2-135m",
    price_trm_per_token: 1,
    timestamp_ms: Date.now(),
    request_id: "req-1",
  }); // nonce: 16 fresh random bytes
  const signed = assembleSignedTrade(trade, signTrade(trade, provider), signTrade(trade, consumer));

  const frame = encodeMessage({ kind: "trade_gossip", ...signed }); // Uint8Array
  const message = decodeMessage(frame, ["trade_gossip"]); // only this kind is accepted here
  expect(checkSignedTrade(message)).toBeNull(); // null: id and both signatures verify
  expect(message).toEqual({ kind: "trade_gossip", ...signed });
});
