/**
 * `POST /v1/embeddings` (OpenAI-compatible): `input` as one text or a list of up to 2,048, vectors as
 * JSON floats or base64 (`encoding_format`, little-endian float32 as OpenAI sends them; the official
 * client asks for base64 by default), `usage` in prompt tokens and `x_tirami` as on every answer.
 *
 * The node's own model embeds (through `engine.embed`: node-llama-cpp's embedding context, unit-length
 * vectors): self-use (docs/architecture.md §2), metered per spender, `trm_cost: 0`, no trade. Shortening
 * vectors (`dimensions` other than the model's width) and token-array input are refused with 400, not
 * ignored.
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import { inferLimits } from "@tirami/infer";
import { MODEL_ID_CHARS_MAX } from "../constants.js";
import type { EnginePort } from "../deps.js";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { LocalGenerationDeps } from "../openai/generate.js";
import { readJsonBody } from "../openai/json-body.js";
import { engineFor } from "../openai/request.js";
import { parseBody } from "../openai/schemas.js";
import { type AppEnv, spenderOf } from "../principal.js";

/** Characters of one input text: a long document, still bounded before tokenizing (the body limit binds first). */
const INPUT_CHARS_MAX = 1_000_000;

const embeddingsRequest = z.object({
  model: z.string().min(1).max(MODEL_ID_CHARS_MAX).optional(),
  input: z.union([
    z.string().min(1).max(INPUT_CHARS_MAX),
    z.array(z.string().min(1).max(INPUT_CHARS_MAX)).min(1).max(inferLimits.EMBED_INPUTS_MAX),
  ]),
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.int().min(1).max(1_048_576).optional(),
  user: z.string().max(256).optional(),
});

/** What the route needs: the local model and the self-use metering of generations. */
export interface EmbeddingsDeps extends LocalGenerationDeps {
  engine(): EnginePort | undefined;
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
  app.post("/embeddings", async (c) => {
    const raw = await readJsonBody(c);
    refuseTokenArrays(raw);
    const body = parseBody(embeddingsRequest, raw);
    const loaded = deps.engine();
    const engine = engineFor(loaded, body.model ?? loaded?.manifest.id ?? "");
    checkDimensions(body.dimensions, engine.manifest.embedding_length);
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
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
      const base64 = body.encoding_format === "base64";
      return c.json({
        object: "list",
        data: result.vectors.map((vector, index) => ({
          object: "embedding",
          index,
          embedding: base64 ? base64OfVector(vector) : vector,
        })),
        model: engine.manifest.id,
        usage: { prompt_tokens: result.prompt_tokens, total_tokens: result.prompt_tokens },
        x_tirami: {
          trm_cost: 0,
          effective_balance: deps.effectiveBalance(),
          trade_id: null,
          provider: deps.localAccount,
        },
      });
    } finally {
      c.req.raw.signal.removeEventListener("abort", onClientAbort);
      entry.end();
    }
  });
  return app;
}
