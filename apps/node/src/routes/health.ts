/**
 * Public probes (docs/architecture.md §8): `GET /health` (liveness: the process answers), `GET /readyz`
 * (readiness: the node can answer an OpenAI request now) and `GET /metrics` (Prometheus text from this
 * node's own registry).
 *
 * Ready means: the ledger is open, the node is accepting (not stopping), and it can answer — with its
 * own model, or by buying from the mesh, where at least one other node offers a model. A node without a
 * model that serves the mesh as a gateway is therefore ready while a provider is in its offer book, so a
 * load balancer sends it traffic; it turns not ready when the last provider's offer expires. The 503
 * body names the checks that failed (`failing`).
 * @module
 */
import type { HealthResponse, ReadyResponse } from "@tirami/client";
import { Hono } from "hono";
import type { Registry } from "prom-client";
import type { AppEnv } from "../principal.js";

/** What the probes read. Each read must not throw (the caller guards reads that can). */
export interface HealthDeps {
  modelLoaded(): boolean;
  /** True when the mesh holds a live offer of another node serving at least one model. */
  modelsInMesh(): boolean;
  ledgerOpen(): boolean;
  accepting(): boolean;
  registry: Registry;
}

/** The readiness checks, each true when it passes; `can_answer` is `models_local || models_in_mesh`. */
interface ReadinessChecks {
  ledger_open: boolean;
  accepting: boolean;
  can_answer: boolean;
  models_local: boolean;
  models_in_mesh: boolean;
}

/** The gating checks of `checks` that failed, in a fixed order (empty when ready). */
function failingChecks(checks: ReadinessChecks): Array<"ledger_open" | "accepting" | "can_answer"> {
  return (["ledger_open", "accepting", "can_answer"] as const).filter((name) => !checks[name]);
}

/** Routes of the public probes. */
export function healthRoutes(deps: HealthDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/health", (c) =>
    c.json({ status: "ok", model_loaded: deps.modelLoaded() } satisfies HealthResponse),
  );
  app.get("/readyz", (c) => {
    const modelsLocal = deps.modelLoaded();
    const modelsInMesh = deps.modelsInMesh();
    const checks: ReadinessChecks = {
      ledger_open: deps.ledgerOpen(),
      accepting: deps.accepting(),
      can_answer: modelsLocal || modelsInMesh,
      models_local: modelsLocal,
      models_in_mesh: modelsInMesh,
    };
    const failing = failingChecks(checks);
    const ready = failing.length === 0;
    const body = { status: ready ? "ready" : "not_ready", ...checks, failing } satisfies ReadyResponse;
    return c.json(body, ready ? 200 : 503);
  });
  app.get("/metrics", async (c) => {
    const text = await deps.registry.metrics();
    return c.body(text, 200, { "Content-Type": deps.registry.contentType });
  });
  return app;
}
