/**
 * `POST /v1/chat/completions`, streaming and not, shaped by `openai/answer.ts`. A model this node does not
 * serve (or an explicit routing preference) is bought from the mesh (`openai/remote-answer.ts`); the rest
 * is answered by the local model (`openai/local-answer.ts`).
 * @module
 */
import { Hono } from "hono";
import { readJsonBody } from "../openai/json-body.js";
import { answerLocally, type LocalAnswerDeps } from "../openai/local-answer.js";
import { answerRemotely, type RemoteAnswerDeps, wantsRemote } from "../openai/remote-answer.js";
import { chatAnswerRequest, modelOf } from "../openai/request.js";
import { routeHintsOf } from "../openai/route-hints.js";
import { chatCompletionRequest, parseBody } from "../openai/schemas.js";
import type { AppEnv } from "../principal.js";

/** What the route needs. */
export interface ChatCompletionsDeps extends LocalAnswerDeps {
  maxTokensMax: number;
  /** The mesh: buys models this node does not serve from a provider. */
  remote: RemoteAnswerDeps;
}

/** Routes of the chat completions endpoint. */
export function chatCompletionsRoutes(deps: ChatCompletionsDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post("/chat/completions", async (c) => {
    const raw = await readJsonBody(c);
    const body = parseBody(chatCompletionRequest, raw);
    const model = modelOf(body.model, deps.engine()?.manifest.id, () =>
      (deps.remote.market()?.remoteModels() ?? []).map((offer) => offer.model_id),
    );
    const request = chatAnswerRequest(body, deps.maxTokensMax, routeHintsOf(raw, c.req.raw.headers), model);
    return wantsRemote(deps.remote, request)
      ? answerRemotely(c, deps.remote, request)
      : answerLocally(c, deps, request);
  });
  return app;
}
