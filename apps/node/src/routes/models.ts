/**
 * `GET /v1/models` (reference §3.4): the one local model, or an empty list when none is loaded.
 * @module
 */
import { Hono } from "hono";
import type { EnginePort } from "../deps.js";
import type { AppEnv } from "../principal.js";

/** Routes of the model list. `startedS` is the `created` time reported for the loaded model. */
export function modelsRoutes(deps: { engine(): EnginePort | undefined; startedS: number }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/models", (c) => {
    const engine = deps.engine();
    const data =
      engine === undefined
        ? []
        : [{ id: engine.manifest.id, object: "model", created: deps.startedS, owned_by: "tirami" }];
    return c.json({ object: "list", data });
  });
  return app;
}
