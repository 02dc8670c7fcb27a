/**
 * Prometheus metrics of one node (docs/upstream.md §4.13, `tirami_` prefix): a registry per app instance, never
 * prom-client's global default, so two nodes in one process (tests) never mix their numbers. Gauges that
 * mirror state (balances, kill switch, model loaded) are read from their source at scrape time.
 * @module
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { LATENCY_BUCKETS_S } from "./constants.js";

/** What the scrape-time gauges read. Every function must be cheap and must not throw. */
export interface MetricsSources {
  modelLoaded(): boolean;
  /** The node's own account balances, or undefined when the ledger is unavailable. */
  balance():
    | {
        balance_trm: number;
        effective_balance_trm: number;
        reserved_trm: number;
        contributed_trm: number;
        consumed_trm: number;
      }
    | undefined;
  tradeCount(): number | undefined;
  killSwitchActive(): boolean | undefined;
  /** Pending approvals and spenders whose breaker is open, from the safety gate. */
  safetyCounts(): { pendingApprovals: number; breakersTripped: number } | undefined;
  inFlight(): number;
  /** Peers connected and live offers of other nodes (all, and those serving a model), with a mesh. */
  mesh(): { peersConnected: number; offers: number; providers: number } | undefined;
  /** Loans in this ledger and the lending pool this node sees (docs/lending.md). */
  lending(): { active: number; defaulted: number; repaid: number; poolAvailableTrm: number } | undefined;
}

/** The node's metrics. */
export interface NodeMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<"route" | "method" | "status">;
  readonly httpDuration: Histogram<"route" | "method">;
  readonly tokens: Counter<"kind" | "spender_kind">;
  readonly timeToFirstToken: Histogram<"endpoint">;
  readonly generationDuration: Histogram<"endpoint">;
  readonly trmFlow: Counter<"direction">;
  readonly safetyDenials: Counter<"code">;
  /** Requests this node served to the mesh or bought from it, by outcome. */
  readonly meshRequests: Counter<"role" | "outcome">;
  /** Counts one request served to the mesh and its tokens (`tirami_tokens_total{spender_kind="mesh"}`). */
  meshServed(work: { promptTokens: number; completionTokens: number }): void;
}

/** Creates a fresh registry with every metric of the node. */
export function createNodeMetrics(sources: MetricsSources): NodeMetrics {
  const registry = new Registry();
  const registers = [registry];
  const startedAtS = Math.floor(Date.now() / 1_000);
  new Gauge({
    name: "tirami_process_started_at_secs",
    help: "Unix time (seconds) this node's app was created",
    registers,
    collect() {
      this.set(startedAtS);
    },
  });
  new Gauge({
    name: "tirami_process_uptime_secs",
    help: "Seconds since this node's app was created",
    registers,
    collect() {
      this.set(Math.floor(Date.now() / 1_000) - startedAtS);
    },
  });
  new Gauge({
    name: "tirami_model_loaded",
    help: "1 when a local model is loaded",
    registers,
    collect() {
      this.set(sources.modelLoaded() ? 1 : 0);
    },
  });
  new Gauge({
    name: "tirami_balance_trm",
    help: "The node account's TRM, by kind (balance, effective, reserved)",
    labelNames: ["kind"] as const,
    registers,
    collect() {
      const account = sources.balance();
      if (account === undefined) return;
      this.set({ kind: "balance" }, account.balance_trm);
      this.set({ kind: "effective" }, account.effective_balance_trm);
      this.set({ kind: "reserved" }, account.reserved_trm);
    },
  });
  new Gauge({
    name: "tirami_trm_contributed_total",
    help: "TRM this node has earned as a provider, from the ledger (reference forge_cu_contributed_total)",
    registers,
    collect() {
      const account = sources.balance();
      if (account !== undefined) this.set(account.contributed_trm);
    },
  });
  new Gauge({
    name: "tirami_trm_consumed_total",
    help: "TRM this node has spent as a consumer, from the ledger (reference forge_cu_consumed_total)",
    registers,
    collect() {
      const account = sources.balance();
      if (account !== undefined) this.set(account.consumed_trm);
    },
  });
  new Gauge({
    name: "tirami_trade_count_total",
    help: "Trades in the ledger",
    registers,
    collect() {
      const count = sources.tradeCount();
      if (count !== undefined) this.set(count);
    },
  });
  new Gauge({
    name: "tirami_kill_switch_active",
    help: "1 while the kill switch blocks every spend",
    registers,
    collect() {
      const active = sources.killSwitchActive();
      if (active !== undefined) this.set(active ? 1 : 0);
    },
  });
  new Gauge({
    name: "tirami_safety_pending_approvals",
    help: "Spends waiting for a human approval",
    registers,
    collect() {
      const counts = sources.safetyCounts();
      if (counts !== undefined) this.set(counts.pendingApprovals);
    },
  });
  new Gauge({
    name: "tirami_safety_breakers_tripped",
    help: "Spenders whose circuit breaker is open",
    registers,
    collect() {
      const counts = sources.safetyCounts();
      if (counts !== undefined) this.set(counts.breakersTripped);
    },
  });
  new Gauge({
    name: "tirami_generations_in_flight",
    help: "Generations running now",
    registers,
    collect() {
      this.set(sources.inFlight());
    },
  });
  new Gauge({
    name: "tirami_mesh_peers_connected",
    help: "Peers this node is connected to in the mesh",
    registers,
    collect() {
      const mesh = sources.mesh();
      if (mesh !== undefined) this.set(mesh.peersConnected);
    },
  });
  new Gauge({
    name: "tirami_mesh_offers",
    help: "Live offers of other nodes in this node's offer book, by kind (all, providers)",
    labelNames: ["kind"] as const,
    registers,
    collect() {
      const mesh = sources.mesh();
      if (mesh === undefined) return;
      this.set({ kind: "all" }, mesh.offers);
      this.set({ kind: "providers" }, mesh.providers);
    },
  });
  new Gauge({
    name: "tirami_loans",
    help: "Loans in this node's ledger, by status (active, repaid, defaulted)",
    labelNames: ["status"] as const,
    registers,
    collect() {
      const lending = sources.lending();
      if (lending === undefined) return;
      this.set({ status: "active" }, lending.active);
      this.set({ status: "repaid" }, lending.repaid);
      this.set({ status: "defaulted" }, lending.defaulted);
    },
  });
  new Gauge({
    name: "tirami_loan_pool_available_trm",
    help: "TRM available to borrow in the live lend offers this node sees (its own included)",
    registers,
    collect() {
      const lending = sources.lending();
      if (lending !== undefined) this.set(lending.poolAvailableTrm);
    },
  });
  const tokens = new Counter({
    name: "tirami_tokens_total",
    help: "Tokens processed, by kind (prompt, completion) and spender kind (operator, agent; mesh for tokens served to other nodes)",
    labelNames: ["kind", "spender_kind"] as const,
    registers,
  });
  const meshRequests = new Counter({
    name: "tirami_mesh_requests_total",
    help: "Inference requests served to the mesh or bought from it, by role (served, bought) and outcome (ok, error)",
    labelNames: ["role", "outcome"] as const,
    registers,
  });
  return {
    registry,
    meshRequests,
    meshServed(work) {
      meshRequests.inc({ role: "served", outcome: "ok" });
      tokens.inc({ kind: "prompt", spender_kind: "mesh" }, work.promptTokens);
      tokens.inc({ kind: "completion", spender_kind: "mesh" }, work.completionTokens);
    },
    httpRequests: new Counter({
      name: "tirami_http_requests_total",
      help: "HTTP requests by route pattern, method and status",
      labelNames: ["route", "method", "status"] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: "tirami_http_request_duration_seconds",
      help: "HTTP request latency until the response starts (seconds)",
      labelNames: ["route", "method"] as const,
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    tokens,
    timeToFirstToken: new Histogram({
      name: "tirami_time_to_first_token_seconds",
      help: "Time from request to first generated token (seconds)",
      labelNames: ["endpoint"] as const,
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    generationDuration: new Histogram({
      name: "tirami_generation_duration_seconds",
      help: "Time from request to last generated token (seconds)",
      labelNames: ["endpoint"] as const,
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    trmFlow: new Counter({
      name: "tirami_trm_flow_total",
      help: "TRM moved by this node's trades, by direction (spent, earned)",
      labelNames: ["direction"] as const,
      registers,
    }),
    safetyDenials: new Counter({
      name: "tirami_safety_denials_total",
      help: "Spends denied by the safety gate, by reason code",
      labelNames: ["code"] as const,
      registers,
    }),
  };
}
