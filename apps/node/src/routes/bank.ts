/**
 * Bank routes under `/v1/tirami/bank` (docs/bank.md; upstream's in docs/upstream.md §3.8, units in
 * names): `GET portfolio`, `GET pool`, `GET strategy`, `POST strategy`, `POST risk`, `GET
 * risk-assessment`, `POST tick` (`dry_run`), `POST optimize`, `GET decisions`, `GET insurance` (this
 * node's policies), `POST insurance` (insure a loan it lent), `GET futures`, `POST futures` (open one),
 * `POST futures/settle` (settle the due ones now; the sweeper does it every 10 s). Acting and settings are
 * the operator's; agents read. A tick that acts needs the mesh (503 MESH_DISABLED without it); a dry run
 * does not.
 * @module
 */
import { Hono } from "hono";
import type { AccountId } from "@tirami/core";
import { BANK_SPENDER, type Bank, type FuturesDesk, type InsuranceDesk, strategyOf } from "@tirami/bank";
import type { Ledger } from "@tirami/ledger";
import { MarketError, MarketErrorCode } from "@tirami/market";
import { operatorOnly } from "../middleware/auth.js";
import { readJsonBody } from "../openai/json-body.js";
import { parseBody } from "../openai/schemas.js";
import type { AppEnv } from "../principal.js";
import {
  bankDecisionsQuery,
  bankFutureBody,
  bankFuturesQuery,
  bankInsuranceBody,
  bankInsuranceQuery,
  bankOptimizeBody,
  bankRiskBody,
  bankStrategyBody,
  bankTickBody,
} from "@tirami/client";

export interface BankRoutesDeps {
  bank: Bank;
  ledger: Pick<Ledger, "insurance" | "futures">;
  insurance(): InsuranceDesk | undefined;
  futures(): FuturesDesk | undefined;
  /** Whether the mesh runs (the bank acts through it). */
  meshRunning(): boolean;
}

export function bankRoutes(deps: BankRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { bank } = deps;
  const needMesh = (dryRun: boolean) => {
    if (!dryRun && !deps.meshRunning())
      throw new MarketError(
        MarketErrorCode.MESH_DISABLED,
        "the bank acts through the mesh, which is not running",
      );
  };

  app.get("/bank/portfolio", (c) => c.json(bank.portfolio()));
  app.get("/bank/pool", (c) => c.json(bank.pool()));
  app.get("/bank/strategy", (c) =>
    c.json({ ...bank.settings(), spender: BANK_SPENDER, budget: bank.budget() }),
  );
  app.post("/bank/strategy", operatorOnly(), async (c) => {
    const body = parseBody(bankStrategyBody, await readJsonBody(c));
    const strategy = bank.setStrategy(strategyOf(body.strategy, body.base_commit_fraction));
    return c.json({ ok: true, strategy });
  });
  app.post("/bank/risk", operatorOnly(), async (c) => {
    const body = parseBody(bankRiskBody, await readJsonBody(c));
    return c.json({ ok: true, tolerance: bank.setRiskTolerance(body.tolerance) });
  });
  app.get("/bank/risk-assessment", (c) => c.json(bank.risk()));
  app.post("/bank/tick", operatorOnly(), async (c) => {
    const body = parseBody(bankTickBody, await readJsonBody(c));
    needMesh(body.dry_run);
    return c.json(await bank.tick({ dryRun: body.dry_run }));
  });
  app.post("/bank/optimize", operatorOnly(), async (c) => {
    const body = parseBody(bankOptimizeBody, await readJsonBody(c));
    needMesh(body.dry_run);
    return c.json(await bank.optimize({ maxVar99Trm: body.max_var_99_trm, dryRun: body.dry_run }));
  });
  app.get("/bank/decisions", (c) => {
    const query = parseBody(bankDecisionsQuery, c.req.query());
    const decisions = bank.decisions(query.limit);
    return c.json({ count: decisions.length, decisions });
  });
  app.get("/bank/insurance", (c) => {
    const query = parseBody(bankInsuranceQuery, c.req.query());
    const policies = deps.ledger.insurance.list({
      account: bank.portfolio().account,
      ...(query.status === undefined ? {} : { status: query.status }),
      limit: 1_000,
    });
    return c.json({ count: policies.length, policies });
  });
  app.post("/bank/insurance", operatorOnly(), async (c) => {
    const body = parseBody(bankInsuranceBody, await readJsonBody(c));
    const desk = deps.insurance();
    if (desk === undefined)
      throw new MarketError(MarketErrorCode.MESH_DISABLED, "insurance needs the mesh, which is not running");
    const policy = await desk.buy({
      loanId: body.loan_id,
      insurer: body.insurer as AccountId,
      coverageTrm: body.coverage_trm,
      ...(body.expires_ms === undefined ? {} : { expiresMs: body.expires_ms }),
    });
    return c.json(policy, 201);
  });
  app.get("/bank/futures", (c) => {
    const query = parseBody(bankFuturesQuery, c.req.query());
    const futures = deps.ledger.futures.list({
      account: bank.portfolio().account,
      ...(query.status === undefined ? {} : { status: query.status }),
      limit: 1_000,
    });
    return c.json({ count: futures.length, futures });
  });
  const futuresDesk = () => {
    const desk = deps.futures();
    if (desk === undefined)
      throw new MarketError(MarketErrorCode.MESH_DISABLED, "futures need the mesh, which is not running");
    return desk;
  };
  app.post("/bank/futures", operatorOnly(), async (c) => {
    const body = parseBody(bankFutureBody, await readJsonBody(c));
    const future = await futuresDesk().open({
      counterparty: body.counterparty as AccountId,
      side: body.side,
      notionalTokens: body.notional_tokens,
      strikeMicroTrmPerToken: body.strike_micro_trm_per_token,
      marginTrm: body.margin_trm,
      expiresMs: body.expires_ms,
    });
    return c.json(future, 201);
  });
  app.post("/bank/futures/settle", operatorOnly(), (c) => {
    const settled = futuresDesk().sweep();
    return c.json({ count: settled.length, settled });
  });
  return app;
}
