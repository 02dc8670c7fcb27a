/**
 * Proves the anchor records on a real ledger file: the anchor of a window carries exactly that window's
 * root (the settlement statement's, not the whole log's), the record follows trades of the window that
 * arrive late until the operator reports a txid, and after that keeps the root that went on chain while
 * the PSBT shows the current one.
 */
import { join } from "node:path";
import { openLedger } from "@tirami/ledger";
import { tempDir } from "@tirami/test-kit";
import { newSigner, signedTrade } from "@tirami/test-trades";
import { expect, it } from "vitest";
import { decodeAnchorPsbt } from "./anchor.js";
import { createLightning } from "./service.js";

it("anchors a window's own root and keeps the one that was broadcast", () => {
  const self = newSigner();
  const other = newSigner();
  const ledger = openLedger({ path: join(tempDir(), "ledger.db"), localAccount: self.accountId });
  try {
    const t0 = Date.now();
    const window = { startMs: t0 - 10_000, endMs: t0 };
    ledger.applySignedTrade(signedTrade({ provider: self, consumer: other, timestampMs: t0 - 20_000 })); // before
    ledger.applySignedTrade(signedTrade({ provider: self, consumer: other, timestampMs: t0 - 5_000 }));
    const lightning = createLightning({ ledger, signer: self, options: { network: "signet" } });
    const first = lightning.anchor(window, "signet");
    const statementRoot = ledger.settlement({ fromMs: window.startMs, toMs: window.endMs }).merkle_root;
    expect(first.merkle_root).toBe(statementRoot);
    expect(first.merkle_root).not.toBe(ledger.merkleRoot());
    expect(first.record).toMatchObject({ merkle_root: statementRoot, trade_count: 1, txid: null });
    expect(decodeAnchorPsbt(first.psbt_base64)?.merkleRoot).toBe(statementRoot);

    ledger.applySignedTrade(signedTrade({ provider: other, consumer: self, timestampMs: t0 - 4_000 }));
    const refreshed = lightning.anchor(window, "signet");
    expect(refreshed.record).toMatchObject({ merkle_root: refreshed.merkle_root, trade_count: 2 });
    expect(refreshed.merkle_root).not.toBe(first.merkle_root);

    const txid = "12".repeat(32);
    expect(lightning.reportAnchorTxid(window, "signet", txid)).toMatchObject({
      txid,
      merkle_root: refreshed.merkle_root,
    });
    ledger.applySignedTrade(signedTrade({ provider: other, consumer: self, timestampMs: t0 - 3_000 }));
    const late = lightning.anchor(window, "signet");
    expect(late.record).toMatchObject({ txid, merkle_root: refreshed.merkle_root, trade_count: 2 });
    expect(late.merkle_root).not.toBe(refreshed.merkle_root);
    expect(() => lightning.reportAnchorTxid({ startMs: 1, endMs: 2 }, "signet", txid)).toThrow(/no anchor/);
    expect(lightning.anchors()).toHaveLength(1);
  } finally {
    ledger.close();
  }
});
