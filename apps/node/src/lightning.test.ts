/**
 * Proves the node's Lightning routes on a real node (real ledger file, no mocks): without a wallet every
 * pay or receive route answers 409 NO_WALLET in the OpenAI error shape and the quote still works; a
 * wallet connected through Nostr Wallet Connect (a NIP-47 service over the test-kit relay) is saved
 * owner-only, shown and logged without its secret, answers its balance, and is reconnected after a
 * restart; anchors of a window come back as a PSBT that decodes to the window's root, and the txid the
 * operator reports is kept.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createSimNetwork, startNwcWalletService } from "@tirami/lightning/testing";
import { decodeAnchorPsbt } from "@tirami/lightning";
import { startNostrRelay, waitFor } from "@tirami/test-kit";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createTestNode } from "../test/fixture.js";

describe("lightning routes", () => {
  it("answers 409 without a wallet, connects one without leaking its secret, anchors a window", async () => {
    const relay = await startNostrRelay();
    const sim = createSimNetwork("regtest");
    const service = await startNwcWalletService({
      relayUrl: relay.url,
      wallet: sim.createWallet("op", 42_000),
    });
    const secret = new URL(
      service.connectionUri.replace("nostr+walletconnect://", "http://x/"),
    ).searchParams.get("secret")!;
    let logs = "";
    const logger = pino(
      { level: "info" },
      new Writable({ write: (chunk, _enc, done) => ((logs += String(chunk)), done()) }),
    );
    const test = await createTestNode({ flags: { lightning_network: "regtest" }, logger });
    const { app } = test.node.http;
    const json = (body: unknown) => ({
      method: "POST",
      headers: { ...test.auth(), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    try {
      const now = Date.now();
      const window = { window_start_ms: now - 86_400_000, window_end_ms: now + 1 };
      for (const [path, init] of [
        ["/v1/tirami/settlement/pay", json(window)],
        ["/v1/tirami/deposit", json({ seller: "ab".repeat(32), amount_trm: 10 })],
        ["/v1/tirami/wallet/balance", { headers: test.auth() }],
      ] as const) {
        const res = await app.request(path, init);
        expect(res.status).toBe(409);
        expect(await res.json()).toMatchObject({
          error: { code: "NO_WALLET", type: "invalid_request_error" },
        });
      }
      const quote = await app.request("/v1/tirami/invoice?trm=1234", { headers: test.auth() });
      expect(await quote.json()).toMatchObject({
        amount_trm: 1_234,
        msat_per_trm: 10,
        amount_msat: 12_340,
        amount_sats: 13,
        wallet_connected: false,
      });
      expect(await (await app.request("/v1/tirami/wallet", { headers: test.auth() })).json()).toMatchObject({
        configured: false,
        connected: false,
      });

      const bad = await app.request(
        "/v1/tirami/wallet/connect",
        json({ nwc_uri: "nostr+walletconnect://nope" }),
      );
      expect(bad.status).toBe(400);
      const connected = await app.request(
        "/v1/tirami/wallet/connect",
        json({ nwc_uri: service.connectionUri }),
      );
      expect(connected.status).toBe(200);
      const status = await connected.json();
      expect(status).toMatchObject({ configured: true, connected: true, backend: "nwc", network: "regtest" });
      expect(JSON.stringify(status)).not.toContain(secret);
      expect(statSync(join(test.home, "wallet.json")).mode & 0o777).toBe(0o600);
      const balance = await app.request("/v1/tirami/wallet/balance", { headers: test.auth() });
      expect(await balance.json()).toMatchObject({ balance_msat: 42_000, balance_sats: 42 });
      // With a wallet but no mesh, paying has nobody to pay: nothing owed over the window.
      const paid = await app.request("/v1/tirami/settlement/pay", json(window));
      expect(await paid.json()).toMatchObject({ settled: 0, failed: 0, outcomes: [] });

      const anchor = await app.request(
        `/v1/tirami/anchor?window=${window.window_start_ms}-${window.window_end_ms}&network=regtest`,
        { headers: test.auth() },
      );
      const body = (await anchor.json()) as { merkle_root: string; psbt_base64: string };
      expect(body.merkle_root).toBe(
        test.node.ledger.settlement({ fromMs: window.window_start_ms, toMs: window.window_end_ms })
          .merkle_root,
      );
      expect(decodeAnchorPsbt(body.psbt_base64)).toEqual({
        network: "regtest",
        merkleRoot: body.merkle_root,
        windowStartMs: window.window_start_ms,
        windowEndMs: window.window_end_ms,
      });
      expect(
        (await app.request("/v1/tirami/anchor?window=5-1&network=regtest", { headers: test.auth() })).status,
      ).toBe(400);
      expect(
        (await app.request(`/v1/tirami/anchor?window=0-1&network=liquid`, { headers: test.auth() })).status,
      ).toBe(400);
      const txid = "cd".repeat(32);
      const reported = await app.request(
        "/v1/tirami/anchor/txid",
        json({ ...window, network: "regtest", txid }),
      );
      expect(await reported.json()).toMatchObject({ txid, merkle_root: body.merkle_root });
      const anchors = (await (await app.request("/v1/tirami/anchors", { headers: test.auth() })).json()) as {
        anchors: unknown[];
      };
      expect(anchors.anchors).toEqual([expect.objectContaining({ txid, network: "regtest" })]);

      // Restarted on the same home, the node reconnects the saved wallet by itself.
      await test.node.stop();
      const again = await createTestNode({
        flags: { home: test.home, lightning_network: "regtest" },
        logger,
      });
      try {
        await again.node.start();
        await waitFor("the saved wallet reconnected", () => again.node.lightning.status().connected);
      } finally {
        await again.close();
      }
      expect(logs).toContain("wallet connected");
      expect(logs).not.toContain(secret);
    } finally {
      await test.close();
      await service.close();
      await relay.close();
    }
  });
});
