/**
 * `POST /v1/completions`: one prompt, streaming or not, shaped by `openai/answer.ts`. A model this node
 * does not serve (or an explicit routing preference) is bought from the mesh (`openai/remote-answer.ts`);
 * the rest is answered by the local model (`openai/local-answer.ts`).
 * @module
 */
import { Hono } from "hono";
import { readJsonBody } from "../openai/json-body.js";
import { answerLocally, type LocalAnswerDeps } from "../openai/local-answer.js";
import { answerRemotely, type RemoteAnswerDeps, wantsRemote } from "../openai/remote-answer.js";
import { completionAnswerRequest, modelOf } from "../openai/request.js";
import { routeHintsOf } from "../openai/route-hints.js";
import { completionRequest, parseBody } from "../openai/schemas.js";
import type { AppEnv } from "../principal.js";

/** What the route needs. */
export interface CompletionsDeps extends LocalAnswerDeps {
  maxTokensMax: number;
  /** The mesh: buys models this node does not serve from a provider. */
  remote: RemoteAnswerDeps;
}

/** Routes of the text completions endpoint. */
export function completionsRoutes(deps: CompletionsDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post("/completions", async (c) => {
    const raw = await readJsonBody(c);
    const body = parseBody(completionRequest, raw);
    const model = modelOf(body.model, deps.engine()?.manifest.id, () =>
      (deps.remote.market()?.remoteModels() ?? []).map((offer) => offer.model_id),
    );
    const request = completionAnswerRequest(
      body,
      deps.maxTokensMax,
      routeHintsOf(raw, c.req.raw.headers),
      model,
    );
    return wantsRemote(deps.remote, request)
      ? answerRemotely(c, deps.remote, request)
      : answerLocally(c, deps, request);
  });
  return app;
}
