/**
 * Proves the signed trade: canonical bytes are deterministic and distinct (and equal the schema's
 * encoding), sign → assemble → checkSignedTrade verifies, and checkSignedTrade reports every tampered
 * field, wrong key, swapped signature, trade_id mismatch and malformed input — and never throws.
 * parseTrade throws only ProtoError naming the field, whatever it is given.
 */
import { isDeepStrictEqual } from "node:util";
import { createSigner, encodeCanonical, isLowerHex, sha256, toHex } from "@tirami/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbitraryOf } from "../test/arbitraries.js";
import { consumer, provider, signedTrade, stranger, trade } from "../test/fixtures.js";
import { ProtoError } from "./errors.js";
import { recordToCanonical } from "./schema.js";
import {
  assembleSignedTrade,
  checkSignedTrade,
  computeTradeId,
  createTrade,
  parseSignedTrade,
  parseTrade,
  type SignedTrade,
  signTrade,
  type Trade,
  TRADE_DOMAIN,
  TRADE_NONCE_BYTES,
  TRADE_RECORD,
  tradeCanonicalBytes,
  tradeCostTrm,
} from "./trade.js";

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
/** Random valid trades between two random key pairs, signed by both. */
const signedArb = fc
  .tuple(seedArb, seedArb, arbitraryOf(TRADE_RECORD))
  .filter(([a, b]) => !isDeepStrictEqual(a, b))
  .map(([providerSeed, consumerSeed, fields]) => {
    const p = createSigner(providerSeed);
    const c = createSigner(consumerSeed);
    const t = parseTrade({ ...(fields as Trade), provider: p.accountId, consumer: c.accountId });
    return { signers: { p, c }, signed: assembleSignedTrade(t, signTrade(t, p), signTrade(t, c)) };
  });

const FIELDS = TRADE_RECORD.fields.map((field) => field.name) as (keyof Trade)[];

function protoError(run: () => unknown): ProtoError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtoError);
    return error as ProtoError;
  }
  throw new Error("expected a ProtoError");
}

describe("tradeCostTrm", () => {
  it("bills completion tokens, or the prompt tokens of input-priced work (0 completion tokens)", () => {
    expect(tradeCostTrm({ prompt_tokens: 100, completion_tokens: 9, price_trm_per_token: 0.125 })).toBe(2);
    expect(tradeCostTrm({ prompt_tokens: 13, completion_tokens: 0, price_trm_per_token: 0.5 })).toBe(7);
    expect(tradeCostTrm({ prompt_tokens: 0, completion_tokens: 0, price_trm_per_token: 1 })).toBe(0);
  });
});

describe("canonical bytes", () => {
  it("match the documented layout: domain, provider key, …, request_id (schema encoding agrees)", () => {
    const bytes = tradeCanonicalBytes(trade);
    expect(toHex(bytes)).toBe(
      toHex(encodeCanonical(TRADE_DOMAIN, recordToCanonical(TRADE_RECORD, trade as never))),
    );
    expect(Buffer.from(bytes.subarray(2, 2 + TRADE_DOMAIN.length)).toString()).toBe("tirami/trade/v1");
    expect(computeTradeId(trade)).toBe(toHex(sha256(bytes)));
  });

  it("are deterministic: equal trades (any key order, any copy) give equal bytes", () => {
    fc.assert(
      fc.property(signedArb, ({ signed }) => {
        const reordered = Object.fromEntries(Object.entries(signed.trade).reverse()) as Trade;
        expect(toHex(tradeCanonicalBytes(reordered))).toBe(toHex(tradeCanonicalBytes(signed.trade)));
        expect(computeTradeId(structuredClone(signed.trade))).toBe(signed.trade_id);
      }),
      { numRuns: 200 },
    );
  });

  it("are distinct: different trades give different bytes and ids", () => {
    const tradeArb = arbitraryOf(TRADE_RECORD) as fc.Arbitrary<Trade>;
    fc.assert(
      fc.property(tradeArb, tradeArb, (a, b) => {
        fc.pre(!isDeepStrictEqual(a, b));
        expect(toHex(tradeCanonicalBytes(a))).not.toBe(toHex(tradeCanonicalBytes(b)));
        expect(computeTradeId(a)).not.toBe(computeTradeId(b));
      }),
      { numRuns: 500 },
    );
  });

  it("move a field's value into its neighbour and the bytes change (no ambiguous boundaries)", () => {
    const shifted = { ...trade, model_id: `${trade.model_id}r`, request_id: trade.request_id.slice(1) };
    expect(toHex(tradeCanonicalBytes(shifted))).not.toBe(toHex(tradeCanonicalBytes(trade)));
  });
});

describe("sign and verify", () => {
  it("a trade signed by both parties verifies", () => {
    expect(checkSignedTrade(signedTrade)).toBeNull();
    fc.assert(
      fc.property(signedArb, ({ signed }) => {
        expect(checkSignedTrade(signed)).toBeNull();
      }),
      { numRuns: 100 },
    );
  });

  it("any changed field is caught: as a trade_id mismatch, or (id recomputed) as a bad provider signature", () => {
    fc.assert(
      fc.property(
        signedArb,
        fc.constantFrom(...FIELDS),
        arbitraryOf(TRADE_RECORD),
        ({ signed }, field, other) => {
          const value = (other as Trade)[field];
          fc.pre(value !== signed.trade[field]);
          const tampered = { ...signed.trade, [field]: value };
          fc.pre(tampered.provider !== tampered.consumer);
          expect(checkSignedTrade({ ...signed, trade: tampered })).toBe("trade_id_mismatch");
          expect(checkSignedTrade({ ...signed, trade: tampered, trade_id: computeTradeId(tampered) })).toBe(
            "provider_signature",
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a signature by the wrong key is caught for each side", () => {
    const wrongProvider = { ...signedTrade, provider_signature: signTrade(trade, stranger) };
    expect(checkSignedTrade(wrongProvider)).toBe("provider_signature");
    const wrongConsumer = { ...signedTrade, consumer_signature: signTrade(trade, stranger) };
    expect(checkSignedTrade(wrongConsumer)).toBe("consumer_signature");
    const providerTwice = { ...signedTrade, consumer_signature: signedTrade.provider_signature };
    expect(checkSignedTrade(providerTwice)).toBe("consumer_signature");
  });

  it("swapped signatures are caught", () => {
    fc.assert(
      fc.property(signedArb, ({ signed }) => {
        const swapped = {
          ...signed,
          provider_signature: signed.consumer_signature,
          consumer_signature: signed.provider_signature,
        };
        expect(checkSignedTrade(swapped)).toBe("provider_signature");
      }),
      { numRuns: 100 },
    );
  });

  it("a trade_id that does not match the content is caught", () => {
    fc.assert(
      fc.property(signedArb, fc.uint8Array({ minLength: 32, maxLength: 32 }), ({ signed }, id) => {
        fc.pre(toHex(id) !== signed.trade_id);
        expect(checkSignedTrade({ ...signed, trade_id: toHex(id) })).toBe("trade_id_mismatch");
      }),
      { numRuns: 100 },
    );
  });

  it("a flipped signature bit is caught", () => {
    fc.assert(
      fc.property(signedArb, fc.nat({ max: 511 }), fc.boolean(), ({ signed }, bit, side) => {
        const field = side ? "provider_signature" : "consumer_signature";
        const bytes = Buffer.from(signed[field], "hex");
        bytes[bit >> 3] = (bytes[bit >> 3] as number) ^ (1 << (bit & 7));
        expect(checkSignedTrade({ ...signed, [field]: bytes.toString("hex") })).toBe(field);
      }),
      { numRuns: 200 },
    );
  });

  it("malformed input is reported as malformed, and checkSignedTrade never throws", () => {
    const cases: unknown[] = [
      null,
      undefined,
      "x",
      42,
      [],
      {},
      { ...signedTrade, trade: null },
      { ...signedTrade, trade_id: signedTrade.trade_id.toUpperCase() },
      { ...signedTrade, provider_signature: "00" },
      { ...signedTrade, consumer_signature: 5 },
      { ...signedTrade, trade: { ...trade, amount_trm: -1 } },
      { ...signedTrade, trade: { ...trade, amount_trm: 1n } },
      { ...signedTrade, trade: { ...trade, extra: 1 } },
      { ...signedTrade, trade: { ...trade, consumer: trade.provider } },
    ];
    for (const value of cases) expect(checkSignedTrade(value)).toBe("malformed");
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withNullPrototype: true }), (value) => {
        expect(["malformed", "trade_id_mismatch", "provider_signature", "consumer_signature"]).toContain(
          checkSignedTrade(value),
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe("parseTrade and helpers", () => {
  it("throws only ProtoError naming the field, whatever it is given", () => {
    expect(protoError(() => parseTrade({ ...trade, amount_trm: 1n })).details).toEqual({
      kind: "trade",
      field: "amount_trm",
    });
    const cyclic: Record<string, unknown> = { ...trade };
    cyclic.price_trm_per_token = cyclic;
    expect(protoError(() => parseTrade(cyclic)).details?.field).toBe("price_trm_per_token");
    const throwing = Object.defineProperty({ ...trade }, "nonce", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    });
    expect(protoError(() => parseTrade(throwing)).details?.field).toBe("nonce");
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withNullPrototype: true, withTypedArray: true }),
        (value) => {
          try {
            parseTrade(value);
          } catch (error) {
            expect(error).toBeInstanceOf(ProtoError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("reads each field once, so a getter cannot pass validation and then change", () => {
    let reads = 0;
    const sneaky = Object.defineProperty({ ...trade }, "amount_trm", {
      enumerable: true,
      get() {
        reads++;
        return reads === 1 ? 42 : -1;
      },
    });
    expect(parseTrade(sneaky).amount_trm).toBe(42);
  });

  it("createTrade draws a fresh nonce unless given one, and validates", () => {
    const { nonce: _nonce, ...input } = trade;
    const a = createTrade(input);
    const b = createTrade(input);
    expect(isLowerHex(a.nonce, TRADE_NONCE_BYTES)).toBe(true);
    expect(a.nonce).not.toBe(b.nonce);
    expect(computeTradeId(a)).not.toBe(computeTradeId(b));
    expect(createTrade({ ...input, nonce: trade.nonce })).toEqual(trade);
    expect(protoError(() => createTrade({ ...input, model_id: "has space" })).details?.field).toBe(
      "model_id",
    );
  });

  it("assembleSignedTrade computes the id and refuses signatures that do not verify, naming them", () => {
    const good = assembleSignedTrade(trade, signTrade(trade, provider), signTrade(trade, consumer));
    expect(good).toEqual(signedTrade);
    const error = protoError(() =>
      assembleSignedTrade(trade, signTrade(trade, stranger), signTrade(trade, consumer)),
    );
    expect(error.details).toMatchObject({ field: "provider_signature", failure: "provider_signature" });
    const swapped = protoError(() =>
      assembleSignedTrade(trade, signTrade(trade, consumer), signTrade(trade, provider)),
    );
    expect(swapped.details?.field).toBe("provider_signature");
    expect(
      protoError(() => assembleSignedTrade(trade, "xyz", signTrade(trade, consumer))).details?.field,
    ).toBe("provider_signature");
  });

  it("parseSignedTrade checks shape only and names nested fields", () => {
    expect(parseSignedTrade(signedTrade)).toEqual(signedTrade);
    const bad: SignedTrade = { ...signedTrade, trade: { ...trade, timestamp_ms: 1.5 } };
    expect(protoError(() => parseSignedTrade(bad)).details?.field).toBe("trade.timestamp_ms");
  });
});
