/**
 * Proves the bank acts on the real ledger through the real lending paths, over a two-node libp2p mesh on
 * 127.0.0.1 sharing one injected clock: a dry run plans without acting; a tick on A places a real lend
 * offer whose loans pass the `bank` spender's budget; B borrows from it and A's portfolio shows the loan
 * exactly as A's ledger does; the bank's budget and the kill switch refuse its spends like any other
 * spender's (the operator's budget untouched); B's bank repays B's loan before it is due, and both
 * ledgers agree and verify.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "@tirami/core";
import { type LedgerNode, startLedgerNode } from "@tirami/market/testing";
import { TOPIC_LOANS } from "@tirami/net";
import { HOUR_MS } from "@tirami/proto";
import { waitFor } from "@tirami/test-kit";
import { type Bank, createBank } from "./bank.js";

const clock = createManualClock(Date.now());
let a: LedgerNode;
let b: LedgerNode;
let bankA: Bank;
let bankB: Bank;

beforeAll(async () => {
  a = await startLedgerNode({ clock });
  b = await startLedgerNode({ clock, bootstrap: [a.addr()] });
  await waitFor("A and B to share the loans topic", () => a.mesh.host.topicPeers(TOPIC_LOANS).length >= 1);
  await waitFor("B to share the loans topic", () => b.mesh.host.topicPeers(TOPIC_LOANS).length >= 1);
  const bankOf = (node: LedgerNode) =>
    createBank({
      ledger: node.ledger,
      lending: () => node.mesh.lending,
      account: node.signer.accountId,
      clock,
    });
  bankA = bankOf(a);
  bankB = bankOf(b);
}, 60_000);
afterAll(async () => {
  await bankA?.stop();
  await bankB?.stop();
  await b?.stop();
  await a?.stop();
});

const rejection = (error: unknown) => (error as { details?: { reason?: string } }).details?.reason;

describe("the bank over a mesh", () => {
  it("a dry run plans; a tick places a real lend offer; B's loan from it shows in A's portfolio as in A's ledger", async () => {
    bankA.setStrategy({ kind: "conservative", max_commit_fraction: 0.3 });
    const dry = await bankA.tick({ dryRun: true });
    expect(dry.decisions.map((d) => [d.action, d.amount_trm, d.outcome])).toEqual([["lend", 300, "planned"]]);
    expect(a.mesh.lending!.ownTerms()).toBeNull();

    const tick = await bankA.tick();
    expect(tick.decisions.map((d) => [d.action, d.amount_trm, d.outcome])).toEqual([["lend", 300, "done"]]);
    expect(a.mesh.lending!.ownTerms()).toMatchObject({ capacityTrm: 300, spender: "bank" });
    await waitFor("A's offer to reach B", () =>
      b.mesh.lending!.offers().some((o) => o.amount_available_trm === 300),
    );

    const loan = await b.mesh.lending!.borrow({
      spender: "operator",
      amountTrm: 5,
      termHours: 24,
      collateralTrm: 2,
    });
    const portfolio = bankA.portfolio();
    const balance = a.ledger.balance(a.signer.accountId);
    expect(portfolio).toMatchObject({
      cash_trm: balance.effective_balance_trm,
      lent_trm: 5,
      borrowed_trm: 0,
      net_exposure_trm: balance.effective_balance_trm + 5,
      position_count: 1,
      decision_count: 2,
    });
    expect(portfolio.positions).toEqual([
      {
        kind: "lent",
        amount_trm: 5,
        counterparty: b.signer.accountId,
        contract_id: loan.loan_id,
        due_ms: loan.loan.due_ms,
      },
    ]);
    expect(a.ledger.safety.state().spend.find((s) => s.spender === "bank")?.hourly_spend_trm).toBe(5);
    expect(bankA.decisions().map((d) => d.outcome)).toEqual(["done", "planned"]);
  });

  it("the kill switch denies the bank's decisions and every loan against its offer", async () => {
    a.ledger.safety.activateKill("test", "operator");
    try {
      const tick = await bankA.tick();
      expect(tick.decisions.map((d) => [d.action, d.outcome, d.detail?.split(":")[0]])).toEqual([
        ["lend", "denied", "KILL_SWITCH_ACTIVE"],
      ]);
      const error = await b.mesh
        .lending!.borrow({ spender: "operator", amountTrm: 5, termHours: 24, collateralTrm: 2 })
        .catch((e: unknown) => e);
      expect(rejection(error)).toBe("KILL_SWITCH_ACTIVE");
    } finally {
      a.ledger.safety.resume("operator");
    }
  });

  it("the bank's budget refuses a loan against its offer and cuts its next lend; the operator's is untouched", async () => {
    a.ledger.safety.setPolicy("bank", { hourly_max_trm: 7 });
    const error = await b.mesh
      .lending!.borrow({ spender: "operator", amountTrm: 5, termHours: 24, collateralTrm: 2 })
      .catch((e: unknown) => e);
    expect(rejection(error)).toBe("SAFETY_DENIED");
    const tick = await bankA.tick();
    expect(tick.budget.available_trm).toBe(2);
    expect(tick.decisions.map((d) => [d.action, d.amount_trm, d.outcome])).toEqual([["lend", 2, "done"]]);
    expect(tick.decisions[0]!.rationale).toMatch(/cut from 293 TRM/);
    expect(a.ledger.safety.state().spend.find((s) => s.spender === "operator")?.hourly_spend_trm ?? 0).toBe(
      0,
    );
  });

  it("B's bank repays B's loan when it falls due within the horizon; both ledgers agree and verify", async () => {
    const [loan] = b.ledger.loans.list({ account: b.signer.accountId, status: "active" });
    const early = await bankB.tick({ dryRun: true });
    expect(early.decisions.some((d) => d.action === "repay")).toBe(false);
    clock.advanceMs(23 * HOUR_MS);
    const tick = await bankB.tick();
    const repay = tick.decisions.find((d) => d.action === "repay");
    expect(repay).toMatchObject({ outcome: "done", amount_trm: loan!.total_due_trm, loan_id: loan!.loan_id });
    expect(repay?.detail).toBe(`loan ${loan!.loan_id} repaid`);
    await waitFor("A to learn the repayment", () => a.ledger.loans.get(loan!.loan_id)?.status === "repaid");
    expect(bankA.portfolio().lent_trm).toBe(0);
    expect(a.ledger.merkleRoot()).toBe(b.ledger.merkleRoot());
    for (const node of [a, b]) expect(node.ledger.verify().issues).toEqual([]);
  });
});
