/**
 * Proves the A2A payment extension's intent: signed by the consumer over `tirami/a2a-payment/v1` bytes, it
 * verifies from message metadata; any changed field, a signature by another key, a missing extension
 * entry or out-of-range values are refused with A2A_PAYMENT_INVALID; a consumer cannot sign for another.
 */
import { describe, expect, it } from "vitest";
import { signerFor } from "@tirami/test-trades";
import { isAgoraError } from "../errors.js";
import { A2A_PAYMENT_EXTENSION_URI, readPaymentIntent, signPaymentIntent } from "./payment.js";

const consumer = signerFor("agora-test/a2a-consumer");
const provider = signerFor("agora-test/a2a-provider");
const body = {
  consumer: consumer.accountId,
  provider: provider.accountId,
  model_id: "stories260K",
  price_trm_per_token: 0.5,
  max_tokens: 16,
  request_id: "a2a-1",
  timestamp_ms: 1_764_000_000_000,
};
const metadata = (intent: unknown) => ({ [A2A_PAYMENT_EXTENSION_URI]: intent });
const refused = (value: unknown): boolean => {
  try {
    readPaymentIntent(value);
    return false;
  } catch (error) {
    return isAgoraError(error, "A2A_PAYMENT_INVALID");
  }
};

describe("A2A payment intent", () => {
  it("verifies as signed and refuses every alteration", () => {
    const intent = signPaymentIntent(body, consumer);
    expect(readPaymentIntent(metadata(intent))).toEqual(intent);
    for (const change of [
      { price_trm_per_token: 0.25 },
      { max_tokens: 17 },
      { model_id: "other" },
      { request_id: "a2a-2" },
      { timestamp_ms: body.timestamp_ms + 1 },
      { provider: consumer.accountId },
    ])
      expect(refused(metadata({ ...intent, ...change })), JSON.stringify(change)).toBe(true);
    const byOther = signPaymentIntent({ ...body, consumer: provider.accountId }, provider);
    expect(refused(metadata({ ...byOther, consumer: consumer.accountId }))).toBe(true);
  });

  it("refuses missing or malformed payments and signing for another", () => {
    expect(refused(undefined)).toBe(true);
    expect(refused({})).toBe(true);
    expect(refused(metadata({ ...signPaymentIntent(body, consumer), max_tokens: 0 }))).toBe(true);
    expect(refused(metadata({ ...signPaymentIntent(body, consumer), consumer_signature: "00" }))).toBe(true);
    expect(() => signPaymentIntent(body, provider)).toThrow(RangeError);
  });
});
