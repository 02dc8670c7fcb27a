/**
 * Proves the compute future's wire rules: it is dual-signed (a tampered, half-signed or cross-signed
 * future does not verify), its sides differ and it expires after it is made, its profit and loss is exact
 * integer arithmetic in micro-TRM and rounds toward zero in both directions, and its bytes are stable
 * (a fixed future's canonical bytes and id are pinned here).
 */
import { createSigner, sha256, toHex, utf8 } from "@tirami/core";
import { describe, expect, it } from "vitest";
import {
  assembleSignedFuture,
  checkSignedFuture,
  createFuture,
  futureCanonicalBytes,
  futurePnlTrm,
  signFuture,
} from "./future.js";

const long = createSigner(sha256(utf8("tirami/vectors/future-v1/long")));
const short = createSigner(sha256(utf8("tirami/vectors/future-v1/short")));
const base = {
  long: long.accountId,
  short: short.accountId,
  notional_tokens: 100_000,
  strike_micro_trm_per_token: 2_000,
  margin_trm: 100,
  created_ms: 1_764_000_000_000,
  expires_ms: 1_764_003_600_000,
  nonce: "00".repeat(16),
};

describe("compute futures", () => {
  it("are dual-signed: tampered, half-signed and cross-signed ones do not verify", () => {
    const future = createFuture(base);
    const signed = assembleSignedFuture(future, signFuture(future, long), signFuture(future, short));
    expect(checkSignedFuture(signed)).toBeNull();
    expect(toHex(sha256(futureCanonicalBytes(future)))).toBe(signed.future_id);
    expect(checkSignedFuture({ ...signed, future: { ...future, strike_micro_trm_per_token: 1 } })).toBe(
      "future_id_mismatch",
    );
    expect(checkSignedFuture({ ...signed, short_signature: signed.long_signature })).toBe("short_signature");
    expect(checkSignedFuture({ ...signed, long_signature: undefined })).toBe("malformed");
    expect(() => assembleSignedFuture(future, signFuture(future, long), signFuture(future, long))).toThrow(
      expect.objectContaining({ code: "INVALID_MESSAGE" }),
    );
  });

  it("refuse equal sides, an expiry not after creation and a zero margin or notional", () => {
    for (const bad of [
      { short: long.accountId },
      { expires_ms: base.created_ms },
      { margin_trm: 0 },
      { notional_tokens: 0 },
    ])
      expect(() => createFuture({ ...base, ...bad }), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: "INVALID_MESSAGE" }),
      );
  });

  it("P&L is (settle − strike) × notional / 10⁶, toward zero, both ways", () => {
    expect(futurePnlTrm(base, 2_500)).toBe(50);
    expect(futurePnlTrm(base, 1_500)).toBe(-50);
    expect(futurePnlTrm(base, 2_000)).toBe(0);
    expect(futurePnlTrm({ notional_tokens: 3, strike_micro_trm_per_token: 0 }, 999_999)).toBe(2);
    expect(futurePnlTrm({ notional_tokens: 3, strike_micro_trm_per_token: 999_999 }, 0)).toBe(-2);
  });
});
