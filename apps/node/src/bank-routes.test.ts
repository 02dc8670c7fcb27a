/**
 * Proves the bank's HTTP surface on a real node without a mesh, through `app.request`: the portfolio is
 * the ledger's balance; strategies and tolerances are validated (400 with the field) and kept; a dry-run
 * tick plans and records without acting while an acting tick needs the mesh (503 MESH_DISABLED); the
 * risk assessment and the optimiser answer in upstream's shape; decisions are listed newest first;
 * policies and futures are listed and buying or opening one is validated (400) and needs the mesh (503);
 * agents read but cannot act or change settings (403), and no agent may be named `bank`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNode, type TestNode } from "../test/fixture.js";

let t: TestNode;
const request = (path: string, init: RequestInit & { token?: string } = {}) => {
  const { token, headers, ...rest } = init;
  return Promise.resolve(
    t.node.http.app.request(path, {
      ...rest,
      headers: { ...t.auth(token), ...(headers as Record<string, string>) },
    }),
  );
};
const post = (path: string, body: unknown, token?: string) =>
  request(path, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
    ...(token === undefined ? {} : { token }),
  });
const json = async (response: Response | Promise<Response>) =>
  (await (await response).json()) as Record<string, unknown>;

beforeAll(async () => {
  t = await createTestNode({ flags: { rate_limit_per_minute: 1_000 } });
});
afterAll(async () => {
  await t?.close();
});

describe("bank routes", () => {
  it("reads the portfolio from the ledger", async () => {
    const portfolio = await json(request("/v1/tirami/bank/portfolio"));
    const balance = await json(request("/v1/tirami/balance"));
    expect(portfolio).toMatchObject({
      account: t.node.account,
      cash_trm: balance["effective_balance_trm"],
      lent_trm: 0,
      borrowed_trm: 0,
      positions: [],
      decision_count: 0,
    });
  });

  it("validates and keeps the strategy and the risk tolerance", async () => {
    const bad = await post("/v1/tirami/bank/strategy", { strategy: "balanced", base_commit_fraction: 1.5 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("base_commit_fraction");
    expect((await post("/v1/tirami/bank/strategy", { strategy: "yolo" })).status).toBe(400);
    expect(
      await json(post("/v1/tirami/bank/strategy", { strategy: "highyield", base_commit_fraction: 0.4 })),
    ).toEqual({
      ok: true,
      strategy: { kind: "high_yield", base_commit_fraction: 0.4 },
    });
    expect((await post("/v1/tirami/bank/risk", { tolerance: "reckless" })).status).toBe(400);
    expect(await json(post("/v1/tirami/bank/risk", { tolerance: "aggressive" }))).toEqual({
      ok: true,
      tolerance: "aggressive",
    });
    expect(await json(request("/v1/tirami/bank/strategy"))).toMatchObject({
      strategy: { kind: "high_yield", base_commit_fraction: 0.4 },
      risk_tolerance: "aggressive",
      spender: "bank",
      budget: { kill_switch: false, per_request_max_trm: 1_000 },
    });
  });

  it("a dry-run tick plans and records; an acting tick needs the mesh", async () => {
    const tick = await json(post("/v1/tirami/bank/tick", { dry_run: true }));
    expect(tick).toMatchObject({ dry_run: true, pool: { total_trm: 0, reserve_ratio: 1 } });
    // high_yield 0.4 × aggressive 1.0 of 1,000 TRM cash: lend 400 (planned, not acted on).
    expect(tick["decisions"]).toMatchObject([{ action: "lend", amount_trm: 400, outcome: "planned" }]);
    const acting = await post("/v1/tirami/bank/tick", {});
    expect(acting.status).toBe(503);
    expect(((await acting.json()) as { error: { code: string } }).error.code).toBe("MESH_DISABLED");
    const history = await json(request("/v1/tirami/bank/decisions?limit=10"));
    expect(history).toMatchObject({
      count: 1,
      decisions: [{ action: "lend", outcome: "planned", dry_run: true }],
    });
    expect((await request("/v1/tirami/bank/decisions?limit=0")).status).toBe(400);
  });

  it("assesses risk and optimises in upstream's shape", async () => {
    expect(await json(request("/v1/tirami/bank/risk-assessment"))).toEqual({
      portfolio_value_trm: 1_000,
      expected_loss_trm: 0,
      var_99_trm: 0,
      largest_single_exposure_trm: 0,
      concentration_ratio: 0,
    });
    // Lending 400 of 1,000 as one position: VaR99 = floor(4 + 2.33 × sqrt(400² × 0.0196) × 0.5) = 69.
    const rejected = await json(post("/v1/tirami/bank/optimize", { max_var_99_trm: 10, dry_run: true }));
    expect(rejected).toMatchObject({
      applied: false,
      max_var_fraction: 0.01,
      risk_after: { var_99_trm: 69 },
    });
    expect(rejected["rationale"]).toMatch(/^REJECTED/);
    expect(rejected["decisions"]).toMatchObject([{ action: "lend", outcome: "skipped" }]);
    const fits = await json(post("/v1/tirami/bank/optimize", { max_var_99_trm: 100, dry_run: true }));
    expect(fits).toMatchObject({ applied: false, decisions: [{ outcome: "planned" }] });
    expect(fits["rationale"]).toMatch(/^risk budget OK/);
  });

  it("lists this node's policies; buying one is validated and needs the mesh", async () => {
    expect(await json(request("/v1/tirami/bank/insurance?status=active"))).toEqual({
      count: 0,
      policies: [],
    });
    expect((await request("/v1/tirami/bank/insurance?status=lost")).status).toBe(400);
    const body = { loan_id: "ab".repeat(32), insurer: "cd".repeat(32), coverage_trm: 10 };
    expect((await post("/v1/tirami/bank/insurance", { ...body, coverage_trm: 0 })).status).toBe(400);
    const noMesh = await post("/v1/tirami/bank/insurance", body);
    expect(noMesh.status).toBe(503);
  });

  it("lists this node's futures; opening one is validated and needs the mesh", async () => {
    expect(await json(request("/v1/tirami/bank/futures?status=open"))).toEqual({ count: 0, futures: [] });
    const body = {
      counterparty: "cd".repeat(32),
      notional_tokens: 1_000,
      strike_micro_trm_per_token: 2_000,
      margin_trm: 10,
      expires_ms: 2_000_000_000_000,
    };
    expect((await post("/v1/tirami/bank/futures", { ...body, side: "sideways" })).status).toBe(400);
    expect((await post("/v1/tirami/bank/futures", body)).status).toBe(503);
    expect((await post("/v1/tirami/bank/futures/settle", {})).status).toBe(503);
  });

  it("agents read but cannot act or change settings; no agent may be named bank", async () => {
    expect((await post("/v1/tirami/agents", { name: "bank" })).status).toBe(400);
    const agent = (await json(post("/v1/tirami/agents", { name: "reader" })))["token"] as string;
    expect((await request("/v1/tirami/bank/portfolio", { token: agent })).status).toBe(200);
    expect((await post("/v1/tirami/bank/tick", { dry_run: true }, agent)).status).toBe(403);
    expect((await post("/v1/tirami/bank/strategy", { strategy: "balanced" }, agent)).status).toBe(403);
  });
});
