/**
 * Rows of the bank's routes (`/v1/tirami/bank/*`, docs/bank.md): the node's treasury on the real ledger —
 * portfolio, strategy ticks through lending as the `bank` spender, risk, insurance on loans, futures.
 * @module
 */
import { endpoint } from "../endpoint.js";
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
} from "../schemas/bank.js";

type Json = Record<string, unknown>;

export const bankEndpoints = {
  bankPortfolio: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/bank/portfolio",
    summary:
      "The node's portfolio read from the ledger: cash, lent, borrowed, collateral, policies, futures, net exposure.",
    access: "token",
    mcp: "tirami_bank_portfolio",
  }),
  bankPool: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/bank/pool",
    summary:
      "The lending pool as the bank's strategies see it (total, lent, available, rates, this node's max borrow).",
    access: "token",
    mcp: "tirami_bank_pool",
  }),
  bankStrategy: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/bank/strategy",
    summary: "The bank's strategy and risk tolerance, with the bank spender's budget.",
    access: "token",
    mcp: "tirami_bank_strategy",
  }),
  setBankStrategy: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/bank/strategy",
    summary: "Choose the bank's strategy: conservative, high_yield or balanced (operator).",
    access: "operator",
    input: bankStrategyBody,
    mcp: "tirami_bank_set_strategy",
  }),
  setBankRisk: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/bank/risk",
    summary: "Set the bank's risk tolerance: conservative, balanced or aggressive (operator).",
    access: "operator",
    input: bankRiskBody,
    mcp: "tirami_bank_set_risk",
  }),
  bankRiskAssessment: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/bank/risk-assessment",
    summary: "Expected loss, VaR 99 %, largest exposure and concentration of the real positions.",
    access: "token",
    mcp: "tirami_bank_risk",
  }),
  bankTick: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/bank/tick",
    summary:
      "Decide and act now: lend offers, loans and repayments as the bank spender; dry_run returns the decisions only (operator).",
    access: "operator",
    input: bankTickBody,
    destructive: true,
    mcp: "tirami_bank_tick",
  }),
  bankOptimize: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/bank/optimize",
    summary: "Tick only if the VaR 99 % after the decisions stays within max_var_99_trm (operator).",
    access: "operator",
    input: bankOptimizeBody,
    destructive: true,
    mcp: "tirami_bank_optimize",
  }),
  bankDecisions: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/bank/decisions",
    summary: "The bank's persisted decisions with their outcomes, newest first.",
    access: "token",
    input: bankDecisionsQuery.optional(),
    mcp: "tirami_bank_decisions",
  }),
  bankInsurance: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/bank/insurance",
    summary: "This node's insurance policies on loans (as insured lender or insurer).",
    access: "token",
    input: bankInsuranceQuery.optional(),
    mcp: "tirami_bank_insurance",
  }),
  insureLoan: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/bank/insurance",
    summary:
      "Insure a loan this node lent with an insurer node, who countersigns; the premium moves now (operator).",
    access: "operator",
    input: bankInsuranceBody,
    destructive: true,
    mcp: "tirami_bank_insure",
  }),
  bankFutures: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/bank/futures",
    summary: "This node's compute futures (open or settled).",
    access: "token",
    input: bankFuturesQuery.optional(),
    mcp: "tirami_bank_futures",
  }),
  openFuture: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/bank/futures",
    summary:
      "Open a compute future with a counterparty node: notional tokens, strike, margin held on both sides (operator).",
    access: "operator",
    input: bankFutureBody,
    destructive: true,
    mcp: "tirami_bank_open_future",
  }),
  settleFutures: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/bank/futures/settle",
    summary: "Settle the futures that are due now, by the rule every node computes alike (operator).",
    access: "operator",
    destructive: true,
    mcp: "tirami_bank_settle_futures",
  }),
} as const;
