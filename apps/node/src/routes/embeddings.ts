/**
 * `POST /v1/embeddings` (OpenAI-compatible): `input` as one text or a list of up to 2,048, vectors as
 * JSON floats or base64 (`encoding_format`, little-endian float32 as OpenAI sends them; the official
 * client asks for base64 by default), `usage` in prompt tokens and `x_tirami` as on every answer.
 *
 * The node's own model embeds (through `engine.embed`: node-llama-cpp's embedding context, unit-length
 * vectors): self-use (docs/architecture.md §2), metered per spender, `trm_cost: 0`, no trade. A model
 * only the mesh serves (or an explicit route, as for chat) is bought (`market.buyEmbeddings`): a trade
 * priced per input token through the spend path and its safety gate, holding the worst case of
 * `bytes + 4` tokens per input (no tokenizer splits a byte into two tokens; 4 covers BOS/EOS and the
 * like). Shortening vectors (`dimensions` other than the model's width; any `dimensions` on a purchase,
 * whose width is unknown until paid for) and token-array input are refused with 400, not ignored.
 * @module
 */
import { randomBytes } from "node:crypto";
import { type Context, Hono } from "hono";
import { type EmbeddingsRequest, embeddingsRequest } from "@tirami/client";
import { MarketError, MarketErrorCode } from "@tirami/market";
import { INFER_PROMPT_TOKENS_MAX } from "@tirami/proto";
import { MODEL_ID_CHARS_MAX } from "../constants.js";
import type { EnginePort } from "../deps.js";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { LocalGenerationDeps } from "../openai/generate.js";
import { readJsonBody } from "../openai/json-body.js";
import type { RemoteAnswerDeps } from "../openai/remote-answer.js";
import { type RouteHints, routeHintsOf } from "../openai/route-hints.js";
import { engineFor } from "../openai/request.js";
import { parseBody } from "../openai/schemas.js";
import { type AppEnv, spenderOf } from "../principal.js";

/** What the route needs: the local model, the self-use metering of generations and the mesh. */
export interface EmbeddingsDeps extends LocalGenerationDeps {
  engine(): EnginePort | undefined;
  remote: RemoteAnswerDeps;
}

type EmbeddingsBody = EmbeddingsRequest;

/** Extra tokens per input beyond one per UTF-8 byte, for BOS/EOS and similar. */
const SPECIAL_TOKENS_PER_INPUT = 4;

/** The most input tokens `inputs` can come to under any tokenizer: the hold of a purchase. */
export function inputTokensMax(inputs: readonly string[]): number {
  const bound = inputs.reduce(
    (sum, text) => sum + Buffer.byteLength(text, "utf8") + SPECIAL_TOKENS_PER_INPUT,
    0,
  );
  return Math.min(bound, INFER_PROMPT_TOKENS_MAX);
}

/** Same rule as chat (`wantsRemote`): the mesh when the model is not local, or when a route was asked for. */
function goesToMesh(deps: EmbeddingsDeps, model: string, hints: RouteHints): boolean {
  const market = deps.remote.market();
  if (market === undefined) return false;
  const local = deps.engine()?.manifest.id === model;
  if (local && !hints.explicit) return false;
  return !local || market.servesRemotely(model);
}

function shapeResponse(
  body: EmbeddingsBody,
  result: { vectors: number[][]; promptTokens: number; model: string },
  xTirami: Record<string, unknown>,
) {
  const base64 = body.encoding_format === "base64";
  return {
    object: "list",
    data: result.vectors.map((vector, index) => ({
      object: "embedding",
      index,
      embedding: base64 ? base64OfVector(vector) : vector,
    })),
    model: result.model,
    usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
    x_tirami: xTirami,
  };
}

/** OpenAI accepts token arrays too; this node embeds text only, and says so rather than guessing. */
function refuseTokenArrays(raw: unknown): void {
  const input = (raw as { input?: unknown } | null)?.input;
  if (!Array.isArray(input)) return;
  if (input.some((item) => typeof item === "number" || Array.isArray(item)))
    throw new NodeError(
      NodeErrorCode.INVALID_REQUEST,
      "input: token arrays are not supported here; send the text (a string or a list of strings)",
      { param: "input" },
    );
}

/** A vector as base64 of its little-endian float32 values (OpenAI's `encoding_format: "base64"`). */
export function base64OfVector(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString("base64");
}

function checkDimensions(requested: number | undefined, width: number): void {
  if (requested === undefined || requested === width) return;
  throw new NodeError(
    NodeErrorCode.INVALID_REQUEST,
    `dimensions: this model's embeddings have ${width} dimensions and cannot be shortened here; omit dimensions`,
    { param: "dimensions" },
  );
}

/** Routes of the embeddings endpoint. */
export function embeddingsRoutes(deps: EmbeddingsDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post("/embeddings", async (c) => c.json(await answerEmbeddings(c, deps, await readJsonBody(c))));
  return app;
}

/**
 * The OpenAI embeddings answer to an already-read JSON body: local (free, metered) or bought from the mesh.
 * Shared by `POST /v1/embeddings` and Ollama's `POST /api/embed`.
 */
export async function answerEmbeddings(c: Context<AppEnv>, deps: EmbeddingsDeps, raw: unknown) {
  refuseTokenArrays(raw);
  const body = parseBody(embeddingsRequest, raw);
  const hints = routeHintsOf(raw, c.req.raw.headers);
  const inputs = typeof body.input === "string" ? [body.input] : body.input;
  const model = body.model ?? deps.engine()?.manifest.id;
  if (model === undefined)
    throw new NodeError(
      NodeErrorCode.INVALID_REQUEST,
      "model: required, this node serves no model of its own",
      {
        param: "model",
      },
    );
  if (goesToMesh(deps, model, hints)) return embedRemotely(c, deps, { body, model, inputs, hints });
  const engine = engineFor(deps.engine(), model);
  checkDimensions(body.dimensions, engine.manifest.embedding_length);
  const entry = deps.inFlight.begin();
  const onClientAbort = (): void => entry.abort("client disconnected");
  c.req.raw.signal.addEventListener("abort", onClientAbort, { once: true });
  try {
    const result = await engine.embed(inputs, { signal: entry.signal });
    const principal = c.get("principal");
    deps.metrics.tokens.inc({ kind: "prompt", spender_kind: principal.kind }, result.prompt_tokens);
    deps.usage.record(spenderOf(principal), {
      promptTokens: result.prompt_tokens,
      completionTokens: 0,
      spentTrm: 0,
    });
    return shapeResponse(
      body,
      { vectors: result.vectors, promptTokens: result.prompt_tokens, model: engine.manifest.id },
      {
        trm_cost: 0,
        effective_balance: deps.effectiveBalance(),
        trade_id: null,
        provider: deps.localAccount,
      },
    );
  } finally {
    c.req.raw.signal.removeEventListener("abort", onClientAbort);
    entry.end();
  }
}

/** Buys the embeddings from the mesh: a trade priced per input token (see the module comment). */
async function embedRemotely(
  c: Context<AppEnv>,
  deps: EmbeddingsDeps,
  request: { body: EmbeddingsBody; model: string; inputs: string[]; hints: RouteHints },
) {
  const { body, model, inputs, hints } = request;
  const market = deps.remote.market();
  if (market === undefined)
    throw new MarketError(MarketErrorCode.MESH_DISABLED, "the mesh is not running on this node");
  if (body.dimensions !== undefined)
    throw new NodeError(
      NodeErrorCode.INVALID_REQUEST,
      "dimensions: a purchase from the mesh cannot be checked against the model's width before it is paid for; omit dimensions",
      { param: "dimensions" },
    );
  let outcome = "error";
  try {
    const result = await market.buyEmbeddings({
      spender: spenderOf(c.get("principal")),
      modelId: model,
      inputs,
      maxInputTokens: inputTokensMax(inputs),
      preference: hints.preference,
      provider: hints.provider,
      requestId: hints.requestId ?? `${c.get("requestId") ?? "req"}-emb-${randomBytes(6).toString("hex")}`,
      approvalId: hints.approvalId,
      signal: c.req.raw.signal,
    });
    outcome = "ok";
    return shapeResponse(
      body,
      { vectors: result.vectors, promptTokens: result.promptTokens, model },
      {
        trm_cost: result.amountTrm,
        effective_balance: result.effectiveBalanceTrm,
        trade_id: result.tradeId,
        provider: result.provider,
        price_trm_per_token: result.priceTrmPerToken,
      },
    );
  } finally {
    deps.remote.metrics?.meshRequests.inc({ role: "bought", outcome });
  }
}
