/**
 * Proves the spend path end to end on a real node's ledger and safety gate, with a second node key as the
 * counterparty: a purchase reserves the worst case, pays exactly `costTrm(received tokens, price)` by an
 * applied dual-signed trade and releases the rest; an abort pays only for what was received; a failure
 * releases everything and counts toward the breaker; and every denial (kill switch, per-request, hourly
 * and lifetime budgets, approval required → approved, breaker, insufficient balance, frozen agent) leaves
 * the ledger unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { costTrm, isTiramiError } from "@tirami/core";
import { createSpendPath, SpendDeniedError, type SpendPathRequest, type SpendWork } from "@tirami/ledger";
import { isTradeId } from "@tirami/proto";
import { describeError } from "./middleware/on-error.js";
import { createCounterparty, createTestNode, type TestNode } from "../test/fixture.js";
import { join } from "node:path";
import { systemClock } from "@tirami/core";
import { openNodeDatabase } from "./agents/db.js";
import { agentSpenders } from "./agents/spenders.js";
import { createUsageMeter } from "./agents/usage.js";
import { NODE_DB_FILE } from "./node.js";

let t: TestNode;
const provider = createCounterparty();
let requestCounter = 0;

beforeAll(async () => {
  t = await createTestNode();
});
afterAll(async () => {
  await t?.close();
});

function purchase(overrides: Partial<SpendPathRequest<SpendWork>> = {}): SpendPathRequest<SpendWork> {
  requestCounter += 1;
  return {
    spender: "operator",
    counterparty: provider,
    modelId: "stories260K",
    priceTrmPerToken: 1,
    maxTokens: 100,
    requestId: `req-${requestCounter}`,
    run: async () => ({ promptTokens: 7, completionTokens: 40 }),
    ...overrides,
  };
}

async function denial(
  promise: Promise<unknown>,
): Promise<{ code: string; details: Record<string, unknown> | undefined; error: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (isTiramiError(error)) return { code: error.code, details: error.details, error };
    throw error;
  }
  throw new Error("expected the spend to be refused");
}

const local = () => t.node.ledger.balance(t.node.account);

describe("spend path", () => {
  it("reserves the worst case, pays the actual cost by a dual-signed trade and releases the rest", async () => {
    const before = local();
    const outcome = await t.node.spend.spend(
      purchase({
        run: async () => {
          expect(local().reserved_trm).toBe(before.reserved_trm + 100);
          return { promptTokens: 7, completionTokens: 40 };
        },
      }),
    );
    expect(outcome.heldTrm).toBe(100);
    expect(outcome.amountTrm).toBe(costTrm(40, 1));
    expect(outcome.tradeId).toSatisfy(isTradeId);
    const after = local();
    expect(after.balance_trm).toBe(before.balance_trm - 40);
    expect(after.reserved_trm).toBe(before.reserved_trm);
    expect(outcome.effectiveBalanceTrm).toBe(after.effective_balance_trm);
    expect(t.node.ledger.balance(provider.account).balance_trm).toBe(1_000 + 40);
    const stored = t.node.ledger.getTrade(outcome.tradeId as string);
    expect(stored?.trade.consumer).toBe(t.node.account);
    expect(stored?.trade.provider).toBe(provider.account);
    expect(stored?.trade.completion_tokens).toBe(40);
    expect(t.node.ledger.verify().ok).toBe(true);
  });

  it("pays fractional prices rounded up, and never more than was reserved", async () => {
    const before = local().balance_trm;
    // The provider claims more tokens than were asked for: only maxTokens are paid.
    const outcome = await t.node.spend.spend(
      purchase({
        priceTrmPerToken: 0.25,
        maxTokens: 10,
        run: async () => ({ promptTokens: 1, completionTokens: 500 }),
      }),
    );
    expect(outcome.heldTrm).toBe(costTrm(10, 0.25));
    expect(outcome.amountTrm).toBe(costTrm(10, 0.25));
    expect(local().balance_trm).toBe(before - costTrm(10, 0.25));
  });

  it("on abort pays only for the tokens received before it", async () => {
    const client = new AbortController();
    const before = local().balance_trm;
    const outcome = await t.node.spend.spend(
      purchase({
        signal: client.signal,
        run: async (signal) => {
          let received = 0;
          while (!signal.aborted) {
            received += 1;
            if (received === 12) client.abort();
            await Promise.resolve();
          }
          return { promptTokens: 3, completionTokens: received };
        },
      }),
    );
    expect(outcome.amountTrm).toBe(12);
    expect(local().balance_trm).toBe(before - 12);
    expect(local().reserved_trm).toBe(0);
  });

  it("with nothing received releases the hold and makes no trade", async () => {
    const trades = t.node.ledger.tradeCount();
    const before = local();
    const outcome = await t.node.spend.spend(
      purchase({ run: async () => ({ promptTokens: 3, completionTokens: 0 }) }),
    );
    expect(outcome).toMatchObject({ amountTrm: 0, tradeId: null });
    expect(t.node.ledger.tradeCount()).toBe(trades);
    expect(local()).toEqual(before);
  });

  it("releases the hold when the work fails, and five failures trip the spender's breaker", async () => {
    const agent = t.node.agents.create("breaker-bot").agent;
    const before = local();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await expect(
        t.node.spend.spend(
          purchase({
            spender: agent.name,
            run: async () => {
              throw new Error("provider went away");
            },
          }),
        ),
      ).rejects.toThrow("provider went away");
    }
    expect(local()).toEqual(before);
    const refused = await denial(t.node.spend.spend(purchase({ spender: agent.name })));
    expect(refused.code).toBe("CIRCUIT_BREAKER_TRIPPED");
    expect(refused.error).toBeInstanceOf(SpendDeniedError);
    expect(local()).toEqual(before);
  });

  it("refuses every spend while the kill switch is active, with a 403 and the reason code", async () => {
    const before = local();
    t.node.safety.activateKill("test halt", "operator");
    try {
      const refused = await denial(t.node.spend.spend(purchase()));
      expect(refused.code).toBe("KILL_SWITCH_ACTIVE");
      expect(describeError(refused.error)).toMatchObject({
        status: 403,
        body: { error: { code: "KILL_SWITCH_ACTIVE", type: "permission_error" } },
      });
      expect(local()).toEqual(before);
    } finally {
      t.node.safety.resume("operator");
    }
    await expect(t.node.spend.spend(purchase())).resolves.toMatchObject({ amountTrm: 40 });
  });

  it("enforces the per-request, hourly and lifetime budgets of each agent", async () => {
    const before = local();
    t.node.agents.create("capped");
    t.node.safety.setPolicy("capped", {
      per_request_max_trm: 50,
      per_request_hard_max_trm: 50,
      approval_threshold_trm: null,
    });
    expect((await denial(t.node.spend.spend(purchase({ spender: "capped" })))).code).toBe(
      "EXCEEDS_REQUEST_LIMIT",
    );

    t.node.agents.create("hourly");
    t.node.safety.setPolicy("hourly", { hourly_max_trm: 150 });
    await t.node.spend.spend(
      purchase({ spender: "hourly", run: async () => ({ promptTokens: 1, completionTokens: 100 }) }),
    );
    expect((await denial(t.node.spend.spend(purchase({ spender: "hourly" })))).code).toBe(
      "HOURLY_LIMIT_EXCEEDED",
    );

    t.node.agents.create("lifetime");
    t.node.safety.setPolicy("lifetime", { lifetime_max_trm: 150 });
    await t.node.spend.spend(
      purchase({ spender: "lifetime", run: async () => ({ promptTokens: 1, completionTokens: 100 }) }),
    );
    expect((await denial(t.node.spend.spend(purchase({ spender: "lifetime" })))).code).toBe(
      "LIFETIME_CAP_REACHED",
    );
    expect(local().balance_trm).toBe(before.balance_trm - 200);
    expect(local().reserved_trm).toBe(0);
  });

  it("asks for a human approval above the auto cap, and the approved retry goes through", async () => {
    t.node.agents.create("needs-human");
    t.node.safety.setPolicy("needs-human", { per_request_max_trm: 50 });
    const request = purchase({ spender: "needs-human" });
    const before = local();
    const refused = await denial(t.node.spend.spend(request));
    expect(refused.code).toBe("APPROVAL_REQUIRED");
    const approvalId = refused.details?.approval_id as string;
    expect(approvalId).toEqual(expect.any(String));
    expect(local()).toEqual(before);
    expect(t.node.safety.listApprovals({ status: "pending" }).map((a) => a.approval_id)).toContain(
      approvalId,
    );
    t.node.safety.approve(approvalId, "operator");
    const outcome = await t.node.spend.spend({ ...request, approvalId });
    expect(outcome.amountTrm).toBe(40);
  });

  it("refuses with INSUFFICIENT_BALANCE (402) when the worst case exceeds the balance, releasing the grant", async () => {
    t.node.safety.setPolicy("operator", {
      per_request_max_trm: 100_000,
      per_request_hard_max_trm: 100_000,
      hourly_max_trm: 1_000_000,
      approval_threshold_trm: null,
    });
    const before = local();
    const refused = await denial(
      t.node.spend.spend(purchase({ maxTokens: before.effective_balance_trm + 1 })),
    );
    expect(refused.code).toBe("INSUFFICIENT_BALANCE");
    expect(describeError(refused.error)?.status).toBe(402);
    expect(local()).toEqual(before);
    const grants = t.node.ledger.sqlite
      .prepare("SELECT count(*) AS n FROM safety_grants WHERE state = 'pending'")
      .get() as { n: number };
    expect(grants.n).toBe(0);
  });

  it("refuses a frozen or revoked agent before asking the gate", async () => {
    t.node.agents.create("sleepy");
    t.node.agents.setStatus("sleepy", "frozen");
    const before = local();
    const refused = await denial(t.node.spend.spend(purchase({ spender: "sleepy" })));
    expect(refused.code).toBe("AGENT_FROZEN");
    expect(describeError(refused.error)?.status).toBe(403);
    t.node.agents.setStatus("sleepy", "revoked");
    expect((await denial(t.node.spend.spend(purchase({ spender: "sleepy" })))).code).toBe("AGENT_FROZEN");
    expect(local()).toEqual(before);
  });

  it("rejects malformed requests before asking the gate, and releases the hold when the counterparty never signs", async () => {
    const before = local();
    await expect(t.node.spend.spend(purchase({ requestId: "has space" }))).rejects.toThrow(TypeError);
    await expect(t.node.spend.spend(purchase({ maxTokens: 0 }))).rejects.toThrow(RangeError);
    await expect(t.node.spend.spend(purchase({ priceTrmPerToken: Number.NaN }))).rejects.toThrow(RangeError);
    // A second spend path on the same node's ledger, gate and node.db, with a short signature timeout.
    const nodeDb = openNodeDatabase(join(t.home, NODE_DB_FILE));
    try {
      const impatient = createSpendPath({
        ledger: t.node.ledger,
        spenders: agentSpenders(t.node.agents, createUsageMeter(nodeDb, systemClock)),
        signer: t.node.key.signer,
        clock: systemClock,
        signTimeoutMs: 20,
      });
      const silent = { account: provider.account, signTrade: () => new Promise<string>(() => undefined) };
      const refused = await denial(impatient.spend(purchase({ counterparty: silent })));
      expect(refused.code).toBe("COUNTERPARTY_TIMEOUT");
      expect(local()).toEqual(before);
    } finally {
      nodeDb.close();
    }
  });

  it("leaves a ledger that verifies, with every trade signed by both parties", () => {
    const report = t.node.ledger.verify();
    expect(report.ok).toBe(true);
    expect(report.counts.trades).toBe(t.node.ledger.tradeCount());
    expect(provider.seen.length).toBe(t.node.ledger.tradeCount());
  });
});
