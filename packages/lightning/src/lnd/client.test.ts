/**
 * Proves the LND REST backend against a double that speaks LND's documented JSON on 127.0.0.1 over https
 * with a self-signed certificate (trusted only because it is the configured tls.cert): invoices created,
 * paid from another node, looked up settled with their preimage, balances read; a wrong macaroon and an
 * untrusted certificate are refused; a failed payment is PAYMENT_FAILED and moves nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLightningError } from "../errors.js";
import { createSimNetwork, type LndDouble, selfSignedCertificate, startLndDouble } from "../testing/index.js";
import { checkedWallet } from "../wallet.js";
import { createLndRestWallet } from "./client.js";

describe("LND REST wallet", () => {
  const sim = createSimNetwork("regtest");
  const carol = sim.createWallet("carol", 0);
  const dave = sim.createWallet("dave", 1_000_000);
  let carolLnd: LndDouble;
  let daveLnd: LndDouble;

  beforeAll(async () => {
    carolLnd = await startLndDouble({ wallet: carol });
    daveLnd = await startLndDouble({ wallet: dave, tls: false });
  });
  afterAll(async () => {
    await carolLnd.close();
    await daveLnd.close();
  });

  const wallet = (d: LndDouble, macaroonHex = d.macaroonHex, tlsCertPem = d.tlsCertPem) =>
    checkedWallet(
      createLndRestWallet({
        url: d.url,
        macaroonHex,
        ...(tlsCertPem ? { tlsCertPem } : {}),
        timeoutMs: 10_000,
      }),
      "regtest",
    );

  it("creates, pays and looks up an invoice", async () => {
    const c = wallet(carolLnd);
    const d = wallet(daveLnd);
    const invoice = await c.createInvoice({ amountMsat: 7_000, description: "lnd test", expiryS: 600 });
    expect((await c.lookupInvoice(invoice.payment_hash)).state).toBe("pending");
    const paid = await d.payInvoice(invoice.bolt11);
    expect(await c.lookupInvoice(invoice.payment_hash)).toEqual({
      payment_hash: invoice.payment_hash,
      state: "settled",
      amount_msat: 7_000,
      preimage: paid.preimage,
    });
    expect(await c.balanceMsat()).toBe(7_000);
    expect(await d.balanceMsat()).toBe(993_000);
    await c.close();
    await d.close();
  });

  it("refuses a wrong macaroon, an untrusted certificate and reports failed payments", async () => {
    const wrong = wallet(carolLnd, "ab".repeat(40));
    expect(isLightningError(await wrong.balanceMsat().catch((e: unknown) => e), "WALLET_ERROR")).toBe(true);
    expect(carolLnd.unauthorized).toBe(1);
    const untrusted = wallet(carolLnd, carolLnd.macaroonHex, selfSignedCertificate().cert);
    const tlsError = await untrusted.balanceMsat().catch((e: unknown) => e);
    expect(isLightningError(tlsError, "WALLET_ERROR")).toBe(true);
    const c = wallet(carolLnd);
    const d = wallet(daveLnd);
    const invoice = await c.createInvoice({ amountMsat: 5_000, description: "x", expiryS: 600 });
    dave.failNextPayments(1);
    const before = dave.balanceMsat;
    expect(
      isLightningError(await d.payInvoice(invoice.bolt11).catch((e: unknown) => e), "PAYMENT_FAILED"),
    ).toBe(true);
    expect(dave.balanceMsat).toBe(before);
    expect(() => createLndRestWallet({ url: "http://10.0.0.1:8080", macaroonHex: "ab" })).toThrow(/loopback/);
    expect(() => createLndRestWallet({ url: "https://127.0.0.1:8080", macaroonHex: "ab" })).toThrow(
      /tls.cert/,
    );
  });
});
