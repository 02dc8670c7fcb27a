/**
 * The node's HTTP API as a hono app (docs/architecture.md §8): public probes, then everything under `/v1` behind
 * bearer auth, a per-token rate limit and a body-size limit. One `onError` renders every failure as an
 * OpenAI-shaped error. `createApp` opens nothing itself: it is given its parts, so tests call
 * it through `app.request` or a real socket with the same real ledger, gate and engine.
 * @module
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ollamaErrorResponse, ollamaRoutes } from "./ollama/routes.js";
import { Hono } from "hono";
import type { AccountId, Clock } from "@tirami/core";
import type { Logger } from "pino";
import type { AgentRegistry } from "./agents/registry.js";
import type { UsageMeter } from "./agents/usage.js";
import type { EnginePort, LedgerPort, PricingPort, SafetyPort } from "./deps.js";
import { NodeError, NodeErrorCode } from "./errors.js";
import type { InFlight } from "./in-flight.js";
import { createNodeMetrics, type NodeMetrics } from "./metrics.js";
import { bearerAuth } from "./middleware/auth.js";
import { limitBody } from "./middleware/body-limit.js";
import { allowHosts, type HostAllowList } from "./middleware/host-allow.js";
import { createErrorHandler, describeError } from "./middleware/on-error.js";
import { observe } from "./middleware/observe.js";
import { createRateLimiter } from "./middleware/rate-limit.js";
import { principalRateLimit } from "./middleware/rate-limit-principal.js";
import type { AppEnv } from "./principal.js";
import { agentRoutes } from "./routes/agents.js";
import { chatCompletionsRoutes } from "./routes/chat-completions.js";
import { completionsRoutes } from "./routes/completions.js";
import { economyRoutes } from "./routes/economy.js";
import { embeddingsRoutes } from "./routes/embeddings.js";
import { healthRoutes } from "./routes/health.js";
import { modelsRoutes } from "./routes/models.js";
import { safetyRoutes } from "./routes/safety.js";
import type { Market } from "@tirami/market";
import type { RemoteAnswerDeps } from "./openai/remote-answer.js";
import type { StreamSettings } from "./openai/stream.js";
import { meshRoutes } from "./routes/mesh.js";
import { lendingRoutes } from "./routes/lending.js";
import { mountMcp } from "./routes/mcp.js";
import { tradeStreamRoutes, type TradeStreamSettings } from "./routes/trades-stream.js";
import type { TradeOwners } from "./trade-owners.js";
import type { Mind } from "@tirami/mind";
import { mindRoutes } from "./routes/mind.js";
import { bankRoutes } from "./routes/bank.js";
import type { Bank, FuturesDesk, InsuranceDesk } from "@tirami/bank";
import { type AgoraNostr, agoraRoutes } from "./routes/agora.js";
import type { A2AProvider, Agora } from "@tirami/agora";
import { a2aRoutes } from "./routes/a2a.js";
import type { AgoraTaskRunner } from "./routes/agora.js";
import { lightningRoutes } from "./routes/lightning.js";
import type { NodeLightning } from "./lightning/node-lightning.js";
import { topologyRoutes, type TopologyRoutesDeps } from "./routes/topology.js";
import { responsesRoutes } from "./responses/route.js";
import { type ConsoleAssets, loadConsole } from "@tirami/console";
import { consoleRoutes } from "./routes/console.js";
import type { ResponseStore } from "./responses/store.js";

/** Everything the app uses. */
export interface AppDeps {
  clock: Clock;
  logger: Logger;
  limits: {
    bodyBytesMax: number;
    maxTokensMax: number;
    rateLimitPerMinute: number;
  } & StreamSettings;
  /** SHA-256 of the operator token. */
  operatorTokenHash: Uint8Array;
  /** This node's ledger account (its Ed25519 public key). */
  localAccount: AccountId;
  agents: AgentRegistry;
  usage: UsageMeter;
  /** Stored Responses API answers. */
  responses: ResponseStore;
  /** The loaded model, if any. */
  engine(): EnginePort | undefined;
  ledger: LedgerPort;
  ledgerOpen(): boolean;
  safety: SafetyPort;
  pricing: PricingPort;
  inFlight: InFlight;
  /** The node's market, if it joined a mesh. */
  mesh?: (() => Market | undefined) | undefined;
  /** What `GET /v1/tirami/topology` plans with (the route is there when given). */
  topology?: Pick<TopologyRoutesDeps, "capacity" | "manifestOf" | "contextTokens"> | undefined;
  /** The node's treasury (`/v1/tirami/bank/*` is there when given). */
  bank?: Bank | undefined;
  /** Insurance on loans over the mesh, when the node joined one. */
  insurance?: (() => InsuranceDesk | undefined) | undefined;
  /** Compute futures over the mesh, when the node joined one. */
  futures?: (() => FuturesDesk | undefined) | undefined;
  /** Host names answered besides loopback ones (`hostAllowList`); undefined = any `Host`. */
  hosts?: HostAllowList;
  /** Who paid for each recent purchase (the spend path notes them); without it agents' streams stay empty. */
  tradeOwners?: Pick<TradeOwners, "ownerOf"> | undefined;
  /** Overrides of the trade stream's limits (`routes/trades-stream.ts`). */
  tradeStream?: Partial<TradeStreamSettings> | undefined;
  /** The node's mind (`/v1/tirami/mind/*` is there when given). */
  mind?: Mind | undefined;
  /** The node's agora, when it joined a mesh (docs/agora.md). */
  agora?: (() => Agora | undefined) | undefined;
  /** The node's Nostr identity and relays. */
  nostr?: AgoraNostr | undefined;
  /** Paid A2A tasks served by this node (with the mesh) and bought by it; `public_url` for its card. */
  a2a?: { provider(): A2AProvider | undefined; runTask: AgoraTaskRunner; publicUrl?: string | undefined };
  /** The node's Lightning service (docs/lightning.md); its routes answer 404 without it. */
  lightning?: (() => NodeLightning | undefined) | undefined;
}

/** The app and its metrics (the registry is per app instance, never prom-client's global default). */
export interface NodeApp {
  app: Hono<AppEnv>;
  metrics: NodeMetrics;
}

/** Builds the hono app of a node. */
export function createApp(deps: AppDeps): NodeApp {
  const quietly = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch {
      return undefined;
    }
  };
  const metrics = createNodeMetrics({
    modelLoaded: () => deps.engine() !== undefined,
    balance: () => quietly(() => deps.ledger.balance(deps.localAccount)),
    tradeCount: () => quietly(() => deps.ledger.tradeCount()),
    killSwitchActive: () => quietly(() => deps.safety.killSwitch().active),
    safetyCounts: () =>
      quietly(() => {
        const state = deps.safety.state();
        return {
          pendingApprovals: state.pending_approvals,
          breakersTripped: state.breakers.filter((breaker) => breaker.tripped).length,
        };
      }),
    inFlight: () => deps.inFlight.count(),
    mesh: () =>
      quietly(() => {
        const market = deps.mesh?.();
        if (market === undefined) return undefined;
        const network = market.network();
        return {
          peersConnected: network.peers_connected as number,
          offers: network.offers as number,
          providers: network.providers as number,
        };
      }),
    lending: () =>
      quietly(() => {
        const stats = deps.ledger.loans.stats();
        return {
          active: stats.active_count,
          repaid: stats.repaid_count,
          defaulted: stats.defaulted_count,
          poolAvailableTrm: deps.mesh?.()?.lending?.pool().total_available_trm ?? 0,
        };
      }),
  });
  const app = new Hono<AppEnv>();
  const onError = createErrorHandler(deps.logger);
  // Ollama clients read `{ "error": "<message>" }`; everything else gets the OpenAI error object.
  app.onError((error, c) => {
    if (!c.req.path.startsWith("/api/")) return onError(error, c);
    const rendered = ollamaErrorResponse(error);
    if (rendered.status >= 500 && describeError(error) === undefined)
      deps.logger.error({ err: error, request_id: c.get("requestId") }, "unhandled error");
    if (rendered.retryAfterS !== undefined) c.header("Retry-After", String(rendered.retryAfterS));
    return c.json(rendered.body, rendered.status as ContentfulStatusCode);
  });
  // Rendered here rather than thrown: hono runs notFound outside the per-handler error catch.
  app.notFound((c) => {
    const described = describeError(
      new NodeError(NodeErrorCode.NOT_FOUND, `no such route: ${c.req.method} ${c.req.path}`.slice(0, 200)),
    );
    return c.json(described?.body, 404);
  });
  app.use("*", observe(metrics));
  app.use("*", allowHosts(deps.hosts));
  const mesh = deps.mesh ?? (() => undefined);
  app.route(
    "/",
    healthRoutes({
      modelLoaded: () => deps.engine() !== undefined,
      modelsInMesh: () => (quietly(() => mesh()?.providers().length) ?? 0) > 0,
      ledgerOpen: deps.ledgerOpen,
      accepting: () => deps.inFlight.accepting(),
      registry: metrics.registry,
    }),
  );

  // The console's files are read on first request, so a node whose console is not built still serves its API.
  let consoleAssets: ConsoleAssets | undefined;
  app.route("/", consoleRoutes({ assets: () => (consoleAssets ??= loadConsole()) }));
  // Public: other agents read the card and call `/a2a` without this node's token (a paid task's signed
  // payment is its authentication, docs/agora.md).
  app.use(
    "/a2a",
    limitBody({
      maxSize: deps.limits.bodyBytesMax,
      onError: () => {
        throw new NodeError(
          NodeErrorCode.BODY_TOO_LARGE,
          `request body exceeds ${deps.limits.bodyBytesMax} bytes`,
        );
      },
    }),
  );
  app.route(
    "/",
    a2aRoutes({
      account: deps.localAccount,
      served: () => {
        const engine = deps.engine();
        return engine === undefined
          ? undefined
          : { model_id: engine.manifest.id, price_trm_per_token: deps.pricing.priceTrmPerToken() };
      },
      provider: () => deps.a2a?.provider(),
      publicUrl: deps.a2a?.publicUrl,
      version: "0.1.0",
    }),
  );

  const limiter = createRateLimiter({ perMinute: deps.limits.rateLimitPerMinute, clock: deps.clock });
  for (const path of ["/v1/*", "/api/*", "/mcp"]) {
    app.use(
      path,
      bearerAuth({ operatorTokenHash: deps.operatorTokenHash, agents: deps.agents, failures: limiter }),
    );
    app.use(path, principalRateLimit(limiter));
    app.use(
      path,
      limitBody({
        maxSize: deps.limits.bodyBytesMax,
        onError: () => {
          throw new NodeError(
            NodeErrorCode.BODY_TOO_LARGE,
            `request body exceeds ${deps.limits.bodyBytesMax} bytes`,
          );
        },
      }),
    );
  }

  const generation = {
    inFlight: deps.inFlight,
    metrics,
    usage: deps.usage,
    clock: deps.clock,
    localAccount: deps.localAccount,
    effectiveBalance: () =>
      quietly(() => deps.ledger.balance(deps.localAccount).effective_balance_trm) ?? null,
    engine: deps.engine,
    maxTokensMax: deps.limits.maxTokensMax,
    sseFlushIntervalMs: deps.limits.sseFlushIntervalMs,
    logger: deps.logger,
  };
  const remote: RemoteAnswerDeps = {
    market: mesh,
    localModel: () => deps.engine()?.manifest.id,
    sseFlushIntervalMs: deps.limits.sseFlushIntervalMs,
    logger: deps.logger,
    metrics,
  };
  app.route("/v1", chatCompletionsRoutes({ ...generation, remote }));
  app.route("/v1", completionsRoutes({ ...generation, remote }));
  app.route("/v1", embeddingsRoutes({ ...generation, remote }));
  app.route("/v1", responsesRoutes({ ...generation, remote, store: deps.responses }));
  app.route("/api", ollamaRoutes({ ...generation, remote, startedMs: deps.clock.nowMs() }));
  app.route(
    "/v1",
    modelsRoutes({
      engine: deps.engine,
      startedS: Math.floor(deps.clock.nowMs() / 1_000),
      remoteModels: () =>
        mesh()
          ?.remoteModels()
          .map((model) => model.model_id) ?? [],
    }),
  );
  app.route(
    "/v1/tirami",
    tradeStreamRoutes({
      mesh,
      owners: deps.tradeOwners ?? { ownerOf: () => undefined },
      settings: deps.tradeStream,
    }),
  );
  app.route(
    "/v1/tirami",
    economyRoutes({
      ledger: deps.ledger,
      pricing: deps.pricing,
      usage: deps.usage,
      localAccount: deps.localAccount,
      nowMs: () => deps.clock.nowMs(),
      meshView: () => mesh()?.network(),
    }),
  );
  app.route("/v1/tirami", meshRoutes({ mesh }));
  app.route(
    "/v1/tirami",
    lendingRoutes({
      ledger: deps.ledger,
      localAccount: deps.localAccount,
      lending: () => mesh()?.lending,
      nowMs: () => deps.clock.nowMs(),
    }),
  );
  if (deps.bank !== undefined)
    app.route(
      "/v1/tirami",
      bankRoutes({
        bank: deps.bank,
        ledger: deps.ledger,
        insurance: deps.insurance ?? (() => undefined),
        futures: deps.futures ?? (() => undefined),
        meshRunning: () => mesh()?.lending !== undefined,
      }),
    );
  app.route(
    "/v1/tirami",
    agoraRoutes({
      agora: deps.agora ?? (() => undefined),
      nostr: deps.nostr,
      nowMs: () => deps.clock.nowMs(),
      runTask: deps.a2a?.runTask,
    }),
  );
  app.route(
    "/v1/tirami",
    lightningRoutes({ lightning: deps.lightning ?? (() => undefined), nowMs: () => deps.clock.nowMs() }),
  );
  if (deps.topology !== undefined)
    app.route(
      "/v1/tirami",
      topologyRoutes({ ...deps.topology, engine: deps.engine, mesh, localAccount: deps.localAccount }),
    );
  if (deps.mind !== undefined)
    app.route("/v1/tirami", mindRoutes({ mind: deps.mind, localModel: () => deps.engine()?.manifest.id }));
  app.route("/v1/tirami", safetyRoutes({ safety: deps.safety, agents: deps.agents }));
  app.route("/v1/tirami", agentRoutes({ agents: deps.agents, usage: deps.usage, safety: deps.safety }));
  mountMcp(app);
  return { app, metrics };
}
