/**
 * Proves settlement that pays through the node's HTTP API, between two real nodes on libp2p (127.0.0.1):
 * each operator connects a Nostr Wallet Connect wallet (NIP-47 services over the test-kit relay, real
 * signed BOLT11 invoices); the debtor's `POST /v1/tirami/settlement/pay` gets the creditor's invoice over
 * the mesh, pays it, and both nodes then report the window settled by the same exchange trade, their
 * ledgers verifying; an agent token cannot pay.
 */
import { createSimNetwork, type NwcWalletService, startNwcWalletService } from "@tirami/lightning/testing";
import { type NostrRelay, startNostrRelay, waitFor } from "@tirami/test-kit";
import { signedTrade } from "@tirami/test-trades";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNode, type TestNode } from "../test/fixture.js";

describe("settlement/pay between two nodes", () => {
  let relay: NostrRelay;
  const services: NwcWalletService[] = [];
  const nodes: TestNode[] = [];
  const sim = createSimNetwork("regtest");
  const debtorWallet = sim.createWallet("debtor", 1_000_000);
  const creditorWallet = sim.createWallet("creditor", 0);
  let debtor: TestNode, creditor: TestNode;

  async function node(bootstrap: string[]): Promise<TestNode> {
    const t = await createTestNode({ flags: { p2p_port: 0, bootstrap, lightning_network: "regtest" } });
    nodes.push(t);
    await t.node.start();
    return t;
  }
  const post = (t: TestNode, path: string, body: unknown, auth = t.auth()) =>
    t.node.http.app.request(path, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    relay = await startNostrRelay();
    creditor = await node([]);
    debtor = await node([creditor.node.mesh!.host.multiaddrs()[0] as string]);
    await waitFor("the nodes connected", () => debtor.node.mesh!.host.connectedAccounts().length === 1);
    for (const [t, wallet] of [
      [debtor, debtorWallet],
      [creditor, creditorWallet],
    ] as const) {
      const service = await startNwcWalletService({ relayUrl: relay.url, wallet });
      services.push(service);
      expect((await post(t, "/v1/tirami/wallet/connect", { nwc_uri: service.connectionUri })).status).toBe(
        200,
      );
    }
  });

  afterAll(async () => {
    for (const t of nodes) await t.close();
    for (const s of services) await s.close();
    await relay?.close();
  });

  it("pays the creditor's invoice and both nodes show the window settled", async () => {
    const t0 = Date.now();
    const trade = signedTrade({
      provider: creditor.node.key.signer,
      consumer: debtor.node.key.signer,
      completionTokens: 70,
      timestampMs: t0 - 1_000,
    });
    for (const t of [debtor, creditor]) t.node.ledger.applySignedTrade(trade);
    const window = { window_start_ms: t0 - 60_000, window_end_ms: t0 };

    const agent = await post(debtor, "/v1/tirami/agents", { name: "payer" });
    const { token } = (await agent.json()) as { token: string };
    expect(
      (await post(debtor, "/v1/tirami/settlement/pay", window, { authorization: `Bearer ${token}` })).status,
    ).toBe(403);

    const paid = await post(debtor, "/v1/tirami/settlement/pay", window);
    expect(paid.status).toBe(200);
    const result = (await paid.json()) as {
      settled: number;
      outcomes: Array<{ trade_id: string; amount_sats: number }>;
    };
    expect(result).toMatchObject({
      settled: 1,
      failed: 0,
      outcomes: [{ status: "settled", amount_trm: 70, amount_msat: 700 }],
    });
    expect(creditorWallet.balanceMsat).toBe(700);
    const tradeId = result.outcomes[0]!.trade_id;
    const query = `?window=${window.window_start_ms}-${window.window_end_ms}`;
    for (const t of [debtor, creditor]) {
      const res = await t.node.http.app.request(`/v1/tirami/settlement/positions${query}`, {
        headers: t.auth(),
      });
      const { positions } = (await res.json()) as { positions: Array<{ settled_by: string | null }> };
      expect(positions).toEqual([expect.objectContaining({ settled_by: tradeId })]);
      const exchanges = await t.node.http.app.request("/v1/tirami/exchanges", { headers: t.auth() });
      expect(await exchanges.json()).toMatchObject({ count: 1, verify: { ok: true } });
      expect(t.node.ledger.verify().ok).toBe(true);
    }
  });
});
