/**
 * Proves the gossip helpers: offers and observations signed by their account verify, any changed field or
 * a foreign signature fails verification, signing for another account is refused, signatures are
 * domain-separated (an observation's or a trade's signature is never an offer's), and dedup ids are
 * stable for equal content and distinct for different content.
 */
import { encodeCanonical, isHex32, toHex } from "@tirami/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { messageArbitrary } from "../test/arbitraries.js";
import { consumer, examples, provider, stranger } from "../test/fixtures.js";
import { ProtoError } from "./errors.js";
import {
  gossipItemId,
  OFFER_SIGNING_DOMAIN,
  type ProviderOffer,
  providerOfferId,
  providerOfferSigningBytes,
  REPUTATION_SIGNING_DOMAIN,
  type ReputationObservation,
  reputationObservationId,
  reputationObservationSigningBytes,
  signProviderOffer,
  signReputationObservation,
  verifyProviderOffer,
  verifyReputationObservation,
} from "./gossip.js";
import { decodeMessage, encodeMessage } from "./message.js";
import { signTrade, tradeCanonicalBytes } from "./trade.js";

const offer = examples.provider_offer;
const observation = examples.reputation_observation;

function unsigned<T extends { kind: string; signature: string }>(value: T): Omit<T, "kind" | "signature"> {
  const { kind: _kind, signature: _signature, ...rest } = value;
  return rest;
}

describe("provider offers", () => {
  it("sign, verify, and survive the wire", () => {
    expect(verifyProviderOffer(offer)).toBe(true);
    expect(verifyProviderOffer(decodeMessage(encodeMessage(offer)))).toBe(true);
    const bytes = providerOfferSigningBytes(offer);
    expect(Buffer.from(bytes.subarray(2, 2 + OFFER_SIGNING_DOMAIN.length)).toString()).toBe(
      OFFER_SIGNING_DOMAIN,
    );
  });

  it("any changed field breaks the signature", () => {
    const changes: Partial<ProviderOffer>[] = [
      { free_capacity: 4 },
      { protocol_version: 2 },
      { merkle_root: "cd".repeat(32) },
      { trade_count: 2 },
      { timestamp_ms: offer.timestamp_ms + 1 },
      { multiaddrs: ["/ip4/10.0.0.1/tcp/7700"] },
      { models: [{ model_id: "smollm2-135m", price_trm_per_token: 0.2 }] },
      {
        models: offer.models.map((model) => ({
          ...model,
          price_trm_per_token: model.price_trm_per_token * 2,
        })),
      },
      { account: stranger.accountId },
    ];
    for (const change of changes)
      expect(verifyProviderOffer({ ...offer, ...change }), JSON.stringify(change)).toBe(false);
    const { multiaddrs: _dropped, ...withoutAddrs } = offer;
    expect(verifyProviderOffer(withoutAddrs)).toBe(false);
  });

  it("refuses to sign for another account, and foreign or malformed signatures do not verify", () => {
    expect(() => signProviderOffer(unsigned(offer), stranger)).toThrow(RangeError);
    const forged = signProviderOffer({ ...unsigned(offer), account: stranger.accountId }, stranger);
    expect(verifyProviderOffer({ ...forged, account: provider.accountId })).toBe(false);
    for (const value of [
      null,
      5,
      "x",
      {},
      { ...offer, signature: "00" },
      { ...offer, signature: offer.signature.toUpperCase() },
      { ...offer, models: "x" },
    ]) {
      expect(verifyProviderOffer(value)).toBe(false);
    }
  });

  it("signing validates the offer, naming the field", () => {
    const error = (() => {
      try {
        signProviderOffer({ ...unsigned(offer), free_capacity: -1 }, provider);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ProtoError);
    expect((error as ProtoError).details?.field).toBe("free_capacity");
  });

  it("ids are SHA-256 of the signing bytes: equal for equal content, different otherwise", () => {
    expect(providerOfferId(offer)).toSatisfy(isHex32);
    expect(providerOfferId(structuredClone(offer))).toBe(providerOfferId(offer));
    expect(providerOfferId({ ...offer, free_capacity: 9 })).not.toBe(providerOfferId(offer));
    fc.assert(
      fc.property(messageArbitrary("provider_offer"), messageArbitrary("provider_offer"), (a, b) => {
        const [x, y] = [a as ProviderOffer, b as ProviderOffer];
        fc.pre(toHex(providerOfferSigningBytes(x)) !== toHex(providerOfferSigningBytes(y)));
        expect(providerOfferId(x)).not.toBe(providerOfferId(y));
      }),
      { numRuns: 200 },
    );
  });
});

describe("reputation observations", () => {
  it("sign, verify, and survive the wire", () => {
    expect(verifyReputationObservation(observation)).toBe(true);
    expect(verifyReputationObservation(decodeMessage(encodeMessage(observation)))).toBe(true);
    expect(reputationObservationId(observation)).toBe(reputationObservationId(structuredClone(observation)));
  });

  it("any changed field breaks the signature; a foreign signer is refused", () => {
    const changes: Partial<ReputationObservation>[] = [
      { score: 0.5 },
      { subject: stranger.accountId },
      { observer: stranger.accountId },
      { timestamp_ms: observation.timestamp_ms + 1 },
    ];
    for (const change of changes)
      expect(verifyReputationObservation({ ...observation, ...change })).toBe(false);
    expect(() => signReputationObservation(unsigned(observation), provider)).toThrow(RangeError);
    const reobserved = signReputationObservation({ ...unsigned(observation), score: 0.25 }, consumer);
    expect(reputationObservationId(reobserved)).not.toBe(reputationObservationId(observation));
  });

  it("property: random observations signed by their observer verify; with a different score they do not", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        (score, timestamp) => {
          fc.pre(!Object.is(score, -0));
          const signed = signReputationObservation(
            { observer: consumer.accountId, subject: provider.accountId, score, timestamp_ms: timestamp },
            consumer,
          );
          expect(verifyReputationObservation(signed)).toBe(true);
          expect(verifyReputationObservation({ ...signed, score: score === 1 ? 0 : 1 })).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("domain separation", () => {
  it("a signature over one kind of bytes never verifies as another", () => {
    // The provider signs a trade and an offer; the consumer signs an observation. None transfers.
    const tradeSig = signTrade(examples.trade_proposal.trade, provider);
    expect(verifyProviderOffer({ ...offer, signature: tradeSig })).toBe(false);
    const sameFieldsAsOffer = encodeCanonical(REPUTATION_SIGNING_DOMAIN, []);
    expect(toHex(sameFieldsAsOffer)).not.toBe(toHex(encodeCanonical(OFFER_SIGNING_DOMAIN, [])));
    const observationBytes = reputationObservationSigningBytes(observation);
    expect(toHex(observationBytes)).not.toBe(toHex(tradeCanonicalBytes(examples.trade_proposal.trade)));
    expect(verifyReputationObservation({ ...observation, signature: offer.signature })).toBe(false);
  });
});

describe("gossipItemId", () => {
  it("is the trade id for trades and the content hash for offers and observations", () => {
    expect(gossipItemId(examples.trade_gossip)).toBe(examples.trade_gossip.trade_id);
    expect(gossipItemId(offer)).toBe(providerOfferId(offer));
    expect(gossipItemId(observation)).toBe(reputationObservationId(observation));
    expect(
      new Set([gossipItemId(examples.trade_gossip), gossipItemId(offer), gossipItemId(observation)]).size,
    ).toBe(3);
  });
});
