/**
 * The composition root: `createNode` opens the ledger (`$TIRAMI_HOME/ledger.db`) and its safety
 * gate, the node's own store (`node.db`: agents, metering), loads or creates the node key and the operator
 * token, loads the model if one is configured, and builds the app. `start()` listens; `stop()` shuts down
 * gracefully: stop accepting, let in-flight generations finish for `shutdown_grace_ms` then abort them
 * (each settles or releases what it reserved), close the server, the engine and the databases.
 * @module
 */
import { logDestination } from "./log-destination.js";
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import type { Server } from "node:http";
import {
  type AccountId,
  acquireHomeLock,
  type Clock,
  type HomeLock,
  loadOrCreateNodeKey,
  type NodeKey,
  resolveHome,
  systemClock,
} from "@tirami/core";
import { type ChatWrapperOption, createEngine, resolveModel } from "@tirami/infer";
import {
  createSpendPath,
  type Ledger,
  LIST_TRADES_LIMIT_MAX,
  openLedger,
  SPEND_HOLD_REASON_PREFIX,
  type SpendPath,
} from "@tirami/ledger";
import { createMarket, createUnsettledBook, type Market } from "@tirami/market";
import { createMind, type Mind, openMindStore, withMindSpender } from "@tirami/mind";
import { createMeshHost } from "@tirami/net";
import {
  type A2AProvider,
  type Agora,
  createA2AProvider,
  createAgora,
  handlerAdvertisement,
  loadOrCreateNostrKey,
  publishToRelays,
  runA2ATask,
  startJobServer,
  tierOfModel,
  type JobServer,
} from "@tirami/agora";
import { pino, type Logger } from "pino";
import { createAgentRegistry, type AgentRegistry } from "./agents/registry.js";
import { agentSpenders } from "./agents/spenders.js";
import { openNodeDatabase } from "./agents/db.js";
import { createUsageMeter } from "./agents/usage.js";
import { createResponseStore } from "./responses/store.js";
import { createApp, type NodeApp } from "./app.js";
import { createCapacitySource } from "./shard/capacity.js";
import { manifestOnDisk } from "./shard/manifest-on-disk.js";
import type { NodeConfig } from "./config.js";
import type { EnginePort, PricingPort, SafetyPort } from "./deps.js";
import { NodeError, NodeErrorCode } from "./errors.js";
import { createTradeOwners } from "./trade-owners.js";
import { createInFlight } from "./in-flight.js";
import { type Loop, startMaintenanceLoop } from "./loops/maintenance.js";
import { startPricingLoop } from "./loops/pricing.js";
import { loadOrCreateOperatorToken, type OperatorToken } from "./operator-token.js";
import { hashToken } from "./tokens.js";
import { isLoopback } from "./loopback.js";
import { loadAgoraAgents, saveAgoraAgents } from "./agora-agents-file.js";
import { hostAllowList } from "./middleware/host-allow.js";
import {
  type Bank,
  createBank,
  createFuturesDesk,
  createInsuranceDesk,
  type FuturesDesk,
  type InsuranceDesk,
} from "@tirami/bank";
import { createNodeLightning, type NodeLightning } from "./lightning/node-lightning.js";

export const LEDGER_FILE = "ledger.db";
export const NODE_DB_FILE = "node.db";
/** The mind's own database in the home (harness versions, cycles; `@tirami/mind`). */
export const MIND_DB_FILE = "mind.db";

/** Options of `createNode`. */
export interface NodeOptions {
  /** Resolved configuration (see `readNodeConfig`). */
  config: NodeConfig;
  /** Environment for `$TIRAMI_HOME` (default process.env). */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  clock?: Clock;
  /** A chat format object (overrides `config.chat_wrapper`), e.g. for a model without a template. */
  chatWrapper?: ChatWrapperOption;
}

/** A running (or startable) node. */
export interface TiramiNode {
  readonly home: string;
  readonly account: AccountId;
  readonly key: NodeKey;
  readonly operatorToken: OperatorToken;
  readonly ledger: Ledger;
  readonly safety: SafetyPort;
  readonly agents: AgentRegistry;
  readonly engine: EnginePort | undefined;
  readonly spend: SpendPath;
  readonly http: NodeApp;
  /** The node's market when `p2p_port` is set; started by `start()`. */
  readonly mesh: Market | undefined;
  /** The node's mind (docs/mind.md): spends as the `mind` spender through `spend`. */
  readonly mind: Mind;
  /** The node's treasury (docs/bank.md); it acts through the mesh's lending as the `bank` spender. */
  readonly bank: Bank;
  /** Insurance on loans over the mesh (docs/bank.md), when the node joined one. */
  readonly insurance: InsuranceDesk | undefined;
  /** Compute futures over the mesh (docs/bank.md), when the node joined one. */
  readonly futures: FuturesDesk | undefined;
  /** The node's agora (docs/agora.md) when it joins a mesh; started with it. */
  readonly agora: Agora | undefined;
  /** Lightning: the wallet, settlement that pays, deposits, anchors (docs/lightning.md). */
  readonly lightning: NodeLightning;
  /** Listens on `api_bind:api_port`; resolves with the bound address. */
  start(): Promise<{ host: string; port: number; url: string }>;
  /** Graceful shutdown; idempotent. */
  stop(): Promise<void>;
}

export { isLoopback };

/**
 * The price this node quotes: `price_trm_per_token` when configured (a fixed price), else the ledger's live
 * price (base 1 TRM/token × demand/supply EMA × deflation, docs/architecture.md §4).
 */
function nodePricing(ledger: Pick<Ledger, "pricing">, fixedTrmPerToken: number | undefined): PricingPort {
  if (fixedTrmPerToken !== undefined) {
    return {
      priceTrmPerToken: () => fixedTrmPerToken,
      snapshot: () => ({
        source: "config",
        ...ledger.pricing.snapshot(),
        price_trm_per_token: fixedTrmPerToken,
      }),
    };
  }
  return {
    priceTrmPerToken: () => ledger.pricing.quote().price_trm_per_token,
    snapshot: () => ({ source: "live", ...ledger.pricing.snapshot() }),
  };
}

/** What this node says of itself in its agent profile (agent `node`): its model and live price, if any. */
function selfProfile(engine: EnginePort | undefined, pricing: PricingPort, publicUrl: string | undefined) {
  if (engine === undefined) return undefined;
  const modelId = engine.manifest.id;
  return {
    models: [modelId],
    price_trm_per_token: pricing.priceTrmPerToken(),
    tier: tierOfModel(modelId),
    capabilities: ["chat", "a2a"],
    endpoints: publicUrl === undefined ? [] : [`${publicUrl.replace(/\/$/, "")}/.well-known/agent-card.json`],
    description: `Tirami node serving ${modelId}, paid in TRM`,
  };
}

/** One chat turn on this node's model for another agent (A2A, NIP-90), counted in flight like any generation. */
async function generateOnce(
  engine: EnginePort | undefined,
  inFlight: ReturnType<typeof createInFlight>,
  prompt: string,
  maxTokens: number,
): Promise<{ text: string; promptTokens: number; completionTokens: number }> {
  if (engine === undefined) throw new NodeError(NodeErrorCode.MODEL_NOT_LOADED, "no model is loaded");
  const entry = inFlight.begin("local");
  try {
    const result = await engine.chat([{ role: "user", content: prompt }], {
      max_tokens: maxTokens,
      signal: entry.signal,
    });
    return {
      text: result.text,
      promptTokens: result.prompt_tokens,
      completionTokens: result.completion_tokens,
    };
  } finally {
    entry.end();
  }
}

/** The provider of paid A2A tasks: this node's model, its live price, the ledger's admission, the market's intake. */
function createA2AService(
  market: Market,
  parts: {
    ledger: Ledger;
    engine: () => EnginePort | undefined;
    pricing: PricingPort;
    inFlight: ReturnType<typeof createInFlight>;
    signer: NodeKey["signer"];
    clock: Clock;
  },
): A2AProvider {
  return createA2AProvider({
    signer: parts.signer,
    nowMs: () => parts.clock.nowMs(),
    priceTrmPerToken: (modelId) =>
      parts.engine()?.manifest.id === modelId ? parts.pricing.priceTrmPerToken() : undefined,
    admit: (consumer, amountTrm) => void parts.ledger.admitConsumer(consumer, amountTrm),
    generate: ({ prompt, maxTokens }) => generateOnce(parts.engine(), parts.inFlight, prompt, maxTokens),
    settle: (signed) => market.announceTrade(signed),
  });
}

/** Publishes this node's NIP-89 advertisements to its relays once (best effort, logged). */
async function advertiseOnNostr(
  agora: Agora,
  nostr: { secretKey: Uint8Array; relays: readonly string[] },
  clock: Clock,
  logger: Logger,
): Promise<void> {
  try {
    const events = agora.ownProfiles().map((profile) =>
      handlerAdvertisement(profile, {
        secretKey: nostr.secretKey,
        nowMs: clock.nowMs(),
        relays: nostr.relays,
      }),
    );
    const results = await publishToRelays(events, nostr.relays);
    logger.info(
      { accepted: results.filter((r) => r.ok).length, sent: results.length },
      "advertised on Nostr",
    );
  } catch (error) {
    logger.warn({ err: error }, "Nostr advertisement failed");
  }
}

/**
 * Builds a node from its configuration. Takes the home lock, opens files and loads the model; does not
 * listen. `stop()` releases the lock.
 * @throws {NodeError} UNSAFE_BIND when `api_bind` is not loopback and no `api_token` is configured.
 * @throws core `HomeInUseError` (HOME_IN_USE, `details.pid`) when a live process holds the home; nothing
 *   has been opened or loaded then.
 */
export async function createNode(options: NodeOptions): Promise<TiramiNode> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: config.log_level }, logDestination());
  if (!isLoopback(config.api_bind) && (config.api_token === undefined || config.api_token === "")) {
    throw new NodeError(
      NodeErrorCode.UNSAFE_BIND,
      `refusing to bind ${config.api_bind} (not loopback) without an explicit api_token; set TIRAMI_API_TOKEN or bind 127.0.0.1`,
    );
  }
  const home = resolveHome({ home: config.home, env: options.env ?? process.env });
  mkdirSync(home, { recursive: true, mode: 0o700 });
  // One node per home, checked before any database opens or the model loads (core home-lock.ts).
  const homeLock = acquireHomeLock(home);
  try {
    return await openNode(options, { config, clock, logger, home, homeLock });
  } catch (error) {
    homeLock.release();
    throw error;
  }
}

/** The rest of `createNode`, run under the home lock; the returned node's `stop()` releases it. */
async function openNode(
  options: NodeOptions,
  locked: { config: NodeConfig; clock: Clock; logger: Logger; home: string; homeLock: HomeLock },
): Promise<TiramiNode> {
  const { config, clock, logger, home, homeLock } = locked;
  const key = loadOrCreateNodeKey(home);
  const account = key.signer.accountId;
  const operatorToken = loadOrCreateOperatorToken(home, config.api_token);
  if (operatorToken.source === "created")
    logger.info({ path: operatorToken.path }, "created the operator token");

  const ledger = openLedger({
    path: join(home, LEDGER_FILE),
    clock,
    localAccount: account,
    zeroHistoryConsumersMax: config.zero_history_consumers_max,
    zeroHistoryCreditCapTrm: config.zero_history_credit_cap_trm,
  });
  // Under the home lock no request of this ledger is in flight: the holds of requests that died with
  // the previous process (kill -9, power loss) are released now rather than when they expire.
  const orphaned = ledger.releaseRequestHolds();
  if (orphaned.length > 0)
    logger.warn(
      { holds: orphaned.length, trm: orphaned.reduce((sum, hold) => sum + hold.amount_trm, 0) },
      "released the holds of requests that died with the previous process",
    );
  let ledgerOpen = true;
  const nodeDb = openNodeDatabase(join(home, NODE_DB_FILE));
  const modelsDir = config.models_dir ?? join(home, "models");
  let engine: EnginePort | undefined;
  try {
    if (config.model !== undefined && config.model !== "") {
      const resolved = await resolveModel(config.model, {
        modelsDir,
      });
      const created = await createEngine({
        modelPath: resolved.path,
        threads: config.threads,
        contextSize: config.context_size,
        parallelism: config.parallelism === 0 ? "auto" : config.parallelism,
        queueMax: config.queue_max,
        chatWrapper: options.chatWrapper ?? config.chat_wrapper,
      });
      engine = created;
      const { parallelism } = created.settings;
      logger.info(
        { model: created.manifest.id, path: resolved.path, parallelism },
        `model ${created.manifest.id} loaded (${parallelism} parallel sequences)`,
      );
    }
  } catch (error) {
    nodeDb.close();
    ledger.close();
    throw error;
  }
  const safety: SafetyPort = ledger.safety;
  const agents = createAgentRegistry(nodeDb, clock);
  const usage = createUsageMeter(nodeDb, clock);
  const inFlight = createInFlight();
  const pricing = nodePricing(ledger, config.price_trm_per_token);
  const capacity = createCapacitySource({
    memoryBytes: config.shard_memory_bytes,
    throughputBytesPerS: config.shard_throughput_bytes_per_s,
  });
  let mesh: Market | undefined;
  const tradeOwners = createTradeOwners();
  const mindStore = openMindStore({ path: join(home, MIND_DB_FILE), clock });
  const mind = createMind({
    store: mindStore,
    account,
    clock,
    safety: ledger.safety,
    engine: () => engine,
    market: () => mesh,
  });
  // Trades of closed cycles that died unrecorded with the previous process (docs/mind.md).
  mind.adoptTrades(ledger.listTrades({ account, limit: LIST_TRADES_LIMIT_MAX }));
  let insurance: InsuranceDesk | undefined;
  let futures: FuturesDesk | undefined;
  const bank = createBank({
    ledger,
    lending: () => mesh?.lending,
    account,
    clock,
    log: (message, fields) => logger.info(fields ?? {}, message),
  });
  let agora: Agora | undefined;
  let a2aProvider: A2AProvider | undefined;
  let jobServer: JobServer | undefined;
  // The Nostr identity lives beside the node key (same file rules); only a node in the mesh advertises.
  const nostr =
    config.p2p_port === undefined
      ? undefined
      : { ...loadOrCreateNostrKey(home), relays: [...config.nostr_relays] };
  let lightning: NodeLightning | undefined;
  const http = createApp({
    clock,
    logger,
    limits: {
      bodyBytesMax: config.body_bytes_max,
      maxTokensMax: config.max_tokens_max,
      rateLimitPerMinute: config.rate_limit_per_minute,
      sseFlushIntervalMs: config.sse_flush_interval_ms,
    },
    operatorTokenHash: hashToken(operatorToken.token),
    localAccount: account,
    agents,
    usage,
    responses: createResponseStore(nodeDb, clock),
    engine: () => engine,
    ledger,
    ledgerOpen: () => ledgerOpen,
    safety,
    pricing,
    inFlight,
    mesh: () => mesh,
    bank,
    insurance: () => insurance,
    futures: () => futures,
    topology: {
      capacity,
      manifestOf: (modelId) => manifestOnDisk(modelsDir, modelId),
      contextTokens: config.context_size,
    },
    hosts: hostAllowList(config.api_bind, config.allowed_hosts),
    tradeOwners,
    mind,
    agora: () => agora,
    nostr,
    a2a: {
      provider: () => a2aProvider,
      // Paid tasks bought by this node go through its spend path, as every purchase does.
      runTask: (request) => runA2ATask({ spend, signer: key.signer, nowMs: () => clock.nowMs() }, request),
      publicUrl: config.public_url,
    },
    lightning: () => lightning,
  });
  // Every spend is one in-flight entry (kind "remote"): refused once the node stops accepting, aborted at
  // the end of the grace period, settled before the ledger closes.
  const spend = createSpendPath({
    ledger,
    signer: key.signer,
    clock,
    // The agents, and the mind as its own spender (its budget policy is the gate's for `mind`).
    spenders: withMindSpender(agentSpenders(agents, usage)),
    tracker: { begin: () => inFlight.begin("remote") },
    onDenied: (code) => http.metrics.safetyDenials.inc({ code }),
    onSpent: (amountTrm, spent) => {
      http.metrics.trmFlow.inc({ direction: "spent" }, amountTrm);
      if (spent.tradeId !== null) tradeOwners.note(spent.tradeId, spent.spender);
    },
  });

  if (config.p2p_port !== undefined) {
    try {
      const host = await createMeshHost({
        seed: key.seed,
        listen: [`/ip4/${config.p2p_bind}/tcp/${config.p2p_port}`],
        bootstrap: [...config.bootstrap],
        mdns: config.mdns,
      });
      mesh = createMarket({
        host,
        ledger,
        unsettled: createUnsettledBook(nodeDb),
        signer: key.signer,
        clock,
        engine: () => engine,
        spend,
        priceTrmPerToken: () => pricing.priceTrmPerToken(),
        capacity,
        // Live supply/demand inputs for the ledger's pricing; its merged reputation ranks providers.
        pricing: ledger.pricing,
        reputation: ledger.reputation,
        lending: ledger,
        // The agora's collusion detector lowers a colluding provider's reputation in routing.
        trustPenalty: (provider) => agora?.trustPenalty(provider) ?? 0,
        // The market counts its purchases and served requests itself; the node adds its local generations.
        localInFlight: () => inFlight.count("local"),
        onServed: (work) => http.metrics.meshServed(work),
        log: (level, message, fields) => logger[level](fields ?? {}, message),
        timings: { offerIntervalMs: config.offer_interval_ms },
        // Purchases that died with the previous process: paid if their provider still proposes them.
        diedPurchases: orphaned
          .filter((hold) => hold.account_id === account && hold.reason.startsWith(SPEND_HOLD_REASON_PREFIX))
          .map((hold) => ({
            requestId: hold.reason.slice(SPEND_HOLD_REASON_PREFIX.length),
            heldTrm: hold.amount_trm,
          })),
      });
      // A purchase of the mind that died with the previous process and is settled now belongs to its cycle.
      mesh.onTrade((signed) => mind.adoptTrades([signed]));
      insurance = createInsuranceDesk({
        host,
        ledger,
        signer: key.signer,
        clock,
        log: (message, fields) => logger.info(fields ?? {}, message),
      });
      futures = createFuturesDesk({
        host,
        ledger,
        signer: key.signer,
        clock,
        log: (message, fields) => logger.info(fields ?? {}, message),
      });
      agora = createAgora({
        host,
        signer: key.signer,
        ledger,
        offers: () => mesh?.providers() ?? [],
        clock,
        nostrPubkey: nostr?.pubkey,
        self: () => selfProfile(engine, pricing, config.public_url),
        onRegistered: (specs) => {
          try {
            saveAgoraAgents(home, specs);
          } catch (error) {
            logger.warn({ err: error }, "could not save the agora agents");
          }
        },
        log: (message, fields) => logger.warn(fields ?? {}, message),
      });
      a2aProvider = createA2AService(mesh, {
        ledger,
        engine: () => engine,
        pricing,
        inFlight,
        signer: key.signer,
        clock,
      });
    } catch (error) {
      // Nothing opened so far may outlive a failed start: a retry in this process must find the files free.
      await engine?.close().catch(() => undefined);
      mindStore.close();
      nodeDb.close();
      ledger.close();
      throw error;
    }
  }

  const nodeLightning = createNodeLightning({
    home,
    ledger,
    signer: key.signer,
    clock,
    mesh,
    logger,
    network: config.lightning_network,
    msatPerTrm: config.lightning_msat_per_trm,
    invoiceExpiryS: config.lightning_invoice_expiry_s,
    paymentSatsMax: config.lightning_payment_sats_max,
    satsPerHour: config.lightning_sats_per_hour,
    depositTrmMax: config.lightning_deposit_trm_max,
  });
  lightning = nodeLightning;

  let server: ServerType | undefined;
  let maintenance: Loop | undefined;
  let pricingLoop: Loop | undefined;
  let stopping: Promise<void> | undefined;

  async function shutdown(): Promise<void> {
    inFlight.stopAccepting();
    // A mind run in progress is aborted: its cycle closes as deferred before the stores close.
    await mind.stop();
    maintenance?.stop();
    pricingLoop?.stop();
    const closed =
      server === undefined
        ? Promise.resolve()
        : new Promise<void>((resolve) => server?.close(() => resolve()));
    (server as Server | undefined)?.closeIdleConnections();
    if (!(await inFlight.drain(config.shutdown_grace_ms))) {
      logger.warn({ in_flight: inFlight.count() }, "in-flight work did not end after abort; closing anyway");
    }
    (server as Server | undefined)?.closeAllConnections();
    await closed;
    await bank.stop();
    await insurance?.stop().catch((error: unknown) => logger.warn({ err: error }, "insurance stop failed"));
    await futures?.stop().catch((error: unknown) => logger.warn({ err: error }, "futures stop failed"));
    jobServer?.stop();
    await agora?.stop();
    await nodeLightning
      .stop()
      .catch((error: unknown) => logger.warn({ err: error }, "lightning stop failed"));
    await mesh?.stop().catch((error: unknown) => logger.warn({ err: error }, "mesh stop failed"));
    if (engine !== undefined) await engine.close();
    ledgerOpen = false;
    mindStore.close();
    nodeDb.close();
    ledger.close();
    homeLock.release();
    logger.info("node stopped");
  }

  return {
    home,
    account,
    key,
    operatorToken,
    ledger,
    safety,
    agents,
    engine,
    spend,
    http,
    mesh,
    mind,
    bank,
    insurance,
    futures,
    agora,
    lightning: nodeLightning,
    start() {
      if (server !== undefined) throw new Error("node already started");
      maintenance = startMaintenanceLoop({
        releaseExpiredHolds: () => ledger.releaseExpiredHolds(),
        expireApprovals: () => safety.expireApprovals(),
        sweepInvoices: () => nodeLightning.service.sweep(),
        logger,
      });
      maintenance.tick();
      if (mesh === undefined) {
        // Without the mesh this node is the only provider it knows; the mesh feeds pricing itself.
        pricingLoop = startPricingLoop({
          observe: (input) => ledger.pricing.observe(input),
          providersSeen: () => (engine === undefined ? 0 : 1),
          requestsInFlight: () => inFlight.count(),
          logger,
        });
      }
      if (config.bank_tick_interval_ms > 0) bank.start(config.bank_tick_interval_ms);
      const listening = new Promise<{ host: string; port: number; url: string }>((resolve, reject) => {
        const started = serve(
          { fetch: http.app.fetch, hostname: config.api_bind, port: config.api_port },
          (info: AddressInfo) => {
            const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
            logger.info({ host: info.address, port: info.port, account }, "node listening");
            resolve({ host: info.address, port: info.port, url: `http://${host}:${info.port}` });
          },
        );
        started.once("error", reject);
        server = started;
      });
      const joining = mesh;
      return listening.then(async (address) => {
        if (joining !== undefined) await joinMesh(joining);
        await nodeLightning.start();
        return address;
      });

      /** Starts the mesh and what rides on it: desks, the agora, its Nostr advertisement and job server. */
      async function joinMesh(joining: Market): Promise<void> {
        await joining.start();
        await insurance?.start();
        await futures?.start();
        logger.info({ multiaddrs: joining.host.multiaddrs() }, "joined the mesh");
        await agora?.start();
        // The agents registered before a restart are signed afresh and published again.
        const registrar = agora;
        if (registrar !== undefined)
          for (const spec of loadAgoraAgents(home, logger))
            await registrar
              .register(spec)
              .catch((error: unknown) => logger.warn({ err: error }, "agent not re-registered"));
        if (agora !== undefined && nostr !== undefined && nostr.relays.length > 0)
          void advertiseOnNostr(agora, nostr, clock, logger);
        if (config.nostr_serve_jobs && nostr !== undefined && nostr.relays.length > 0)
          jobServer = await startJobServer({
            relays: nostr.relays,
            secretKey: nostr.secretKey,
            pubkey: nostr.pubkey,
            nowMs: () => clock.nowMs(),
            priceTrmPerToken: (model) =>
              engine?.manifest.id === model ? pricing.priceTrmPerToken() : undefined,
            generate: async ({ prompt, maxTokens }) => {
              const result = await generateOnce(engine, inFlight, prompt, maxTokens);
              return { text: result.text, completionTokens: result.completionTokens };
            },
            log: (message, fields) => logger.warn(fields ?? {}, message),
          });
      }
    },
    stop() {
      stopping ??= shutdown();
      return stopping;
    },
  };
}
