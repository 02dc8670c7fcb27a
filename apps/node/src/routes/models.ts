/**
 * `GET /v1/models` (reference §3.4): the one local model, or an empty list when none is loaded.
 * @module
 */
import { Hono } from "hono";
import type { EnginePort } from "../deps.js";
import type { AppEnv } from "../principal.js";

/** Routes of the model list. `startedS` is the `created` time reported for the loaded model. */
export function modelsRoutes(deps: {
  engine(): EnginePort | undefined;
  startedS: number;
  /** Models other nodes of the mesh offer (issue #5), listed after the local one. */
  remoteModels?: (() => string[]) | undefined;
}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/models", (c) => {
    const engine = deps.engine();
    const data =
      engine === undefined
        ? []
        : [{ id: engine.manifest.id, object: "model", created: deps.startedS, owned_by: "tirami" }];
    for (const id of deps.remoteModels?.() ?? []) {
      if (!data.some((model) => model.id === id))
        data.push({ id, object: "model", created: deps.startedS, owned_by: "tirami-mesh" });
    }
    return c.json({ object: "list", data });
  });
  return app;
}
