/**
 * `POST /v1/completions` (reference §3.3): one prompt, streaming or not, shaped by `openai/answer.ts`. A
 * model this node does not serve (or an explicit routing preference) goes to the mesh (`mesh/openai.ts`).
 * @module
 */
import { Hono } from "hono";
import type { RemoteChat } from "../mesh/openai.js";
import { readJsonBody } from "../openai/json-body.js";
import { answerLocally, type LocalAnswerDeps } from "../openai/local-answer.js";
import { completionAnswerRequest } from "../openai/request.js";
import { completionRequest, parseBody } from "../openai/schemas.js";
import type { AppEnv } from "../principal.js";

/** What the route needs. */
export interface CompletionsDeps extends LocalAnswerDeps {
  maxTokensMax: number;
  /** The mesh (issue #5): buys models this node does not serve from a provider. */
  remote?: RemoteChat | undefined;
}

/** Routes of the text completions endpoint. */
export function completionsRoutes(deps: CompletionsDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post("/completions", async (c) => {
    const raw = await readJsonBody(c);
    const body = parseBody(completionRequest, raw);
    const request = completionAnswerRequest(body, deps.maxTokensMax);
    return deps.remote?.wants(body.model, raw, c.req.raw.headers) === true
      ? deps.remote.answer(c, request, raw)
      : answerLocally(c, deps, request);
  });
  return app;
}
