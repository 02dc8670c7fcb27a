/**
 * Proves the Nostr Wallet Connect backend over real NIP-47 events: a wallet service answers through the
 * test kit's relay on 127.0.0.1 (which verifies every event's signature), and the node's client creates
 * an invoice on one wallet, pays it from another, looks it up as settled with its preimage and reads both
 * balances — in NIP-44 v2 and in NIP-04 — while a failed payment moves nothing and the connection string's
 * secret never appears in its redacted form.
 */
import { startNostrRelay, type NostrRelay } from "@tirami/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLightningError } from "../errors.js";
import { createSimNetwork, startNwcWalletService, type NwcWalletService } from "../testing/index.js";
import { checkedWallet, type LightningWallet } from "../wallet.js";
import { connectNwcWallet } from "./client.js";
import { parseNwcUri, redactNwcUri } from "./uri.js";

describe("NWC wallet", () => {
  let relay: NostrRelay;
  const sim = createSimNetwork("regtest");
  const alice = sim.createWallet("alice", 0);
  const bob = sim.createWallet("bob", 5_000_000);
  const services: NwcWalletService[] = [];
  const wallets: LightningWallet[] = [];

  beforeAll(async () => {
    relay = await startNostrRelay();
  });
  afterAll(async () => {
    for (const w of wallets) await w.close();
    for (const s of services) await s.close();
    await relay.close();
  });

  async function connect(wallet: typeof alice, encryptions?: string): Promise<LightningWallet> {
    const service = await startNwcWalletService({
      relayUrl: relay.url,
      wallet,
      ...(encryptions ? { encryptions } : {}),
    });
    services.push(service);
    const client = checkedWallet(
      await connectNwcWallet(parseNwcUri(service.connectionUri), { timeoutMs: 10_000 }),
      "regtest",
    );
    wallets.push(client);
    return client;
  }

  for (const encryptions of ["nip44_v2 nip04", "nip04"]) {
    it(`creates, pays and looks up an invoice (${encryptions})`, async () => {
      const aliceClient = await connect(alice, encryptions);
      const bobClient = await connect(bob, encryptions);
      const before = await bobClient.balanceMsat();
      const invoice = await aliceClient.createInvoice({
        amountMsat: 21_000,
        description: "test",
        expiryS: 600,
      });
      expect(invoice.amount_msat).toBe(21_000);
      expect((await aliceClient.lookupInvoice(invoice.payment_hash)).state).toBe("pending");
      const paid = await bobClient.payInvoice(invoice.bolt11);
      const status = await aliceClient.lookupInvoice(invoice.payment_hash);
      expect(status).toEqual({
        payment_hash: invoice.payment_hash,
        state: "settled",
        amount_msat: 21_000,
        preimage: paid.preimage,
      });
      expect(await bobClient.balanceMsat()).toBe(before - 21_000);
    });
  }

  it("reports a failed payment as PAYMENT_FAILED and moves nothing", async () => {
    const aliceClient = await connect(alice);
    const bobClient = await connect(bob);
    const invoice = await aliceClient.createInvoice({ amountMsat: 1_000, description: "x", expiryS: 600 });
    bob.failNextPayments(1);
    const before = bob.balanceMsat;
    const error = await bobClient.payInvoice(invoice.bolt11).catch((e: unknown) => e);
    expect(isLightningError(error, "PAYMENT_FAILED")).toBe(true);
    expect(bob.balanceMsat).toBe(before);
    expect((await aliceClient.lookupInvoice(invoice.payment_hash)).state).toBe("pending");
    const poor = sim.createWallet("poor", 10);
    const poorClient = await connect(poor);
    const refused = await poorClient.payInvoice(invoice.bolt11).catch((e: unknown) => e);
    expect(isLightningError(refused, "PAYMENT_FAILED")).toBe(true);
    expect((refused as Error).message).toContain("INSUFFICIENT_BALANCE");
  });

  it("parses connection strings and redacts the secret", () => {
    const pub = "a".repeat(64);
    const secret = "b".repeat(64);
    const connection = parseNwcUri(
      `nostr+walletconnect://${pub}?relay=wss%3A%2F%2Frelay.example&secret=${secret}`,
    );
    expect(connection.walletPubkey).toBe(pub);
    expect(connection.relays).toEqual(["wss://relay.example"]);
    expect(redactNwcUri(connection)).not.toContain(secret);
    for (const bad of [
      "https://example.com",
      `nostr+walletconnect://${pub}?relay=wss%3A%2F%2Fr&secret=xyz`,
      `nostr+walletconnect://${pub}?relay=http%3A%2F%2Fr&secret=${secret}`,
      `nostr+walletconnect://short?relay=wss%3A%2F%2Fr&secret=${secret}`,
    ]) {
      let error: unknown;
      try {
        parseNwcUri(bad);
      } catch (e) {
        error = e;
      }
      expect(isLightningError(error, "WALLET_CONFIG_INVALID")).toBe(true);
      expect((error as Error).message).not.toContain(secret);
    }
  });
});
