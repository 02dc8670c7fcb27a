/**
 * Proves the bank's acceptance path on a three-node libp2p mesh on 127.0.0.1 sharing one injected clock
 * (docs/bank.md): a bank tick on A places a real lend offer; B borrows from it; A's portfolio shows the
 * loan from A's ledger; A insures the loan with C over the insurance handshake (premium A → C, coverage
 * held on C); B does not repay, and once due + grace has passed every node's sweeper defaults the loan
 * and pays A's policy from C in the same transaction; the three ledgers agree on the policy, the balances
 * and the root, and verify. A tampered policy gossiped by B reaches no ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "@tirami/core";
import { LOAN_DEFAULT_GRACE_MS, LOAN_DEFAULT_SETTLE_MS } from "@tirami/ledger";
import { type LedgerNode, startLedgerNode } from "@tirami/market/testing";
import { TOPIC_INSURANCE, TOPIC_LOANS } from "@tirami/net";
import { encodeMessage, HOUR_MS } from "@tirami/proto";
import { pause, waitFor } from "@tirami/test-kit";
import { type Bank, createBank } from "./bank.js";
import { createInsuranceDesk, type InsuranceDesk } from "./insurance-desk.js";

const clock = createManualClock(Date.now());
let a: LedgerNode, b: LedgerNode, c: LedgerNode;
let bankA: Bank;
const desks: InsuranceDesk[] = [];

beforeAll(async () => {
  a = await startLedgerNode({ clock });
  b = await startLedgerNode({ clock, bootstrap: [a.addr()] });
  c = await startLedgerNode({ clock, bootstrap: [a.addr()] });
  for (const node of [a, b, c]) {
    const desk = createInsuranceDesk({
      host: node.mesh.host,
      ledger: node.ledger,
      signer: node.signer,
      clock,
    });
    await desk.start();
    desks.push(desk);
  }
  await waitFor("the star to share the loans and insurance topics", () =>
    [TOPIC_LOANS, TOPIC_INSURANCE].every(
      (topic) =>
        a.mesh.host.topicPeers(topic).length >= 2 &&
        [b, c].every((n) => n.mesh.host.topicPeers(topic).length >= 1),
    ),
  );
  await pause(1_200); // one gossipsub heartbeat, so the mesh forwards
  bankA = createBank({ ledger: a.ledger, lending: () => a.mesh.lending, account: a.signer.accountId, clock });
}, 60_000);
afterAll(async () => {
  await bankA?.stop();
  for (const desk of desks) await desk.stop();
  for (const node of [c, b, a]) await node?.stop();
});

describe("acceptance on three nodes", () => {
  it("tick → offer → loan → insurance → default pays A from C; all three ledgers agree and verify", async () => {
    bankA.setStrategy({ kind: "conservative", max_commit_fraction: 0.3 });
    const tick = await bankA.tick();
    expect(tick.decisions.map((d) => [d.action, d.outcome])).toEqual([["lend", "done"]]);
    await waitFor("A's offer at B", () =>
      b.mesh.lending!.offers().some((o) => o.lender === a.signer.accountId),
    );
    const loan = await b.mesh.lending!.borrow({
      spender: "operator",
      amountTrm: 5,
      termHours: 1,
      collateralTrm: 2,
    });
    await waitFor("C to learn the loan", () => c.ledger.loans.get(loan.loan_id) !== undefined);
    expect(bankA.portfolio().positions).toEqual([
      {
        kind: "lent",
        amount_trm: 5,
        counterparty: b.signer.accountId,
        contract_id: loan.loan_id,
        due_ms: loan.loan.due_ms,
      },
    ]);

    const policy = await desks[0]!.buy({ loanId: loan.loan_id, insurer: c.signer.accountId, coverageTrm: 5 });
    expect(policy).toMatchObject({
      status: "active",
      policy: { insurer: c.signer.accountId, premium_trm: 1 },
    });
    await waitFor("B to learn the policy", () => b.ledger.insurance.get(policy.policy_id) !== undefined);
    expect(c.ledger.balance(c.signer.accountId)).toMatchObject({ balance_trm: 1_001, reserved_trm: 5 });
    expect(bankA.portfolio()).toMatchObject({ insured_coverage_trm: 5, position_count: 2 });

    // A policy tampered in transit (coverage raised, signatures kept) reaches no ledger.
    const tampered = {
      kind: "insurance_gossip" as const,
      ...policy,
      policy: { ...policy.policy, coverage_trm: 50 },
    };
    const { status: _s, closed_ms: _c, applied_ms: _a, ...forged } = tampered;
    await b.mesh.host.publish(TOPIC_INSURANCE, encodeMessage(forged)).catch(() => undefined);

    clock.advanceMs(HOUR_MS + LOAN_DEFAULT_GRACE_MS + LOAN_DEFAULT_SETTLE_MS + 1_000);
    for (const node of [a, b, c]) node.mesh.lending!.sweep();
    const view = (node: LedgerNode) => ({
      loan: node.ledger.loans.get(loan.loan_id)?.status,
      policy: node.ledger.insurance.get(policy.policy_id)?.status,
      policies: node.ledger.insurance.list().length,
      balances: [a, b, c].map((n) => node.ledger.balance(n.signer.accountId).balance_trm),
      root: node.ledger.merkleRoot(),
    });
    expect(view(a)).toMatchObject({ loan: "defaulted", policy: "paid", policies: 1 });
    expect(view(b)).toEqual(view(a));
    expect(view(c)).toEqual(view(a));
    // A: −5 lent, −1 premium, +2 collateral recovered (a 10 % burn of 2 floors to 0), +5 coverage.
    const [balanceA, , balanceC] = view(a).balances;
    expect(balanceC).toBe(1_000 + 1 - 5);
    expect(balanceA).toBe(1_000 - 5 - 1 + 2 + 5);
    expect(bankA.portfolio()).toMatchObject({ lent_trm: 0, insured_coverage_trm: 0 });
    for (const node of [a, b, c]) expect(node.ledger.verify().issues).toEqual([]);
  }, 60_000);
});
