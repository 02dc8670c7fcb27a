/**
 * `GET /v1/models` (docs/upstream.md §3.4): the local model first (if one is loaded), then the models other nodes
 * of the mesh offer; `GET /v1/models/:model` retrieves one of them (404 MODEL_NOT_FOUND otherwise).
 * @module
 */
import type { ModelsResponse } from "@tirami/client";
import { Hono } from "hono";
import type { EnginePort } from "../deps.js";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { AppEnv } from "../principal.js";

/** One entry of the OpenAI model list. */
interface ModelEntry {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

/** Routes of the model list. `startedS` is the `created` time reported for the listed models. */
export function modelsRoutes(deps: {
  engine(): EnginePort | undefined;
  startedS: number;
  /** Models other nodes of the mesh offer, listed after the local one. */
  remoteModels?: (() => string[]) | undefined;
}): Hono<AppEnv> {
  const list = (): ModelEntry[] => {
    const engine = deps.engine();
    const data: ModelEntry[] =
      engine === undefined
        ? []
        : [{ id: engine.manifest.id, object: "model", created: deps.startedS, owned_by: "tirami" }];
    for (const id of deps.remoteModels?.() ?? []) {
      if (!data.some((model) => model.id === id))
        data.push({ id, object: "model", created: deps.startedS, owned_by: "tirami-mesh" });
    }
    return data;
  };
  const app = new Hono<AppEnv>();
  app.get("/models", (c) => c.json({ object: "list", data: list() } satisfies ModelsResponse));
  app.get("/models/:model", (c) => {
    const id = c.req.param("model");
    const model = list().find((entry) => entry.id === id);
    if (model === undefined)
      throw new NodeError(NodeErrorCode.MODEL_NOT_FOUND, `model "${id.slice(0, 256)}" is not served here`, {
        param: "model",
      });
    return c.json(model);
  });
  return app;
}
