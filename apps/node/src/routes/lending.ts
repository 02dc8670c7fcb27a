/**
 * Lending routes under `/v1/tirami` (docs/lending.md; names after docs/upstream.md §3.6, units in
 * names): `POST /lend` (this node's lend offer), `POST /lend-to`, `POST /borrow`, `POST /repay`,
 * `GET /credit`, `GET /pool`, `GET /loans`, `GET /loans/:id` (with both signatures, its events and their
 * Merkle proofs). Acting on loans is the operator's; agents read. Without a running mesh the acting
 * routes answer 503 MESH_DISABLED.
 * @module
 */
import { Hono } from "hono";
import { borrowRequest, lendRequest, lendToRequest, repayRequest } from "@tirami/client";
import { type AccountId, isAccountId, parseAccountId } from "@tirami/core";
import { type Ledger, LedgerError, LedgerErrorCode, type StoredLoan } from "@tirami/ledger";
import { type Lending, MarketError, MarketErrorCode } from "@tirami/market";
import { isTradeId, LOAN_TERM_HOURS_MAX, PPM } from "@tirami/proto";
import { operatorOnly } from "../middleware/auth.js";
import { readJsonBody } from "../openai/json-body.js";
import { parseBody } from "../openai/schemas.js";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { AppEnv } from "../principal.js";

export interface LendingRoutesDeps {
  ledger: Pick<Ledger, "loans" | "proof">;
  localAccount: AccountId;
  lending(): Lending | undefined;
  nowMs(): number;
}

/** The contract rules bound the term (proto's loan schema); the API checks it first for a clear `param`. */
function checkTermHours(value: number, param: string): number {
  if (value > LOAN_TERM_HOURS_MAX)
    throw new NodeError(NodeErrorCode.INVALID_REQUEST, `${param}: at most ${LOAN_TERM_HOURS_MAX} hours`, {
      param,
    });
  return value;
}

/** A loan as the API shows it, from this node's point of view. */
export function loanView(loan: StoredLoan, self: AccountId) {
  const l = loan.loan;
  return {
    loan_id: loan.loan_id,
    role: l.lender === self ? "lender" : l.borrower === self ? "borrower" : "observer",
    lender: l.lender,
    borrower: l.borrower,
    principal_trm: l.principal_trm,
    interest_ppm_per_hour: l.interest_ppm_per_hour,
    interest_rate_per_hour: l.interest_ppm_per_hour / PPM,
    term_hours: l.term_hours,
    collateral_trm: l.collateral_trm,
    interest_trm: loan.interest_trm,
    total_due_trm: loan.total_due_trm,
    created_ms: l.created_ms,
    due_ms: l.due_ms,
    status: loan.status,
    closed_ms: loan.closed_ms,
  };
}

export function lendingRoutes(deps: LendingRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const self = deps.localAccount;
  const lendingOf = (): Lending => {
    const lending = deps.lending();
    if (lending === undefined)
      throw new MarketError(MarketErrorCode.MESH_DISABLED, "lending needs the mesh, which is not running");
    return lending;
  };

  app.post("/lend", operatorOnly(), async (c) => {
    const body = parseBody(lendRequest, await readJsonBody(c));
    const lending = lendingOf();
    const offer = await lending.offer({
      capacityTrm: body.amount_trm,
      maxTermHours: checkTermHours(body.max_term_hours ?? LOAN_TERM_HOURS_MAX, "max_term_hours"),
      minInterestPpmPerHour: body.min_interest_ppm_per_hour ?? 0,
    });
    return c.json({ offer, pool: lending.pool() });
  });

  app.post("/borrow", operatorOnly(), async (c) => {
    const body = parseBody(borrowRequest, await readJsonBody(c));
    checkTermHours(body.term_hours, "term_hours");
    const loan = await lendingOf().borrow({
      spender: "operator",
      amountTrm: body.amount_trm,
      termHours: body.term_hours,
      collateralTrm: body.collateral_trm,
      ...(body.lender === undefined ? {} : { lender: parseAccountId(body.lender, "lender") }),
      signal: c.req.raw.signal,
    });
    return c.json(loanView(loan, self), 201);
  });

  app.post("/lend-to", operatorOnly(), async (c) => {
    const body = parseBody(lendToRequest, await readJsonBody(c));
    checkTermHours(body.term_hours, "term_hours");
    const loan = await lendingOf().lendTo({
      spender: "operator",
      borrower: parseAccountId(body.borrower, "borrower"),
      amountTrm: body.amount_trm,
      termHours: body.term_hours,
      collateralTrm: body.collateral_trm,
      ...(body.interest_ppm_per_hour === undefined ? {} : { interestPpmPerHour: body.interest_ppm_per_hour }),
      signal: c.req.raw.signal,
    });
    return c.json(loanView(loan, self), 201);
  });

  app.post("/repay", operatorOnly(), async (c) => {
    const body = parseBody(repayRequest, await readJsonBody(c));
    const loan = await lendingOf().repay({ spender: "operator", loanId: body.loan_id });
    return c.json({ ...loanView(loan, self), interest_paid_trm: loan.interest_trm });
  });

  app.get("/credit", (c) => {
    const who = c.req.query("account") ?? self;
    if (!isAccountId(who))
      throw new NodeError(NodeErrorCode.INVALID_REQUEST, "account: expected 64 lowercase hex characters", {
        param: "account",
      });
    const credit = deps.ledger.loans.credit(who);
    return c.json({ node_id: who, ...credit });
  });

  app.get("/pool", (c) => {
    const lending = deps.lending();
    const stats = deps.ledger.loans.stats();
    return c.json({
      ...(lending === undefined ? { total_available_trm: 0, offers: 0, own: null } : lending.pool()),
      active_loan_count: stats.active_count,
      active_principal_trm: stats.active_principal_trm,
      repaid_count: stats.repaid_count,
      defaulted_count: stats.defaulted_count,
      burned_trm: stats.burned_trm,
      breaker: deps.ledger.loans.gate.breaker(),
      offers_seen: lending?.offers() ?? [],
    });
  });

  app.get("/loans", (c) => {
    const status = c.req.query("status");
    if (status !== undefined && !["active", "repaid", "defaulted"].includes(status))
      throw new NodeError(NodeErrorCode.INVALID_REQUEST, "status: expected active, repaid or defaulted", {
        param: "status",
      });
    const all = c.req.query("all") === "true";
    const loans = deps.ledger.loans.list({
      ...(all ? {} : { account: self }),
      ...(status === undefined ? {} : { status: status as StoredLoan["status"] }),
      limit: 1_000,
    });
    const now = deps.nowMs();
    return c.json({
      count: loans.length,
      loans: loans.map((loan) => ({
        ...loanView(loan, self),
        due_in_ms: loan.status === "active" ? loan.loan.due_ms - now : null,
      })),
    });
  });

  app.get("/loans/:id", (c) => {
    const id = c.req.param("id");
    if (!isTradeId(id))
      throw new NodeError(NodeErrorCode.INVALID_REQUEST, "loan id: expected 64 lowercase hex characters", {
        param: "id",
      });
    const loan = deps.ledger.loans.get(id);
    if (loan === undefined)
      throw new LedgerError(LedgerErrorCode.LOAN_NOT_FOUND, `no loan ${id}`, { details: { param: "id" } });
    const events = deps.ledger.loans
      .events(id)
      .map((event) => ({ ...event, proof: deps.ledger.proof(event.event_id) }));
    return c.json({
      ...loanView(loan, self),
      loan: loan.loan,
      lender_signature: loan.lender_signature,
      borrower_signature: loan.borrower_signature,
      events,
    });
  });

  return app;
}
