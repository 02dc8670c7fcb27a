/**
 * What the mesh, lending, models, health and topology routes answer.
 * @module
 */

/** One provider of the mesh with its offer and rank per model. */
export interface Provider {
  account: string;
  models: Array<{ model_id: string; [field: string]: unknown }>;
  free_capacity: number;
  merkle_root: string;
  trade_count: number;
  timestamp_ms: number;
  multiaddrs: string[];
  ranking: Array<{ model_id: string; rank: number | null; score: number | null }>;
}

export interface ProvidersResponse {
  preference: string;
  count: number;
  providers: Provider[];
  models: string[];
}

/** One candidate of a route, best first. */
export interface RouteCandidate {
  provider: string;
  score: number;
  [field: string]: unknown;
}

export interface RouteResponse {
  model: string;
  preference: string;
  selected: RouteCandidate | null;
  candidates: RouteCandidate[];
}

export interface PeersResponse {
  count: number;
  peers: Array<Record<string, unknown>>;
}

/** A loan from this node's point of view. */
export interface LoanView {
  loan_id: string;
  role: "lender" | "borrower" | "observer";
  lender: string;
  borrower: string;
  principal_trm: number;
  interest_ppm_per_hour: number;
  interest_rate_per_hour: number;
  term_hours: number;
  collateral_trm: number;
  interest_trm: number;
  total_due_trm: number;
  created_ms: number;
  due_ms: number;
  status: "active" | "repaid" | "defaulted";
  closed_ms: number | null;
  [field: string]: unknown;
}

export interface LoansResponse {
  count: number;
  loans: Array<LoanView & { due_in_ms: number | null }>;
}

/** `GET /v1/tirami/models` (OpenAI). */
export interface Model {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

export interface ModelsResponse {
  object: "list";
  data: Model[];
}

export interface HealthResponse {
  status: "ok";
  model_loaded: boolean;
}

export interface ReadyResponse {
  status: "ready" | "not_ready";
  ledger_open: boolean;
  accepting: boolean;
  can_answer: boolean;
  models_local: boolean;
  models_in_mesh: boolean;
  failing: string[];
}
