/**
 * Proves the acceptance of the mind over a real two-node mesh (127.0.0.1 libp2p, ledger files): a
 * provider serves stories260K; a node without a model runs the mind, so every benchmark answer and
 * every paid proposal is bought through `market.buy` → the ledger's spend path → the safety gate as the
 * `mind` spender. Each cycle's recorded cost equals the sum of its trades in the buyer's ledger, and
 * every `mind-c…` trade there belongs to a cycle; a better rewrite is kept and a worse fixed prompt
 * reverted (greedy, seed 42: deterministic); a paid proposal is a trade; the cycle budget and the day
 * budget stop a run before a purchase would pass them; the gate's own policy for `mind` denies a
 * purchase and stops the run; the kill switch thrown mid-cycle stops it cleanly — no hold left, the
 * cycle closed as deferred with exactly the trades made before it. A named provider is bought from even
 * when this node serves the model itself. A trade that settled unrecorded when the process died is adopted
 * into its cycle after the restart, once.
 */
import { join } from "node:path";
import { costTrm, systemClock } from "@tirami/core";
import { createEngine, type Engine } from "@tirami/infer";
import { type LedgerNode, startLedgerNode } from "@tirami/market/testing";
import { testModelPath, waitFor } from "@tirami/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { judgeCycle } from "./budget.js";
import { MIND_SPENDER } from "./constants.js";
import { createMindInference } from "./inference.js";
import { createMind, type Mind } from "./mind.js";
import { withMindSpender } from "./spender.js";
import { type CycleView, type MindStore, openMindStore } from "./store.js";

const PRICE_TRM_PER_TOKEN = 0.25;
const PLAIN = "You are a helpful assistant.";
let engine: Engine;
let provider: LedgerNode;
let buyer: LedgerNode;
let store: MindStore;
let mind: Mind;
let model: string;

beforeAll(async () => {
  engine = await createEngine({
    modelPath: testModelPath(),
    threads: 1,
    contextSize: 512,
    parallelism: 1,
    chatWrapper: "general",
  });
  model = engine.manifest.id;
  provider = await startLedgerNode({ engine, priceTrmPerToken: PRICE_TRM_PER_TOKEN, buys: false });
  buyer = await startLedgerNode({ bootstrap: [provider.addr()], spenders: withMindSpender() });
  await waitFor("the provider's offer at the buyer", () => buyer.mesh.route(model, "balanced").length > 0, {
    timeoutMs: 15_000,
  });
  // A cycle buys 13 answers; the agent default (30 a minute) would trip the breaker by the third cycle.
  buyer.ledger.safety.setPolicy(MIND_SPENDER, { velocity_spends_per_minute_max: 600 });
  mind = openMind();
  mind.init({ harness: { system_prompt: PLAIN, model_routes: { default: model } } });
}, 60_000);

/** The buyer's mind on its store file (reopened as a restarted node would). */
function openMind(): Mind {
  store = openMindStore({ path: join(buyer.dir, "mind.db"), clock: systemClock });
  return createMind({
    store,
    account: buyer.signer.accountId,
    clock: systemClock,
    safety: buyer.ledger.safety,
    market: () => buyer.mesh,
  });
}

afterAll(async () => {
  store?.close();
  await buyer?.stop();
  await provider?.stop();
  await engine?.close();
});

/** The cycle's trades as the buyer's ledger holds them: each paid by the buyer to the provider. */
function tradesOf(cycle: CycleView): number {
  let sum = 0;
  for (const id of cycle.trade_ids) {
    const stored = buyer.ledger.getTrade(id);
    expect(stored?.trade).toMatchObject({
      consumer: buyer.signer.accountId,
      provider: provider.signer.accountId,
    });
    expect(stored?.trade.request_id.startsWith(`mind-c${cycle.cycle_id}-`)).toBe(true);
    sum += stored?.trade.amount_trm ?? Number.NaN;
  }
  return sum;
}

function expectNoHold(): void {
  expect(buyer.ledger.balance(buyer.signer.accountId).reserved_trm).toBe(0);
}

describe("a mind on a model-less node, paying the mesh", () => {
  it("keeps a better rewrite and reverts a worse prompt; each cycle costs exactly its trades", async () => {
    const kept = await mind.improve({ cycles: 1, optimiser: { kind: "rewrite" } });
    const keep = kept.cycles[0] as CycleView;
    expect(keep).toMatchObject({ decision: "keep", baseline_score: 0, candidate_score: 0.333333 });
    expect(keep.trade_ids).toHaveLength(12);
    expect(keep.invested_trm).toBeGreaterThan(0);
    expect(tradesOf(keep)).toBe(keep.invested_trm);
    expect(keep.return_trm).toBe(33_333);
    const reverted = await mind.improve({
      cycles: 1,
      optimiser: { kind: "fixed", system_prompt: "Once upon a time" },
    });
    const revert = reverted.cycles[0] as CycleView;
    expect(revert).toMatchObject({ decision: "revert", baseline_score: 0.333333, candidate_score: 0 });
    expect(tradesOf(revert)).toBe(revert.invested_trm);
    expect(mind.state().harness_version).toBe(keep.candidate_version);
    expectNoHold();
  });

  it("pays for a proposal from a model in the mesh by a trade and judges it by the rule", async () => {
    const run = await mind.improve({
      cycles: 1,
      optimiser: { kind: "paid", preference: "cost", max_tokens: 32 },
    });
    const cycle = run.cycles[0] as CycleView;
    expect(cycle.proposal?.proposer).toBe(`model:${model}`);
    expect(cycle.proposal?.cost_trm).toBeGreaterThan(0);
    expect(cycle.trade_ids).toHaveLength(13);
    expect(tradesOf(cycle)).toBe(cycle.invested_trm);
    const verdict = judgeCycle(mind.budget(), {
      baseline: cycle.baseline_score as number,
      candidate: cycle.candidate_score as number,
      investedTrm: cycle.invested_trm,
    });
    expect(cycle.decision).toBe(verdict.decision);
    expectNoHold();
  });

  it("stops at the cycle budget and at the day budget before a purchase would pass them", async () => {
    mind.setBudget({ max_trm_per_cycle: 50 });
    const byCycle = await mind.improve({ cycles: 3, optimiser: { kind: "echo" } });
    const cycle = byCycle.cycles[0] as CycleView;
    expect(byCycle).toMatchObject({ cycles_executed: 1, stopped: { code: "CYCLE_BUDGET_REACHED" } });
    expect(cycle).toMatchObject({ decision: "defer", stop_code: "CYCLE_BUDGET_REACHED" });
    expect(cycle.invested_trm).toBeLessThanOrEqual(50);
    expect(cycle.invested_trm).toBeGreaterThan(50 - 24 * PRICE_TRM_PER_TOKEN);
    expect(tradesOf(cycle)).toBe(cycle.invested_trm);
    const spent = mind.state().budget_spent_today_trm;
    mind.setBudget({ max_trm_per_cycle: 5_000, max_trm_per_day: spent + 20 });
    const byDay = await mind.improve({ cycles: 3, optimiser: { kind: "echo" } });
    expect(byDay).toMatchObject({ cycles_executed: 1, stopped: { code: "DAY_BUDGET_REACHED" } });
    expect(tradesOf(byDay.cycles[0] as CycleView)).toBe(byDay.cycles[0]?.invested_trm);
    expect(mind.state().budget_spent_today_trm).toBeLessThanOrEqual(spent + 20);
    mind.setBudget({ max_trm_per_day: 50_000 });
    expectNoHold();
  });

  it("is denied by the safety gate's policy for the mind spender, which stops the run", async () => {
    const gate = buyer.ledger.safety;
    const spentHour = gate.state().spend.find((s) => s.spender === MIND_SPENDER)?.hourly_spend_trm ?? 0;
    gate.setPolicy(MIND_SPENDER, { hourly_max_trm: spentHour + 10 });
    try {
      const run = await mind.improve({ cycles: 1, optimiser: { kind: "echo" } });
      expect(run.stopped?.code).toBe("HOURLY_LIMIT_EXCEEDED");
      expect(tradesOf(run.cycles[0] as CycleView)).toBe(run.cycles[0]?.invested_trm);
      expect(gate.listDecisions({ spender: MIND_SPENDER, limit: 1 })[0]).toMatchObject({
        code: "HOURLY_LIMIT_EXCEEDED",
      });
    } finally {
      gate.setPolicy(MIND_SPENDER, { hourly_max_trm: 10_000 });
    }
    expectNoHold();
  });

  it("stops mid-cycle at the kill switch: no hold left, the cycle deferred with exactly its trades", async () => {
    let bought = 0;
    const off = buyer.mesh.onTrade((_signed, source) => {
      if (source !== "consumer") return;
      bought += 1;
      if (bought === 3) buyer.ledger.safety.activateKill("test: stop the mind mid-cycle", "operator");
    });
    try {
      const run = await mind.improve({ cycles: 2, optimiser: { kind: "rewrite" } });
      const cycle = run.cycles[0] as CycleView;
      expect(run).toMatchObject({ cycles_executed: 1, stopped: { code: "KILL_SWITCH_ACTIVE" } });
      expect(cycle).toMatchObject({ decision: "defer", stop_code: "KILL_SWITCH_ACTIVE", baseline: null });
      expect(cycle.trade_ids).toHaveLength(3);
      expect(tradesOf(cycle)).toBe(cycle.invested_trm);
      expectNoHold();
      expect(buyer.ledger.verify().ok).toBe(true);
    } finally {
      off();
      buyer.ledger.safety.resume("operator");
    }
  });

  it("answers locally when this node serves the model, and buys when a provider is named", () => {
    const call = { modelId: model, maxTokens: 24 };
    const local = createMindInference({ engine: () => engine, market: () => buyer.mesh });
    expect(local.worstCaseTrm(call)).toBe(0);
    const named = createMindInference({
      engine: () => engine,
      market: () => buyer.mesh,
      provider: provider.signer.accountId,
    });
    expect(named.worstCaseTrm(call)).toBe(costTrm(24, PRICE_TRM_PER_TOKEN));
    const nobody = createMindInference({ market: () => buyer.mesh, provider: buyer.signer.accountId });
    expect(() => nobody.worstCaseTrm(call)).toThrow(/neither loaded here nor offered/);
  });

  it("adopts into its cycle a trade that settled unrecorded when the process died", async () => {
    const cycleId = store.beginCycle({ optimiser: "paid", baseline_version: mind.state().harness_version });
    const bought = await buyer.mesh.buy({
      spender: MIND_SPENDER,
      modelId: model,
      input: { prompt: "Once upon a time" },
      sampling: { maxTokens: 8, temperature: 0 },
      preference: "balanced",
      requestId: `mind-c${cycleId}-died-p1`,
    });
    store.close(); // the process dies after the ledger settled the purchase, before the mind recorded it
    mind = openMind();
    expect(store.cycle(cycleId)).toMatchObject({ stop_code: "INTERRUPTED", invested_trm: 0, trade_ids: [] });
    const recent = buyer.ledger.listTrades({ account: buyer.signer.accountId, limit: 1_000 });
    expect(mind.adoptTrades(recent)).toBe(1);
    expect(mind.adoptTrades(recent)).toBe(0);
    const cycle = store.cycle(cycleId) as CycleView;
    expect(cycle).toMatchObject({ invested_trm: bought.amountTrm, trade_ids: [bought.tradeId] });
    expect(tradesOf(cycle)).toBe(cycle.invested_trm);
  });

  it("accounts for every mind trade in the ledger, and its totals equal the stats", () => {
    const byCycle = new Map(store.cycles().map((c) => [c.cycle_id, c]));
    const trades = buyer.ledger
      .listTrades({ account: buyer.signer.accountId, limit: 500 })
      .filter((stored) => stored.trade.request_id.startsWith("mind-c"));
    expect(trades.length).toBeGreaterThan(40);
    for (const stored of trades) {
      const id = Number(/^mind-c(\d+)-/.exec(stored.trade.request_id)?.[1]);
      expect(byCycle.get(id)?.trade_ids).toContain(stored.trade_id);
    }
    const total = trades.reduce((sum, stored) => sum + stored.trade.amount_trm, 0);
    expect(mind.stats().total_trm_invested).toBe(total);
    expect([...byCycle.values()].reduce((sum, c) => sum + c.invested_trm, 0)).toBe(total);
    expect(buyer.ledger.balance(buyer.signer.accountId).balance_trm).toBe(1_000 - total);
  });
});
