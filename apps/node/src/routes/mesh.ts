/**
 * Mesh routes under `/v1/tirami`: the ranked providers, the route a request would take, the
 * peers with their roots, and the mesh view of the network. Without a running mesh they answer 503
 * MESH_DISABLED.
 * @module
 */
import { Hono } from "hono";
import { isAccountId } from "@tirami/core";
import {
  isRoutePreference,
  type Market,
  MarketError,
  MarketErrorCode,
  type RoutePreference,
} from "@tirami/market";
import { isModelId } from "@tirami/proto";
import { operatorOnly } from "../middleware/auth.js";
import type { AppEnv } from "../principal.js";

/** What the mesh routes read. */
export interface MeshRoutesDeps {
  mesh(): Market | undefined;
}

function preferenceOf(value: string | undefined): RoutePreference {
  if (value === undefined || value === "") return "balanced";
  if (!isRoutePreference(value))
    throw new MarketError(MarketErrorCode.INVALID_ROUTE, "preference: expected cost, quality or balanced", {
      details: { param: "preference" },
    });
  return value;
}

/** Routes of the mesh endpoints. */
export function meshRoutes(deps: MeshRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const meshOf = (): Market => {
    const mesh = deps.mesh();
    if (mesh === undefined)
      throw new MarketError(MarketErrorCode.MESH_DISABLED, "the mesh is not running on this node");
    return mesh;
  };

  app.get("/providers", (c) => {
    const mesh = meshOf();
    const preference = preferenceOf(c.req.query("preference"));
    const model = c.req.query("model");
    const offers = mesh.providers();
    const providers = offers.map((offer) => ({
      account: offer.account,
      models: offer.models,
      free_capacity: offer.free_capacity,
      merkle_root: offer.merkle_root,
      trade_count: offer.trade_count,
      timestamp_ms: offer.timestamp_ms,
      multiaddrs: offer.multiaddrs ?? [],
      // Rank per model each provider offers, best first.
      ranking: offer.models.map((m) => {
        const ranked = mesh.route(m.model_id, preference);
        const index = ranked.findIndex((r) => r.provider === offer.account);
        return {
          model_id: m.model_id,
          rank: index < 0 ? null : index + 1,
          score: index < 0 ? null : (ranked[index]?.score ?? null),
        };
      }),
    }));
    const filtered =
      model === undefined ? providers : providers.filter((p) => p.models.some((m) => m.model_id === model));
    return c.json({ preference, count: filtered.length, providers: filtered, models: mesh.remoteModels() });
  });

  app.get("/route", (c) => {
    const mesh = meshOf();
    const model = c.req.query("model");
    if (!isModelId(model))
      throw new MarketError(
        MarketErrorCode.INVALID_ROUTE,
        "model: required (printable ASCII, at most 128 characters)",
        { details: { param: "model" } },
      );
    const preference = preferenceOf(c.req.query("preference"));
    const candidates = mesh.route(model, preference);
    return c.json({ model, preference, selected: candidates[0] ?? null, candidates });
  });

  app.get("/peers", (c) => {
    const peers = meshOf().peers();
    return c.json({ count: peers.length, peers });
  });

  app.get("/mesh", (c) => c.json(meshOf().network()));

  // Consumers this node (as a provider) refuses because they never answered a trade proposal.
  app.get("/mesh/unsettled", operatorOnly(), (c) => {
    const unsettled = meshOf().unsettled();
    return c.json({ count: unsettled.length, unsettled });
  });
  app.post("/mesh/unsettled/:account/forgive", operatorOnly(), (c) => {
    const account = c.req.param("account");
    if (!isAccountId(account))
      throw new MarketError(MarketErrorCode.INVALID_ROUTE, "account: expected 64 lowercase hex characters", {
        details: { param: "account" },
      });
    return c.json({ account, forgiven: meshOf().forgive(account) });
  });
  return app;
}
