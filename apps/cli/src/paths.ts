/**
 * The node API paths the CLI calls (docs/architecture.md §8, docs/upstream.md §3), in one place so a route rename is a
 * one-line change.
 * @module
 */
export const PATHS = {
  health: "/health",
  ready: "/readyz",
  chat: "/v1/chat/completions",
  models: "/v1/models",
  balance: "/v1/tirami/balance",
  pricing: "/v1/tirami/pricing",
  trades: "/v1/tirami/trades",
  network: "/v1/tirami/network",
  trade: (tradeId: string) => `/v1/tirami/trades/${encodeURIComponent(tradeId)}`,
  proof: (tradeId: string) => `/v1/tirami/proof/${encodeURIComponent(tradeId)}`,
  settlement: "/v1/tirami/settlement",
  safety: "/v1/tirami/safety",
  kill: "/v1/tirami/kill",
  policy: "/v1/tirami/policy",
  approvals: "/v1/tirami/approvals",
  approval: (id: string, verdict: "approve" | "deny") =>
    `/v1/tirami/approvals/${encodeURIComponent(id)}/${verdict}`,
  agents: "/v1/tirami/agents",
  agent: (name: string, action?: string) =>
    `/v1/tirami/agents/${encodeURIComponent(name)}${action === undefined ? "" : `/${action}`}`,
  peers: "/v1/tirami/peers",
  providers: "/v1/tirami/providers",
  route: "/v1/tirami/route",
  lend: "/v1/tirami/lend",
  lendTo: "/v1/tirami/lend-to",
  borrow: "/v1/tirami/borrow",
  repay: "/v1/tirami/repay",
  credit: "/v1/tirami/credit",
  pool: "/v1/tirami/pool",
  loans: "/v1/tirami/loans",
  loan: (loanId: string) => `/v1/tirami/loans/${encodeURIComponent(loanId)}`,
  topology: "/v1/tirami/topology",
} as const;
