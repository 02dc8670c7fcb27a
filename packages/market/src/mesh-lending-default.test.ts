/**
 * Proves the default path over a real mesh with an injected clock shared by three nodes (A–B–C line on
 * 127.0.0.1): B borrows from A and does not repay; once due + grace has passed every node's sweeper applies
 * the same default (collateral seized, 10 % burn journalled, B's reputation lowered) and the three roots
 * and balances agree and verify; B's later repayment is refused, and B — now under the credit floor — is
 * refused a new loan with INSUFFICIENT_CREDIT. A replayed loan changes nothing.
 */
import { afterAll, expect, it } from "vitest";
import { createManualClock } from "@tirami/core";
import { LOAN_DEFAULT_GRACE_MS, LOAN_DEFAULT_SETTLE_MS } from "@tirami/ledger";
import { TOPIC_LOANS } from "@tirami/net";
import { encodeMessage, HOUR_MS } from "@tirami/proto";
import { waitFor } from "@tirami/test-kit";
import { MarketError } from "./errors.js";
import { type LedgerNode, startLedgerNode } from "./testing.js";

const clock = createManualClock(Date.now());
const nodes: LedgerNode[] = [];
afterAll(async () => {
  for (const node of nodes) await node.stop();
});

it("every node applies the same default at due + grace; a late repayment and a new loan are refused", async () => {
  const a = await startLedgerNode({ clock });
  nodes.push(a);
  const b = await startLedgerNode({ clock, bootstrap: [a.addr()] });
  nodes.push(b);
  const c = await startLedgerNode({ clock, bootstrap: [b.addr()] });
  nodes.push(c);
  await waitFor(
    "the line to subscribe to loans",
    () =>
      [a, c].every((n) => n.mesh.host.topicPeers(TOPIC_LOANS).length >= 1) &&
      b.mesh.host.topicPeers(TOPIC_LOANS).length >= 2,
  );
  await a.mesh.lending!.offer({ capacityTrm: 1_000, maxTermHours: 24, minInterestPpmPerHour: 1_000 });
  await waitFor("A's offer at B", () => b.mesh.lending!.offers().length === 1);
  const loan = await b.mesh.lending!.borrow({
    spender: "operator",
    amountTrm: 15,
    termHours: 1,
    collateralTrm: 10,
  });
  await waitFor("C to learn the loan", () => c.ledger.loans.get(loan.loan_id) !== undefined);

  // Replaying the loan on the topic changes nothing anywhere.
  const rootC = c.ledger.merkleRoot();
  await b.mesh.host
    .publish(
      TOPIC_LOANS,
      encodeMessage({
        kind: "loan_gossip",
        loan_id: loan.loan_id,
        loan: loan.loan,
        lender_signature: loan.lender_signature,
        borrower_signature: loan.borrower_signature,
      }),
    )
    .catch(() => undefined);
  expect(c.ledger.merkleRoot()).toBe(rootC);

  const reputationBefore = c.ledger.reputation.get(b.signer.accountId).score;
  clock.advanceMs(HOUR_MS + LOAN_DEFAULT_GRACE_MS + LOAN_DEFAULT_SETTLE_MS);
  for (const node of [a, b, c])
    expect(node.mesh.lending!.sweep().map((l) => l.loan_id)).toEqual([loan.loan_id]);
  const views = [a, b, c].map((node) => ({
    root: node.ledger.merkleRoot(),
    a: node.ledger.balance(a.signer.accountId).balance_trm,
    b: node.ledger.balance(b.signer.accountId),
    events: node.ledger.loans.events(loan.loan_id).map((e) => e.kind),
  }));
  expect(views[1]).toEqual(views[0]);
  expect(views[2]).toEqual(views[0]);
  expect(views[0]!.events).toEqual(["created", "defaulted"]);
  expect(views[0]!.a).toBe(1_000 - 15 + 9); // 10 collateral: 1 burned, 9 to the lender
  expect(views[0]!.b).toMatchObject({ balance_trm: 1_000 + 15 - 10, reserved_trm: 0 });
  for (const node of [a, b, c]) {
    const report = node.ledger.verify();
    expect(report.issues).toEqual([]);
    expect(report.totals.burned_trm).toBe(1);
  }
  expect(c.ledger.reputation.get(b.signer.accountId).score).toBeLessThan(reputationBefore);

  await expect(b.mesh.lending!.repay({ spender: "operator", loanId: loan.loan_id })).rejects.toMatchObject({
    code: "REPAYMENT_LATE",
  });
  // A fresh offer (the old one aged out while the clock moved), then B asks again.
  const fresh = await a.mesh.lending!.offer({
    capacityTrm: 1_000,
    maxTermHours: 24,
    minInterestPpmPerHour: 1_000,
  });
  await waitFor("A's fresh offer at B", () =>
    b.mesh.lending!.offers().some((o) => o.timestamp_ms === fresh!.timestamp_ms),
  );
  await expect(
    b.mesh.lending!.borrow({ spender: "operator", amountTrm: 5, termHours: 1, collateralTrm: 5 }),
  ).rejects.toSatisfy(
    (error: unknown) =>
      error instanceof MarketError && (error.details as { reason?: string }).reason === "INSUFFICIENT_CREDIT",
  );
}, 60_000);
