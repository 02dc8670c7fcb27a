/**
 * Public probes (ARCHITECTURE §8): `GET /health` (liveness: the process answers), `GET /readyz` (200 when
 * the ledger is open and a model is loaded, else 503 with what is missing) and `GET /metrics` (Prometheus
 * text from this node's own registry).
 * @module
 */
import { Hono } from "hono";
import type { Registry } from "prom-client";
import type { AppEnv } from "../principal.js";

/** What the probes read. */
export interface HealthDeps {
  modelLoaded(): boolean;
  ledgerOpen(): boolean;
  accepting(): boolean;
  registry: Registry;
}

/** Routes of the public probes. */
export function healthRoutes(deps: HealthDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/health", (c) => c.json({ status: "ok", model_loaded: deps.modelLoaded() }));
  app.get("/readyz", (c) => {
    const checks = {
      ledger_open: deps.ledgerOpen(),
      model_loaded: deps.modelLoaded(),
      accepting: deps.accepting(),
    };
    const ready = checks.ledger_open && checks.model_loaded && checks.accepting;
    return c.json({ status: ready ? "ready" : "not_ready", ...checks }, ready ? 200 : 503);
  });
  app.get("/metrics", async (c) => {
    const text = await deps.registry.metrics();
    return c.body(text, 200, { "Content-Type": deps.registry.contentType });
  });
  return app;
}
