/**
 * Proves the Lightning commands as a user drives them, with the real bin against a real node (`tirami
 * node` on 127.0.0.1 port 0, regtest, no model): without a wallet `settle --pay` and `wallet balance` fail
 * with NO_WALLET and a non-zero exit; `wallet connect -` reads a Nostr Wallet Connect string from stdin
 * (a NIP-47 service over the test-kit relay) and `wallet status` / `wallet balance` show it without its
 * secret; `settle --pay` then settles nothing (no debts) and exits 0; `anchor --out` writes a PSBT that
 * decodes to the window's root, and `anchor --txid` records the broadcast.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeAnchorPsbt } from "@tirami/lightning";
import { createSimNetwork, startNwcWalletService } from "@tirami/lightning/testing";
import { type NostrRelay, startNostrRelay } from "@tirami/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, json, type NodeUnderTest, runCli, startNode, tempDir } from "../test/e2e-harness.js";

let node: NodeUnderTest;
let relay: NostrRelay;
let at: string[];

beforeAll(async () => {
  assertBuilt();
  relay = await startNostrRelay();
  node = await startNode({ model: false, extra: ["--lightning-network", "regtest"] });
  at = ["--url", node.url, "--home", node.home];
});

afterAll(async () => {
  await node?.stop();
  await relay?.close();
});

describe("wallet, settle --pay and anchor", () => {
  it("refuses to pay without a wallet, then connects one from stdin and keeps its secret out of the output", async () => {
    const unpaid = await runCli([...at, "settle", "--pay", "--json"]);
    expect(unpaid.code).not.toBe(0);
    expect(unpaid.stderr).toContain("no wallet configured");
    expect((await runCli([...at, "wallet", "balance"])).code).not.toBe(0);
    expect(
      json<{ configured: boolean }>(await runCli([...at, "wallet", "status", "--json"])).configured,
    ).toBe(false);

    const service = await startNwcWalletService({
      relayUrl: relay.url,
      wallet: createSimNetwork("regtest").createWallet("op", 21_000),
    });
    try {
      const secret = /secret=([0-9a-f]{64})/.exec(service.connectionUri)?.[1] as string;
      const connected = await runCli([...at, "wallet", "connect", "-"], {
        input: `${service.connectionUri}\n`,
      });
      expect(connected.code).toBe(0);
      expect(connected.stdout).toContain("wallet nwc on regtest: connected");
      const status = await runCli([...at, "wallet", "status", "--json"]);
      expect(json(status)).toMatchObject({ configured: true, connected: true, backend: "nwc" });
      for (const run of [connected, status]) expect(run.stdout + run.stderr).not.toContain(secret);
      const balance = await runCli([...at, "wallet", "balance"]);
      expect(balance.stdout).toContain("21 sats");
      const paid = await runCli([...at, "settle", "--pay", "--json"]);
      expect(paid.code).toBe(0);
      expect(json(paid)).toMatchObject({ settled: 0, failed: 0 });
      expect(node.stderr()).not.toContain(secret);
    } finally {
      await runCli([...at, "wallet", "disconnect"]);
      await service.close();
    }
  });

  it("writes an anchor PSBT for a window and records its txid", async () => {
    const to = Date.now();
    const from = to - 3_600_000;
    const out = join(tempDir(), "anchor.psbt");
    const window = ["--from", String(from), "--to", String(to), "--network", "regtest"];
    const run = await runCli([...at, "anchor", ...window, "--out", out, "--json"]);
    expect(run.code).toBe(0);
    const anchor = json<{ merkle_root: string }>(run);
    expect(decodeAnchorPsbt(readFileSync(out, "utf8").trim())).toEqual({
      network: "regtest",
      merkleRoot: anchor.merkle_root,
      windowStartMs: from,
      windowEndMs: to,
    });
    const txid = "ef".repeat(32);
    expect((await runCli([...at, "anchor", ...window, "--txid", txid])).code).toBe(0);
    const list = json<{ anchors: Array<{ txid: string }> }>(
      await runCli([...at, "anchor", "--list", "--json"]),
    );
    expect(list.anchors.map((a) => a.txid)).toContain(txid);
  });
});
