/**
 * Every route of the node the client calls, as one table (see `endpoint.ts`). A route the node adds gets
 * a row here, and the coverage test (apps/node/src/client-coverage.test.ts) fails until it has one, or an
 * entry with its reason in `CLIENT_EXCLUDED`. Streaming variants of the OpenAI routes are methods of the
 * client beside their non-streamed rows.
 * @module
 */
import { endpoint, type StreamOf } from "./endpoint.js";
import { agoraEndpoints } from "./endpoints/agora.js";
import { bankEndpoints } from "./endpoints/bank.js";
import { lightningEndpoints } from "./endpoints/lightning.js";
import { mindEndpoints } from "./endpoints/mind.js";
import { chatCompletionRequest, completionRequest, embeddingsRequest } from "./schemas/openai.js";
import { responsesRequest } from "./schemas/responses.js";
import {
  accountParam,
  agentNameParam,
  approvalIdParam,
  approvalsQuery,
  borrowRequest,
  createAgentRequest,
  creditQuery,
  getPolicyQuery,
  killRequest,
  lendRequest,
  lendToRequest,
  loanIdParam,
  loansQuery,
  modelParam,
  providersQuery,
  repayRequest,
  responseIdParam,
  routeQuery,
  setPolicyRequest,
  settlementQuery,
  topologyQuery,
  tradeIdParam,
  tradesQuery,
} from "./schemas/tirami.js";
import type {
  BalanceResponse,
  NetworkResponse,
  PricingResponse,
  SettlementStatement,
  TradeProof,
  TradeStreamEvent,
  TradesResponse,
  WireTrade,
} from "./types/economy.js";
import type {
  HealthResponse,
  LoansResponse,
  LoanView,
  Model,
  ModelsResponse,
  PeersResponse,
  ProvidersResponse,
  ReadyResponse,
  RouteResponse,
} from "./types/mesh.js";
import type { ChatCompletion, Completion, EmbeddingsResponse, ResponseObject } from "./types/openai.js";
import type {
  AgentResponse,
  AgentsResponse,
  ApprovalResponse,
  ApprovalsResponse,
  CreateAgentResponse,
  KillResponse,
  PolicyResponse,
  SafetyResponse,
} from "./types/safety.js";

type Json = Record<string, unknown>;

/** The node's own rows (economy, mesh, lending, safety, agents, OpenAI). */
const nodeEndpoints = {
  // Probes.
  health: endpoint<HealthResponse>()({
    method: "GET",
    path: "/health",
    summary: "Liveness of the node and whether a model is loaded.",
    access: "public",
    mcp: "tirami_health",
  }),
  ready: endpoint<ReadyResponse>()({
    method: "GET",
    path: "/readyz",
    summary:
      "Readiness: ledger open, accepting requests, able to answer (a local model or a provider in the mesh).",
    access: "public",
    mcp: false,
  }),
  metrics: endpoint<string>()({
    method: "GET",
    path: "/metrics",
    summary: "Prometheus metrics of the node (text exposition format).",
    access: "public",
    response: "text",
    mcp: false,
  }),

  // OpenAI-compatible.
  models: endpoint<ModelsResponse>()({
    method: "GET",
    path: "/v1/models",
    summary: "Models this node can answer with: its own and those offered in the mesh.",
    access: "token",
    mcp: "tirami_models",
  }),
  model: endpoint<Model>()({
    method: "GET",
    path: "/v1/models/:model",
    summary: "One model, if this node can answer with it.",
    access: "token",
    input: modelParam,
    mcp: false,
  }),
  chatCompletions: endpoint<ChatCompletion>()({
    method: "POST",
    path: "/v1/chat/completions",
    summary:
      "Ask a model (OpenAI chat format). Served locally or bought from the mesh; the answer's x_tirami gives the TRM cost and the trade id.",
    access: "token",
    input: chatCompletionRequest,
    destructive: true,
    mcp: "tirami_chat",
  }),
  completions: endpoint<Completion>()({
    method: "POST",
    path: "/v1/completions",
    summary: "Continue a prompt (OpenAI text completion). Paid like chat.",
    access: "token",
    input: completionRequest,
    destructive: true,
    mcp: "tirami_complete",
  }),
  embeddings: endpoint<EmbeddingsResponse>()({
    method: "POST",
    path: "/v1/embeddings",
    summary: "Embed texts (OpenAI embeddings). Paid like chat when bought from the mesh.",
    access: "token",
    input: embeddingsRequest,
    destructive: true,
    mcp: "tirami_embed",
  }),
  createResponse: endpoint<ResponseObject>()({
    method: "POST",
    path: "/v1/responses",
    summary: "Ask a model through the OpenAI Responses API (stored, chainable by previous_response_id).",
    access: "token",
    input: responsesRequest,
    destructive: true,
    mcp: false,
  }),
  getResponse: endpoint<ResponseObject>()({
    method: "GET",
    path: "/v1/responses/:id",
    summary: "A stored response of the caller.",
    access: "token",
    input: responseIdParam,
    mcp: false,
  }),
  deleteResponse: endpoint<Json>()({
    method: "DELETE",
    path: "/v1/responses/:id",
    summary: "Delete a stored response of the caller.",
    access: "token",
    input: responseIdParam,
    mcp: false,
  }),

  // Economy.
  balance: endpoint<BalanceResponse>()({
    method: "GET",
    path: "/v1/tirami/balance",
    summary: "The node's TRM balance (effective = balance − reserved), and the caller's own usage.",
    access: "token",
    mcp: "tirami_balance",
  }),
  pricing: endpoint<PricingResponse>()({
    method: "GET",
    path: "/v1/tirami/pricing",
    summary: "The live price in TRM per token, what moves it, and the cost of 100 and 1,000 tokens.",
    access: "token",
    mcp: "tirami_pricing",
  }),
  trades: endpoint<TradesResponse>()({
    method: "GET",
    path: "/v1/tirami/trades",
    summary: "Recent dual-signed trades in this node's ledger, newest first (page with `before`).",
    access: "token",
    input: tradesQuery.optional(),
    mcp: "tirami_trades",
  }),
  trade: endpoint<WireTrade>()({
    method: "GET",
    path: "/v1/tirami/trades/:trade_id",
    summary: "One trade with both signatures.",
    access: "token",
    input: tradeIdParam,
    mcp: "tirami_trade",
  }),
  streamTrades: endpoint<StreamOf<TradeStreamEvent>>()({
    method: "GET",
    path: "/v1/tirami/trades/stream",
    summary: "The trades this ledger applies, pushed live (an agent sees its own purchases).",
    access: "token",
    response: "events",
    mcp: false,
  }),
  proof: endpoint<TradeProof>()({
    method: "GET",
    path: "/v1/tirami/proof/:trade_id",
    summary: "Merkle inclusion proof (RFC 9162) that a trade is in the ledger's log.",
    access: "token",
    input: tradeIdParam,
    mcp: "tirami_proof",
  }),
  network: endpoint<NetworkResponse>()({
    method: "GET",
    path: "/v1/tirami/network",
    summary: "Totals of this ledger and the mesh: accounts, trades, TRM moved, Merkle root, peers.",
    access: "token",
    mcp: "tirami_network",
  }),
  settlement: endpoint<SettlementStatement>()({
    method: "GET",
    path: "/v1/tirami/settlement",
    summary: "Settlement statement of a window: its trades, their Merkle root and the net TRM per account.",
    access: "token",
    input: settlementQuery.optional(),
    mcp: "tirami_settlement",
  }),

  // Mesh.
  providers: endpoint<ProvidersResponse>()({
    method: "GET",
    path: "/v1/tirami/providers",
    summary: "Providers in the mesh with their models, capacity and rank.",
    access: "token",
    input: providersQuery.optional(),
    mcp: "tirami_providers",
  }),
  route: endpoint<RouteResponse>()({
    method: "GET",
    path: "/v1/tirami/route",
    summary: "Which provider a purchase of `model` would go to, and the ranked candidates.",
    access: "token",
    input: routeQuery,
    mcp: "tirami_route",
  }),
  peers: endpoint<PeersResponse>()({
    method: "GET",
    path: "/v1/tirami/peers",
    summary: "Connected peers of the mesh.",
    access: "token",
    mcp: "tirami_peers",
  }),
  mesh: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/mesh",
    summary: "The mesh at a glance: peers, offers, providers, root agreement.",
    access: "token",
    mcp: "tirami_mesh",
  }),
  unsettled: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/mesh/unsettled",
    summary: "Consumers this node refuses because they never countersigned a trade (operator).",
    access: "operator",
    mcp: "tirami_unsettled",
  }),
  forgive: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/mesh/unsettled/:account/forgive",
    summary: "Serve an unsettled consumer again (operator).",
    access: "operator",
    input: accountParam,
    mcp: "tirami_forgive",
  }),
  topology: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/topology",
    summary: "A plan to split a model into pipeline stages over the mesh's nodes.",
    access: "token",
    input: topologyQuery.optional(),
    mcp: "tirami_topology",
  }),

  // Lending.
  lend: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/lend",
    summary: "Offer TRM to the mesh's borrowers (operator).",
    access: "operator",
    input: lendRequest,
    destructive: true,
    mcp: "tirami_lend",
  }),
  borrow: endpoint<LoanView>()({
    method: "POST",
    path: "/v1/tirami/borrow",
    summary: "Borrow TRM against collateral from the cheapest offer or a named lender (operator).",
    access: "operator",
    input: borrowRequest,
    destructive: true,
    mcp: "tirami_borrow",
  }),
  lendTo: endpoint<LoanView>()({
    method: "POST",
    path: "/v1/tirami/lend-to",
    summary: "Lend TRM to one borrower, who must countersign (operator).",
    access: "operator",
    input: lendToRequest,
    destructive: true,
    mcp: "tirami_lend_to",
  }),
  repay: endpoint<LoanView & { interest_paid_trm: number }>()({
    method: "POST",
    path: "/v1/tirami/repay",
    summary: "Repay a loan this node borrowed: principal plus interest (operator).",
    access: "operator",
    input: repayRequest,
    destructive: true,
    mcp: "tirami_repay",
  }),
  credit: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/credit",
    summary: "Credit score of this node or another account, and what it may borrow.",
    access: "token",
    input: creditQuery.optional(),
    mcp: "tirami_credit",
  }),
  pool: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/pool",
    summary: "The lending pool: live offers, TRM available, loans active, repaid and defaulted.",
    access: "token",
    mcp: "tirami_pool",
  }),
  loans: endpoint<LoansResponse>()({
    method: "GET",
    path: "/v1/tirami/loans",
    summary: "Loans of this node (or all it knows with all=true), by status.",
    access: "token",
    input: loansQuery.optional(),
    mcp: "tirami_loans",
  }),
  loan: endpoint<LoanView & { events: Json[] }>()({
    method: "GET",
    path: "/v1/tirami/loans/:id",
    summary: "One loan with its signatures, events and their Merkle proofs.",
    access: "token",
    input: loanIdParam,
    mcp: "tirami_loan",
  }),

  // Safety.
  safety: endpoint<SafetyResponse>()({
    method: "GET",
    path: "/v1/tirami/safety",
    summary: "Kill switch, budgets, breakers and recent decisions of the safety gate.",
    access: "token",
    mcp: "tirami_safety",
  }),
  kill: endpoint<KillResponse>()({
    method: "POST",
    path: "/v1/tirami/kill",
    summary:
      "Kill switch: activate=true stops every spend of this node at once; activate=false resumes (operator).",
    access: "operator",
    input: killRequest,
    destructive: true,
    mcp: "tirami_kill_switch",
  }),
  policy: endpoint<PolicyResponse>()({
    method: "GET",
    path: "/v1/tirami/policy",
    summary: "The spend policy of the operator or of a named agent (operator).",
    access: "operator",
    input: getPolicyQuery.optional(),
    mcp: "tirami_policy",
  }),
  setPolicy: endpoint<PolicyResponse>()({
    method: "PUT",
    path: "/v1/tirami/policy",
    summary: "Change budgets and limits of the operator or of a named agent (operator).",
    access: "operator",
    input: setPolicyRequest,
    destructive: true,
    mcp: "tirami_set_policy",
  }),
  approvals: endpoint<ApprovalsResponse>()({
    method: "GET",
    path: "/v1/tirami/approvals",
    summary: "Spends waiting for a human's approval (an agent sees its own).",
    access: "token",
    input: approvalsQuery.optional(),
    mcp: "tirami_approvals",
  }),
  approve: endpoint<ApprovalResponse>()({
    method: "POST",
    path: "/v1/tirami/approvals/:approval_id/approve",
    summary: "Approve a pending spend; the spender's retry then goes through (operator).",
    access: "operator",
    input: approvalIdParam,
    destructive: true,
    mcp: "tirami_approve",
  }),
  deny: endpoint<ApprovalResponse>()({
    method: "POST",
    path: "/v1/tirami/approvals/:approval_id/deny",
    summary: "Deny a pending spend (operator).",
    access: "operator",
    input: approvalIdParam,
    mcp: "tirami_deny",
  }),

  // Agents.
  createAgent: endpoint<CreateAgentResponse>()({
    method: "POST",
    path: "/v1/tirami/agents",
    summary: "Create an agent with its own token and budget; the token is shown once (operator).",
    access: "operator",
    input: createAgentRequest,
    mcp: "tirami_create_agent",
  }),
  agents: endpoint<AgentsResponse>()({
    method: "GET",
    path: "/v1/tirami/agents",
    summary: "Agents of this node with their usage (operator).",
    access: "operator",
    mcp: "tirami_agents",
  }),
  agent: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/agents/:name",
    summary: "One agent with its usage, spend and policy (an agent may read only itself).",
    access: "token",
    input: agentNameParam,
    mcp: "tirami_agent",
  }),
  freezeAgent: endpoint<AgentResponse>()({
    method: "POST",
    path: "/v1/tirami/agents/:name/freeze",
    summary: "Freeze an agent: its token is refused until unfrozen (operator).",
    access: "operator",
    input: agentNameParam,
    destructive: true,
    mcp: "tirami_freeze_agent",
  }),
  unfreezeAgent: endpoint<AgentResponse>()({
    method: "POST",
    path: "/v1/tirami/agents/:name/unfreeze",
    summary: "Unfreeze an agent (operator).",
    access: "operator",
    input: agentNameParam,
    mcp: "tirami_unfreeze_agent",
  }),
  revokeAgent: endpoint<AgentResponse>()({
    method: "DELETE",
    path: "/v1/tirami/agents/:name",
    summary: "Revoke an agent for good: its token never works again (operator).",
    access: "operator",
    input: agentNameParam,
    destructive: true,
    mcp: "tirami_revoke_agent",
  }),
} as const;

/** The table. Keys are the client's method names. */
export const endpoints = {
  ...nodeEndpoints,
  ...lightningEndpoints,
  ...bankEndpoints,
  ...mindEndpoints,
  ...agoraEndpoints,
} as const;

export type Endpoints = typeof endpoints;
export type EndpointName = keyof Endpoints;

/**
 * Routes of the node with no row above, and why. The coverage test accepts exactly these.
 */
export const CLIENT_EXCLUDED: Readonly<Record<string, string>> = {
  "POST /v1/tirami/policy": "an alias of PUT /v1/tirami/policy for clients that cannot send PUT",
  "GET /api/version": "Ollama compatibility: use an Ollama client; the same capabilities are rows above",
  "GET /api/tags": "Ollama compatibility (models)",
  "POST /api/show": "Ollama compatibility (models)",
  "POST /api/embed": "Ollama compatibility (embeddings)",
  "POST /api/chat": "Ollama compatibility (chat)",
  "POST /api/generate": "Ollama compatibility (completions)",
  "GET /": "the node console's page (HTML for browsers, @tirami/console)",
  "GET /.well-known/agent-card.json": "the A2A agent card, read by A2A clients (docs/agora.md)",
  "POST /a2a": "the A2A JSON-RPC endpoint, spoken by A2A clients; tirami_agora_task buys from it",
  "ALL /a2a": "the A2A endpoint's own limits (body size, rate), in front of POST /a2a",
  "ALL /mcp": "the MCP endpoint itself (streamable HTTP), spoken by MCP clients (@tirami/mcp)",
};

/** Rows that are deliberately not MCP tools, and why. The coverage test accepts exactly these. */
export const MCP_EXCLUDED: Readonly<Partial<Record<EndpointName, string>>> = {
  ready: "a probe for orchestrators; tirami_health answers agents",
  streamTrades: "a live stream; tool calls answer once (tirami_trades reads the same trades)",
  metrics: "Prometheus text for scrapers, not for agents",
  model: "tirami_models lists the same",
  createResponse: "tirami_chat is the agent's way to ask; the Responses API is for programs",
  getResponse: "programs only, with createResponse",
  deleteResponse: "programs only, with createResponse",
};
