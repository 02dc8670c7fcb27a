/**
 * Agora routes under `/v1/tirami` (docs/agora.md; names after docs/upstream.md §3.8): `POST /agora/register`
 * (one of this node's agents, signed with the node key and gossiped), `DELETE /agora/agents/:agent_id`,
 * `GET /agora/agents`, `GET /agora/reputation/:account`, `POST /agora/find`, `GET /agora/stats`,
 * `GET /agora/snapshot`, `GET /agora/nostr`, `POST /agora/nostr/publish` (NIP-89 advertisements of this
 * node's profiles to the configured relays, or only built with `dry_run`) and `GET /collusion/:account`.
 * Changing what the node advertises is the operator's; agents read. Without a running mesh every route
 * answers 503 MESH_DISABLED.
 * @module
 */
import { Hono } from "hono";
import type { AccountId } from "@tirami/core";
import {
  type A2ATaskResult,
  type Agora,
  fetchA2AProvider,
  handlerAdvertisement,
  publishToRelays,
} from "@tirami/agora";
import { MarketError, MarketErrorCode } from "@tirami/market";
import { operatorOnly } from "../middleware/auth.js";
import { readJsonBody } from "../openai/json-body.js";
import { parseBody } from "../openai/schemas.js";
import { type AppEnv, spenderOf } from "../principal.js";
import {
  agoraAccountSchema,
  agoraFindSchema,
  agoraNostrPublishSchema,
  agoraRegisterSchema,
  agoraTaskSchema,
} from "@tirami/client";

/** Buys one paid A2A task from the provider whose card is at `cardUrl` (the node's spend path). */
export type AgoraTaskRunner = (request: {
  provider: Awaited<ReturnType<typeof fetchA2AProvider>>;
  modelId: string;
  prompt: string;
  maxTokens: number;
  spender: string;
}) => Promise<A2ATaskResult>;

/** The node's Nostr identity and where it publishes. */
export interface AgoraNostr {
  pubkey: string;
  secretKey: Uint8Array;
  relays: readonly string[];
}

export interface AgoraRoutesDeps {
  agora(): Agora | undefined;
  nostr?: AgoraNostr | undefined;
  nowMs(): number;
  /** Paid A2A tasks bought by this node (absent: 503). */
  runTask?: AgoraTaskRunner | undefined;
}

export function agoraRoutes(deps: AgoraRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const agoraOf = (): Agora => {
    const agora = deps.agora();
    if (agora === undefined)
      throw new MarketError(MarketErrorCode.MESH_DISABLED, "the agora needs the mesh, which is not running");
    return agora;
  };
  const accountParam = (value: string): AccountId => parseBody(agoraAccountSchema, value) as AccountId;

  app.post("/agora/register", operatorOnly(), async (c) => {
    const body = parseBody(agoraRegisterSchema, await readJsonBody(c));
    return c.json(await agoraOf().register(body), 201);
  });

  app.delete("/agora/agents/:agent_id", operatorOnly(), (c) => {
    const agentId = c.req.param("agent_id");
    agoraOf().withdraw(agentId);
    return c.json({ withdrawn: agentId });
  });

  app.get("/agora/agents", (c) => {
    const agents = agoraOf().agents();
    return c.json({ count: agents.length, agents });
  });

  app.get("/agora/reputation/:account", (c) =>
    c.json(agoraOf().reputation(accountParam(c.req.param("account")))),
  );

  app.post("/agora/find", async (c) => {
    const { limit, ...query } = parseBody(agoraFindSchema, await readJsonBody(c));
    const matches = agoraOf().find(query, limit);
    return c.json({ count: matches.length, matches });
  });

  app.get("/agora/stats", (c) => c.json(agoraOf().stats()));
  app.get("/agora/snapshot", (c) => c.json(agoraOf().snapshot()));

  app.get("/agora/nostr", (c) =>
    c.json({ pubkey: deps.nostr?.pubkey ?? null, relays: deps.nostr?.relays ?? [] }),
  );

  app.post("/agora/nostr/publish", operatorOnly(), async (c) => {
    const { dry_run } = parseBody(agoraNostrPublishSchema, await readJsonBody(c));
    const agora = agoraOf();
    const nostr = deps.nostr;
    if (nostr === undefined)
      throw new MarketError(MarketErrorCode.MESH_DISABLED, "this node has no Nostr identity");
    const events = agora.ownProfiles().map((profile) =>
      handlerAdvertisement(profile, {
        secretKey: nostr.secretKey,
        nowMs: deps.nowMs(),
        relays: nostr.relays,
        reputation: agora.reputation(profile.node).overall,
      }),
    );
    const results = dry_run || nostr.relays.length === 0 ? [] : await publishToRelays(events, nostr.relays);
    return c.json({ dry_run, events, results });
  });

  app.post("/agora/a2a/task", async (c) => {
    const body = parseBody(agoraTaskSchema, await readJsonBody(c));
    const runTask = deps.runTask;
    if (runTask === undefined)
      throw new MarketError(
        MarketErrorCode.MESH_DISABLED,
        "paid A2A tasks need the mesh, which is not running",
      );
    const provider = await fetchA2AProvider(body.url);
    const modelId = body.model ?? Object.keys(provider.prices)[0];
    if (modelId === undefined)
      throw new MarketError(MarketErrorCode.NO_PROVIDER, `the agent at ${body.url} serves no model`);
    const result = await runTask({
      provider,
      modelId,
      prompt: body.prompt,
      maxTokens: body.max_tokens,
      spender: spenderOf(c.get("principal")),
    });
    return c.json(result);
  });

  app.get("/collusion/:account", (c) => c.json(agoraOf().collusion(accountParam(c.req.param("account")))));
  return app;
}
