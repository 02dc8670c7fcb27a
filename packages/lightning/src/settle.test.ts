/**
 * Proves settlement that pays, between real nodes: three ledger-backed nodes on libp2p (127.0.0.1), real
 * wallets behind Nostr Wallet Connect (through the test-kit relay) and LND REST (a double on 127.0.0.1),
 * real signed BOLT11 invoices. The debtor asks each creditor for an invoice over the mesh, pays it, and the
 * dual-signed exchange trade lands in both ledgers: the window shows settled on both sides, TRM moved
 * between the two accounts only, `verify` passes. The kill switch and the sats budget deny before
 * anything leaves; a failed payment changes nothing and a retry settles with the same invoice; a seller
 * quoting another amount or network is refused before paying; no wallet means NO_WALLET / a refusal;
 * an amount above the approval threshold waits for the operator and the retry pays the same invoice;
 * deposits buy TRM from a node that sells it.
 */
import { type LedgerNode, startLedgerNode } from "@tirami/market/testing";
import { type NostrRelay, startNostrRelay, waitFor } from "@tirami/test-kit";
import { newSigner, signedTrade } from "@tirami/test-trades";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openWallet } from "./wallet-config.js";
import type { LightningWallet } from "./wallet.js";
import { EXCHANGE_MODEL_ID, type SettlementWindow } from "./exchange.js";
import { createLightning, type Lightning } from "./service.js";
import {
  createSimNetwork,
  type LndDouble,
  type NwcWalletService,
  type SimWallet,
  startLndDouble,
  startNwcWalletService,
} from "./testing/index.js";

describe("settlement over Lightning between nodes", () => {
  let relay: NostrRelay;
  let a: LedgerNode, b: LedgerNode, c: LedgerNode;
  const sim = createSimNetwork("regtest");
  const mainnetSim = createSimNetwork("mainnet");
  const walletA: SimWallet = sim.createWallet("a", 10_000_000);
  const walletB: SimWallet = sim.createWallet("b", 0);
  const walletC: SimWallet = sim.createWallet("c", 0);
  const services: NwcWalletService[] = [];
  const lnds: LndDouble[] = [];
  const lightnings: Lightning[] = [];
  let la: Lightning, lb: Lightning;
  const t0 = Date.now();
  const window: SettlementWindow = { startMs: t0 - 60_000, endMs: t0 + 1 };

  async function nwc(wallet: SimWallet) {
    const service = await startNwcWalletService({ relayUrl: relay.url, wallet });
    services.push(service);
    return openWallet({ backend: "nwc", nwc_uri: service.connectionUri }, wallet.network, {
      timeoutMs: 10_000,
    });
  }
  async function lnd(wallet: SimWallet) {
    const double = await startLndDouble({ wallet });
    lnds.push(double);
    return openWallet(
      {
        backend: "lnd",
        rest_url: double.url,
        macaroon_hex: double.macaroonHex,
        tls_cert_pem: double.tlsCertPem as string,
      },
      wallet.network,
    );
  }
  async function lightning(
    node: LedgerNode,
    options: Parameters<typeof createLightning>[0]["options"],
    wallet?: Awaited<ReturnType<typeof nwc>>,
  ) {
    const l = createLightning({
      ledger: node.ledger,
      signer: node.signer,
      mesh: node.mesh,
      ...(wallet ? { wallet } : {}),
      options,
    });
    await l.start();
    lightnings.push(l);
    return l;
  }

  beforeAll(async () => {
    relay = await startNostrRelay();
    a = await startLedgerNode({ buys: false });
    b = await startLedgerNode({ buys: false, bootstrap: [a.addr()] });
    c = await startLedgerNode({ buys: false, bootstrap: [a.addr()] });
    await waitFor("a connected to b and c", () => a.mesh.host.connectedAccounts().length === 2);
    // A consumed 60 TRM from B and provided 10 to it (A owes B 50); A consumed 40 from C.
    const trades = [
      signedTrade({ provider: b.signer, consumer: a.signer, completionTokens: 30, timestampMs: t0 - 3 }),
      signedTrade({ provider: b.signer, consumer: a.signer, completionTokens: 30, timestampMs: t0 - 2 }),
      signedTrade({ provider: a.signer, consumer: b.signer, completionTokens: 10, timestampMs: t0 - 1 }),
      signedTrade({ provider: c.signer, consumer: a.signer, completionTokens: 40, timestampMs: t0 }),
    ];
    for (const node of [a, b, c]) node.ledger.applySignedTrades(trades);
    la = await lightning(a, { network: "regtest" }, await nwc(walletA));
    lb = await lightning(b, { network: "regtest", depositTrmMax: 1_000 }, await lnd(walletB));
  });

  afterAll(async () => {
    for (const l of lightnings) await l.stop();
    for (const s of services) await s.close();
    for (const d of lnds) await d.close();
    for (const node of [a, b, c]) await node?.stop();
    await relay?.close();
  });

  it("sees the same window from both sides", () => {
    expect(la.positions(window)).toEqual(
      [
        { counterparty: b.signer.accountId, net_trm: -50, trade_count: 3, settled_by: null },
        { counterparty: c.signer.accountId, net_trm: -40, trade_count: 1, settled_by: null },
      ].sort((x, y) => x.net_trm - y.net_trm),
    );
    expect(lb.positions(window)).toEqual([
      { counterparty: a.signer.accountId, net_trm: 50, trade_count: 3, settled_by: null },
    ]);
  });

  it("denies before anything leaves: kill switch, then the sats budget", async () => {
    a.ledger.safety.activateKill("test", "operator");
    const [denied] = await la.settle({ window, counterparty: b.signer.accountId });
    expect(denied).toMatchObject({ status: "failed", error: { code: "PAYMENT_DENIED" } });
    a.ledger.safety.resume("operator");
    const stingy = createLightning({
      ledger: a.ledger,
      signer: a.signer,
      mesh: a.mesh,
      wallet: la.wallet()!,
      options: { network: "regtest", paymentSatsMax: 0 },
    });
    const [overBudget] = await stingy.settle({ window, counterparty: b.signer.accountId });
    expect(overBudget).toMatchObject({ status: "failed", error: { code: "PAYMENT_DENIED" } });
    expect(walletA.payments).toBe(0);
    expect(walletB.balanceMsat).toBe(0);
    expect(a.ledger.verify().ok).toBe(true);
  });

  it("a failed payment changes nothing; the retry pays the same invoice and both ledgers mark the window settled", async () => {
    const balanceA = a.ledger.balance(a.signer.accountId).balance_trm;
    const balanceB = b.ledger.balance(b.signer.accountId).balance_trm;
    walletA.failNextPayments(1);
    const [failed] = await la.settle({ window, counterparty: b.signer.accountId });
    expect(failed).toMatchObject({ status: "failed", error: { code: "PAYMENT_FAILED" } });
    expect(a.ledger.balance(a.signer.accountId).balance_trm).toBe(balanceA);
    expect(la.exchanges()).toEqual([]);
    const [settled] = await la.settle({ window, counterparty: b.signer.accountId });
    expect(settled).toMatchObject({ status: "settled", amount_trm: 50 });
    expect(walletA.payments).toBe(1);
    expect(walletB.balanceMsat).toBe(500); // 50 TRM × 10 msat
    const paymentHashes = la.payments().map((p) => p.payment_hash);
    expect(new Set(paymentHashes).size).toBe(1); // the retry paid the invoice that failed, no second one
    for (const [node, l, other] of [
      [a, la, b],
      [b, lb, a],
    ] as const) {
      expect(node.ledger.getTrade(settled!.trade_id!)).toBeDefined();
      expect(l.positions(window).find((p) => p.counterparty === other.signer.accountId)?.settled_by).toBe(
        settled!.trade_id,
      );
      expect(node.ledger.verify().ok).toBe(true);
    }
    expect(a.ledger.balance(a.signer.accountId).balance_trm).toBe(balanceA + 50);
    expect(b.ledger.balance(b.signer.accountId).balance_trm).toBe(balanceB - 50);
    expect(lb.exchanges()).toEqual([
      expect.objectContaining({
        buyer: a.signer.accountId,
        seller: b.signer.accountId,
        amount_trm: 50,
        amount_msat: 500,
        window,
      }),
    ]);
    // The trade reaches the third node by gossip, verified there; it sees the window settled too.
    await waitFor("c holds the settlement", () => c.ledger.getTrade(settled!.trade_id!) !== undefined);
    // Settling again is idempotent: the same trade, no second payment.
    const [again] = await la.settle({ window, counterparty: b.signer.accountId });
    expect(again).toMatchObject({ status: "settled", trade_id: settled!.trade_id });
    expect(walletA.payments).toBe(1);
  });

  it("refuses an invoice for another amount or another network before paying", async () => {
    const dearer = await lightning(c, { network: "regtest", msatPerTrm: 20 }, await nwc(walletC));
    const [wrongAmount] = await la.settle({ window, counterparty: c.signer.accountId });
    expect(wrongAmount).toMatchObject({ status: "failed", error: { code: "INVOICE_MISMATCH" } });
    expect(wrongAmount!.error!.message).toContain("amount_msat");
    await dearer.stop();
    const other = await lightning(c, { network: "mainnet" }, await nwc(mainnetSim.createWallet("c-main", 0)));
    const [wrongNetwork] = await la.settle({ window, counterparty: c.signer.accountId });
    expect(wrongNetwork).toMatchObject({ status: "failed", error: { code: "INVOICE_MISMATCH" } });
    expect(wrongNetwork!.error!.message).toContain("network");
    await other.stop();
    expect(walletA.payments).toBe(1);
    const walletless = await lightning(c, { network: "regtest" });
    const [refused] = await la.settle({ window, counterparty: c.signer.accountId });
    expect(refused).toMatchObject({ status: "failed", error: { code: "EXCHANGE_REFUSED" } });
    expect(refused!.error!.message).toContain("no wallet");
    await walletless.stop();
    const noWallet = createLightning({
      ledger: c.ledger,
      signer: c.signer,
      mesh: c.mesh,
      options: { network: "regtest" },
    });
    await expect(noWallet.settle({ window })).rejects.toMatchObject({ code: "NO_WALLET" });
    await expect(noWallet.deposit({ seller: b.signer.accountId, amountTrm: 5 })).rejects.toMatchObject({
      code: "NO_WALLET",
    });
  });

  it("waits for the operator's approval above the threshold, then the retry pays the same invoice", async () => {
    await lightning(c, { network: "regtest" }, await nwc(walletC));
    const policy = a.ledger.safety.getPolicy("operator");
    a.ledger.safety.setPolicy("operator", { approval_threshold_trm: 10 });
    try {
      const [waiting] = await la.settle({ window, counterparty: c.signer.accountId });
      expect(waiting).toMatchObject({ status: "failed", error: { code: "PAYMENT_DENIED" } });
      const pending = a.ledger.safety.listApprovals({ status: "pending" });
      expect(pending).toHaveLength(1);
      expect(walletC.balanceMsat).toBe(0);
      a.ledger.safety.approve(pending[0]!.approval_id, "operator");
      const [paid] = await la.settle({ window, counterparty: c.signer.accountId });
      expect(paid).toMatchObject({ status: "settled", amount_trm: 40 });
      expect(walletC.balanceMsat).toBe(400);
      expect(
        la.payments().filter((p) => p.counterparty === c.signer.accountId && p.status === "exchanged"),
      ).toHaveLength(1);
    } finally {
      a.ledger.safety.setPolicy("operator", { approval_threshold_trm: policy.approval_threshold_trm });
    }
  });

  it("deposits: buys TRM for sats from a node that sells, moving it between the two accounts only", async () => {
    const balanceA = a.ledger.balance(a.signer.accountId).balance_trm;
    const balanceB = b.ledger.balance(b.signer.accountId).balance_trm;
    const sats = walletB.balanceMsat;
    const { signed } = await la.deposit({ seller: b.signer.accountId, amountTrm: 100 });
    expect(a.ledger.balance(a.signer.accountId).balance_trm).toBe(balanceA + 100);
    expect(b.ledger.balance(b.signer.accountId).balance_trm).toBe(balanceB - 100);
    expect(walletB.balanceMsat).toBe(sats + 1_000);
    expect(b.ledger.getTrade(signed.trade_id)).toBeDefined();
    expect(lb.exchanges().find((x) => x.trade_id === signed.trade_id)?.window).toBeNull();
    await expect(la.deposit({ seller: b.signer.accountId, amountTrm: 5_000 })).rejects.toMatchObject({
      code: "EXCHANGE_REFUSED",
    });
    for (const node of [a, b]) expect(node.ledger.verify().ok).toBe(true);
    expect(la.verify()).toMatchObject({ ok: true, exchanges: 3 });
    await waitFor("b holds every exchange", () => lb.exchanges().length === 3);
    expect(lb.verify()).toMatchObject({ ok: true, exchanges: 3 });
  });

  it("the audit flags an exchange trade without well-formed terms", () => {
    // Between two accounts of their own, so that sync spreading it changes no balance the other tests read.
    const odd = signedTrade({
      provider: newSigner(),
      consumer: newSigner(),
      modelId: EXCHANGE_MODEL_ID,
      completionTokens: 3,
    });
    c.ledger.applySignedTrade(odd);
    const audit = createLightning({
      ledger: c.ledger,
      signer: c.signer,
      options: { network: "regtest" },
    }).verify();
    expect(audit.ok).toBe(false);
    expect(audit.issues).toEqual([expect.objectContaining({ kind: "malformed_exchange", id: odd.trade_id })]);
    expect(c.ledger.verify().ok).toBe(true); // a valid trade all the same: both parties signed it
  });

  it("a deposit paid but not exchanged (the seller went away) is resumed, never paid twice", async () => {
    const inner = la.wallet()!;
    let sellerGone = false;
    const payThenLoseSeller: LightningWallet = {
      ...inner,
      kind: inner.kind,
      async payInvoice(bolt11) {
        const paid = await inner.payInvoice(bolt11);
        await lb.stop(); // the seller stops serving before the buyer proposes the exchange
        sellerGone = true;
        return paid;
      },
    };
    const buyer = createLightning({
      ledger: a.ledger,
      signer: a.signer,
      mesh: a.mesh,
      wallet: payThenLoseSeller,
      options: { network: "regtest" },
    });
    const payments = walletA.payments;
    const balanceA = a.ledger.balance(a.signer.accountId).balance_trm;
    await expect(buyer.deposit({ seller: b.signer.accountId, amountTrm: 7 })).rejects.toThrow();
    expect(sellerGone).toBe(true);
    expect(walletA.payments).toBe(payments + 1);
    expect(a.ledger.balance(a.signer.accountId).balance_trm).toBe(balanceA); // no TRM without the seller's signature
    lb = await lightning(b, { network: "regtest", depositTrmMax: 1_000 }, await lnd(walletB));
    const { signed } = await la.deposit({ seller: b.signer.accountId, amountTrm: 7 });
    expect(walletA.payments).toBe(payments + 1);
    expect(a.ledger.balance(a.signer.accountId).balance_trm).toBe(balanceA + 7);
    expect(b.ledger.getTrade(signed.trade_id)).toBeDefined();
  });
});
