/**
 * Proves lending over a real libp2p mesh (three ledger-backed nodes in a line A–B–C on 127.0.0.1): A's
 * lend offer reaches B, B borrows from A through the handshake, C learns the loan by gossip, B repays
 * with interest and every ledger ends with the same loan events, balances and root and verifies; a lender
 * whose kill switch is on refuses with its typed reason; hostile loans and repayments gossiped by an
 * intruder are rejected by A and never reach C.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOPIC_LOANS } from "@tirami/net";
import { encodeMessage, loanTotalDueTrm } from "@tirami/proto";
import { pause, waitFor } from "@tirami/test-kit";
import { repaymentOf, signedLoan } from "@tirami/test-trades";
import { type GossipLine, startGossipLine } from "../test/line.js";
import { MarketError } from "./errors.js";
import { startLedgerNode } from "./testing.js";

let line: GossipLine;
beforeAll(async () => {
  line = await startGossipLine(TOPIC_LOANS, "accept");
}, 60_000);
afterAll(async () => {
  await line?.stop();
});

const view = (node: GossipLine["a"], loanId: string) => ({
  root: node.ledger.merkleRoot(),
  events: node.ledger.loans.events(loanId).map((e) => [e.event_id, e.kind]),
  a: node.ledger.balance(line.a.signer.accountId).balance_trm,
  b: node.ledger.balance(line.b.signer.accountId).balance_trm,
});

describe("lending over the mesh", () => {
  it("offer → borrow → gossip → repay: every node holds the same loan events, balances and root", async () => {
    const { a, b, c } = line;
    await a.mesh.lending!.offer({ capacityTrm: 1_000, maxTermHours: 48, minInterestPpmPerHour: 1_000 });
    await waitFor("A's lend offer to reach B", () =>
      b.mesh.lending!.offers().some((o) => o.lender === a.signer.accountId),
    );
    expect(b.mesh.lending!.pool().total_available_trm).toBe(1_000);
    const loan = await b.mesh.lending!.borrow({
      spender: "operator",
      amountTrm: 15,
      termHours: 24,
      collateralTrm: 5,
    });
    expect(loan.loan.lender).toBe(a.signer.accountId);
    expect(loan.status).toBe("active");
    await waitFor("C to learn the loan", () => c.ledger.loans.get(loan.loan_id) !== undefined);
    expect(a.ledger.loans.get(loan.loan_id)?.status).toBe("active");
    expect(b.ledger.balance(b.signer.accountId)).toMatchObject({ balance_trm: 1_015, reserved_trm: 5 });

    const repaid = await b.mesh.lending!.repay({ spender: "operator", loanId: loan.loan_id });
    expect(repaid.status).toBe("repaid");
    const due = loanTotalDueTrm(loan.loan);
    await waitFor("A and C to learn the repayment", () =>
      [a, c].every((node) => node.ledger.loans.get(loan.loan_id)?.status === "repaid"),
    );
    expect(a.ledger.balance(a.signer.accountId).balance_trm).toBe(1_000 - 15 + due);
    expect(view(a, loan.loan_id)).toEqual(view(b, loan.loan_id));
    expect(view(c, loan.loan_id)).toEqual(view(b, loan.loan_id));
    for (const node of [a, b, c]) expect(node.ledger.verify().issues).toEqual([]);
  });

  it("a node that joins later catches up on the loan and its repayment", async () => {
    const { a, c } = line;
    const loan = a.ledger.loans.list({ status: "repaid", limit: 1 })[0]!;
    const d = await startLedgerNode({ bootstrap: [c.addr()] });
    try {
      await waitFor(
        "D to catch up on the repaid loan",
        () => d.ledger.loans.get(loan.loan_id)?.status === "repaid",
      );
      expect(d.ledger.loans.events(loan.loan_id).map((e) => e.event_id)).toEqual(
        c.ledger.loans.events(loan.loan_id).map((e) => e.event_id),
      );
      await waitFor("D's root to agree with C's", () => d.ledger.merkleRoot() === c.ledger.merkleRoot());
      expect(d.ledger.verify().issues).toEqual([]);
    } finally {
      await d.stop();
    }
  });

  it("a lender whose kill switch is on refuses with KILL_SWITCH_ACTIVE, and nothing moves", async () => {
    const { a, b } = line;
    a.ledger.safety.activateKill("test", "operator");
    const before = b.ledger.balance(b.signer.accountId);
    try {
      await expect(
        b.mesh.lending!.borrow({ spender: "operator", amountTrm: 10, termHours: 24, collateralTrm: 4 }),
      ).rejects.toSatisfy(
        (error: unknown) =>
          error instanceof MarketError &&
          error.code === "LOAN_REJECTED" &&
          (error.details as { reason: string }).reason === "KILL_SWITCH_ACTIVE",
      );
    } finally {
      a.ledger.safety.resume("operator");
    }
    expect(b.ledger.balance(b.signer.accountId)).toEqual(before);
  });

  it("hostile loans and repayments are rejected at A and never reach C", async () => {
    const { a, b, c, intruder, intruderSigner } = line;
    const honest = signedLoan({ lender: intruderSigner, borrower: b.signer, createdMs: Date.now() });
    const oneParty = { ...honest, borrower_signature: honest.lender_signature };
    const tampered = { ...honest, loan: { ...honest.loan, principal_trm: 299 } };
    const rootC = c.ledger.merkleRoot();
    const rejectedBefore = a.mesh.lending!.counters().loans_rejected;
    await intruder.publish(TOPIC_LOANS, encodeMessage({ kind: "loan_gossip", ...oneParty }));
    await intruder.publish(TOPIC_LOANS, encodeMessage({ kind: "loan_gossip", ...tampered }));
    // A repayment of an existing loan signed by someone other than its borrower.
    const existing = a.ledger.loans.list({ limit: 1 })[0]!;
    await intruder.publish(
      TOPIC_LOANS,
      encodeMessage(
        repaymentOf({ loan_id: existing.loan_id, loan: existing.loan } as never, intruderSigner, Date.now()),
      ),
    );
    await waitFor(
      "A to reject the forgeries",
      () => a.mesh.lending!.counters().loans_rejected >= rejectedBefore + 2,
    );
    await pause(1_500);
    expect(a.ledger.loans.get(honest.loan_id)).toBeUndefined();
    expect(c.ledger.loans.get(honest.loan_id)).toBeUndefined();
    expect(c.ledger.merkleRoot()).toBe(rootC);
    expect(a.mesh.lending!.counters().repayments_rejected).toBeGreaterThanOrEqual(1);
  });
});
