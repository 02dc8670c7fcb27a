/**
 * Proves the BOLT11 checks on real invoice strings signed by a test key: light-bolt11-decoder reads back
 * every field the test encoder wrote, the signature recovers the signer's key, and `checkInvoice` refuses a
 * wrong network, a wrong amount, a wrong payment hash, an expired invoice and garbage.
 */
import { randomBytes } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { toHex } from "@tirami/core";
import { decode } from "light-bolt11-decoder";
import { describe, expect, it } from "vitest";
import { checkInvoice, decodeInvoice } from "./bolt11.js";
import { isLightningError } from "./errors.js";
import { encodeTestInvoice } from "./testing/bolt11-encoder.js";

const nodeKey = secp256k1.utils.randomSecretKey();
const hash = new Uint8Array(randomBytes(32));
const nowS = 1_750_000_000;

function invoice(overrides: Partial<Parameters<typeof encodeTestInvoice>[0]> = {}): string {
  return encodeTestInvoice({
    network: "regtest",
    amountMsat: 12_340,
    paymentHash: hash,
    paymentSecret: new Uint8Array(32).fill(7),
    description: "tirami settlement",
    timestampS: nowS,
    expiryS: 600,
    nodeSecretKey: nodeKey,
    ...overrides,
  });
}

describe("BOLT11", () => {
  it("decodes what the test encoder signs, on every network", () => {
    for (const network of ["mainnet", "testnet", "signet", "regtest"] as const) {
      const bolt11 = invoice({ network });
      const decoded = decodeInvoice(bolt11);
      expect(decoded).toMatchObject({
        network,
        amount_msat: 12_340,
        payment_hash: toHex(hash),
        description: "tirami settlement",
        timestamp_s: nowS,
        expires_at_s: nowS + 600,
      });
    }
    const raw = decode(invoice());
    const sig = raw.sections.find((s) => s.name === "signature") as { value: string };
    const bytes = Uint8Array.from(Buffer.from(sig.value, "hex"));
    expect(bytes.length).toBe(65);
  });

  it("signs with a key that the signature recovers", async () => {
    const { recoverTestInvoiceKey } = await import("./testing/bolt11-encoder.js");
    const bolt11 = invoice();
    const raw = decode(bolt11);
    const hrp = bolt11.slice(0, bolt11.lastIndexOf("1"));
    const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    const words = [...bolt11.slice(hrp.length + 1, -6)].map((c) => CHARSET.indexOf(c));
    const sig = raw.sections.find((s) => s.name === "signature") as { value: string };
    const recovered = recoverTestInvoiceKey(
      hrp,
      words.slice(0, -104),
      Uint8Array.from(Buffer.from(sig.value, "hex")),
    );
    expect(toHex(recovered)).toBe(toHex(secp256k1.getPublicKey(nodeKey, true)));
  });

  it("accepts the invoice expected and refuses a tampered one", () => {
    const expected = {
      network: "regtest" as const,
      amountMsat: 12_340,
      paymentHash: toHex(hash),
      nowMs: nowS * 1_000,
    };
    expect(checkInvoice(invoice(), expected).payment_hash).toBe(toHex(hash));
    const field = (bolt11: string, e = expected) => {
      try {
        checkInvoice(bolt11, e);
        return "accepted";
      } catch (error) {
        if (!isLightningError(error)) throw error;
        return `${error.code}:${String(error.details?.field ?? "")}`;
      }
    };
    expect(field(invoice({ network: "mainnet" }))).toBe("INVOICE_MISMATCH:network");
    expect(field(invoice({ amountMsat: 12_350 }))).toBe("INVOICE_MISMATCH:amount_msat");
    expect(field(invoice({ paymentHash: new Uint8Array(32) }))).toBe("INVOICE_MISMATCH:payment_hash");
    expect(field(invoice({ timestampS: nowS - 3_600 }))).toBe("INVOICE_EXPIRED:");
    expect(field(invoice({ expiryS: 10 }))).toBe("INVOICE_EXPIRED:");
    expect(field("lnbc1garbage")).toBe("INVOICE_INVALID:");
    expect(field("x".repeat(5_000))).toBe("INVOICE_INVALID:");
    // One character changed in the amount breaks the checksum: refused before anything is compared.
    const good = invoice();
    expect(field(good.replace("123400p", "123500p"))).toBe("INVOICE_INVALID:");
  });
});
