/**
 * `GET /v1/tirami/topology?model=&context_tokens=&hop_latency_ms=&link_bytes_per_s=`: the plan for
 * splitting a model across this node and the mesh (`shard/topology.ts`). The model is the one this node
 * serves unless `model` names another whose GGUF file is in the models directory (its header is read,
 * nothing is loaded). Without a mesh the plan covers this node alone.
 * @module
 */
import { Hono } from "hono";
import type { AccountId } from "@tirami/core";
import type { ModelManifest } from "@tirami/infer";
import type { Market } from "@tirami/market";
import { isModelId, type OfferCapacity } from "@tirami/proto";
import type { EnginePort } from "../deps.js";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { AppEnv } from "../principal.js";
import { planTopology } from "../shard/topology.js";
import { integerParam, numberParam } from "./query.js";

/** Latency assumed per hop between stages unless asked otherwise: a LAN round trip's order. */
export const TOPOLOGY_HOP_LATENCY_MS_DEFAULT = 2;
/** Link bandwidth assumed per hop unless asked otherwise: 100 Mbit/s. */
export const TOPOLOGY_LINK_BYTES_PER_S_DEFAULT = 12_500_000;
/** Memory each stage needs besides weights and KV (compute buffers, runtime): 64 MiB. */
export const TOPOLOGY_STAGE_OVERHEAD_BYTES = 64 * 1_048_576;
/** Largest `context_tokens` a request may ask to plan for (as the node's own context_size limit). */
const CONTEXT_TOKENS_MAX = 131_072;
/** Largest hop latency (one minute) and link (1 Tbit/s) a request may assume. */
const HOP_LATENCY_MS_MAX = 60_000;
const LINK_BYTES_PER_S_MAX = 125_000_000_000;

/** What the topology route reads. */
export interface TopologyRoutesDeps {
  engine(): EnginePort | undefined;
  mesh(): Market | undefined;
  localAccount: AccountId;
  /** This node's advertised capacity (the same its offer carries). */
  capacity(): OfferCapacity | undefined;
  /** The manifest of a model on disk that this node does not serve, or undefined. */
  manifestOf(modelId: string): Promise<ModelManifest | undefined>;
  /** Default KV context to plan for: the node's `context_size`. */
  contextTokens: number;
}

async function manifestFor(deps: TopologyRoutesDeps, requested: string | undefined): Promise<ModelManifest> {
  const served = deps.engine()?.manifest;
  if (requested === undefined || requested === "") {
    if (served !== undefined) return served;
    throw new NodeError(NodeErrorCode.INVALID_REQUEST, "model: this node serves no model; name one", {
      param: "model",
    });
  }
  if (!isModelId(requested))
    throw new NodeError(NodeErrorCode.INVALID_REQUEST, "model: expected a model id", { param: "model" });
  if (served?.id === requested) return served;
  const manifest = await deps.manifestOf(requested);
  if (manifest !== undefined) return manifest;
  throw new NodeError(
    NodeErrorCode.MODEL_NOT_FOUND,
    `model "${requested}": planning needs its GGUF header, and this node neither serves it nor has it in its models directory`,
    { param: "model" },
  );
}

/** The topology route. */
export function topologyRoutes(deps: TopologyRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/topology", async (c) => {
    const manifest = await manifestFor(deps, c.req.query("model"));
    const assumptions = {
      context_tokens: integerParam(
        c.req.query("context_tokens"),
        "context_tokens",
        deps.contextTokens,
        0,
        CONTEXT_TOKENS_MAX,
      ) as number,
      stage_overhead_bytes: TOPOLOGY_STAGE_OVERHEAD_BYTES,
      hop_latency_ms:
        numberParam(c.req.query("hop_latency_ms"), "hop_latency_ms", HOP_LATENCY_MS_MAX) ??
        TOPOLOGY_HOP_LATENCY_MS_DEFAULT,
      link_bytes_per_s: integerParam(
        c.req.query("link_bytes_per_s"),
        "link_bytes_per_s",
        TOPOLOGY_LINK_BYTES_PER_S_DEFAULT,
        1,
        LINK_BYTES_PER_S_MAX,
      ) as number,
    };
    const view = planTopology({
      manifest,
      self: { account: deps.localAccount, capacity: deps.capacity() },
      offers: deps.mesh()?.offers() ?? [],
      assumptions,
    });
    return c.json(view);
  });
  return app;
}
