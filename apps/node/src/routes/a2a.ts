/**
 * A2A on the node (docs/agora.md), outside `/v1` because other agents call it without this node's token:
 * `GET /.well-known/agent-card.json` (the card: this node's model, price and payment extension) and
 * `POST /a2a` (JSON-RPC 2.0, A2A 1.0 `SendMessage`/`GetTask`: paid tasks whose payment — the consumer's
 * signed intent and signature — is their authentication). Without a model the card lists no skill and
 * tasks are refused; without the mesh the endpoint answers 503 (a paid task settles through it).
 * @module
 */
import { Hono } from "hono";
import type { AccountId } from "@tirami/core";
import { agentCardJson, type A2AProvider } from "@tirami/agora";
import { MarketError, MarketErrorCode } from "@tirami/market";
import { readJsonBody } from "../openai/json-body.js";
import type { AppEnv } from "../principal.js";

export interface A2ARoutesDeps {
  account: AccountId;
  /** This node's model and its price now, if it serves one. */
  served(): { model_id: string; price_trm_per_token: number } | undefined;
  /** The provider of paid tasks (absent without the mesh). */
  provider(): A2AProvider | undefined;
  /** `public_url`, else the request's own origin. */
  publicUrl?: string | undefined;
  version: string;
}

export function a2aRoutes(deps: A2ARoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/.well-known/agent-card.json", (c) => {
    const served = deps.served();
    return c.json(
      agentCardJson({
        baseUrl: deps.publicUrl ?? new URL(c.req.url).origin,
        account: deps.account,
        models: served === undefined ? [] : [served],
        version: deps.version,
      }),
    );
  });
  app.post("/a2a", async (c) => {
    const provider = deps.provider();
    if (provider === undefined)
      throw new MarketError(
        MarketErrorCode.MESH_DISABLED,
        "paid A2A tasks need the mesh, which is not running",
      );
    return c.json(await provider.handle(await readJsonBody(c)));
  });
  return app;
}
