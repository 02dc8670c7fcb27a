/**
 * Proves that an invoice the buyer never pays costs the seller nothing lasting: the TRM it held for the
 * invoice is released once the invoice expired (plus the grace), its record turns `expired`, and the
 * seller's balance is whole again — on a seller whose ledger and service share one manual clock.
 */
import { createManualClock } from "@tirami/core";
import { type LedgerNode, startLedgerNode } from "@tirami/market/testing";
import { waitFor } from "@tirami/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXCHANGE_GRACE_MS } from "./seller.js";
import { createLightning, type Lightning } from "./service.js";
import { createSimNetwork, type LndDouble, startLndDouble } from "./testing/index.js";
import { openWallet } from "./wallet-config.js";

describe("expired invoices", () => {
  const sim = createSimNetwork("regtest");
  const buyerWallet = sim.createWallet("buyer", 1_000_000);
  const sellerWallet = sim.createWallet("seller", 0);
  const clock = createManualClock(Date.now());
  let buyer: LedgerNode, seller: LedgerNode;
  let doubles: LndDouble[] = [];
  let lb: Lightning, ls: Lightning;

  const wallet = async (w: typeof buyerWallet) => {
    const d = await startLndDouble({ wallet: w, tls: false });
    doubles.push(d);
    return openWallet({ backend: "lnd", rest_url: d.url, macaroon_hex: d.macaroonHex }, "regtest");
  };

  beforeAll(async () => {
    seller = await startLedgerNode({ buys: false, clock });
    buyer = await startLedgerNode({ buys: false, bootstrap: [seller.addr()] });
    await waitFor("connected", () => buyer.mesh.host.connectedAccounts().length === 1);
    ls = createLightning({
      ledger: seller.ledger,
      signer: seller.signer,
      clock,
      mesh: seller.mesh,
      wallet: await wallet(sellerWallet),
      options: { network: "regtest", depositTrmMax: 500 },
    });
    lb = createLightning({
      ledger: buyer.ledger,
      signer: buyer.signer,
      mesh: buyer.mesh,
      wallet: await wallet(buyerWallet),
      options: { network: "regtest" },
    });
    await ls.start();
    await lb.start();
  });

  afterAll(async () => {
    await lb?.stop();
    await ls?.stop();
    for (const d of doubles) await d.close();
    doubles = [];
    await buyer?.stop();
    await seller?.stop();
  });

  it("releases the seller's hold and marks the invoice expired", async () => {
    const self = seller.signer.accountId;
    const before = seller.ledger.balance(self).effective_balance_trm;
    buyerWallet.failNextPayments(1);
    await expect(lb.deposit({ seller: self, amountTrm: 300 })).rejects.toMatchObject({
      code: "PAYMENT_FAILED",
    });
    const [issued] = ls.payments();
    expect(issued).toMatchObject({ direction: "incoming", status: "pending", amount_trm: 300 });
    expect(seller.ledger.balance(self).effective_balance_trm).toBe(before - 300);
    expect(ls.sweep()).toBe(0); // not expired yet
    // The invoice's expiry is the wallet's real time; the seller's clock moves past it and the grace.
    clock.setMs(issued!.expires_at_ms + EXCHANGE_GRACE_MS + 1_000);
    expect(ls.sweep()).toBe(1);
    expect(ls.payments()[0]).toMatchObject({ payment_hash: issued!.payment_hash, status: "expired" });
    expect(seller.ledger.balance(self).effective_balance_trm).toBe(before);
    expect(seller.ledger.verify().ok).toBe(true);
    expect(sellerWallet.balanceMsat).toBe(0);
  });
});
