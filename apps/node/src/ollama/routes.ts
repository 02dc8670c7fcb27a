/**
 * Ollama-compatible routes, so Ollama clients work against a node unchanged (with the node's bearer
 * token in their headers): `GET /api/version`, `GET /api/tags`, `POST /api/show`, `POST /api/chat` and
 * `POST /api/generate` (NDJSON streaming by default, as Ollama). A thin adapter: requests become the
 * OpenAI requests they are (`to-chat.ts`) and are answered through the same path — the local model, or a
 * purchase from the mesh with its safety gate and trade — shaped as Ollama objects (`shape.ts`). Errors
 * are Ollama's `{ "error": "<message>" }` with the node's status codes.
 * @module
 */
import { type Context, Hono } from "hono";
import { answerEmbeddings, type EmbeddingsDeps } from "../routes/embeddings.js";
import type { ModelManifest } from "@tirami/infer";
import { NodeError, NodeErrorCode } from "../errors.js";
import { describeError, INTERNAL_ERROR_BODY } from "../middleware/on-error.js";
import type { AnswerRequest } from "../openai/answer.js";
import { readJsonBody } from "../openai/json-body.js";
import { answerLocally, type LocalAnswerDeps } from "../openai/local-answer.js";
import { answerRemotely, type RemoteAnswerDeps, wantsRemote } from "../openai/remote-answer.js";
import { chatAnswerRequest, completionAnswerRequest, modelOf } from "../openai/request.js";
import { routeHintsOf } from "../openai/route-hints.js";
import { chatCompletionRequest, completionRequest, parseBody } from "../openai/schemas.js";
import type { AppEnv } from "../principal.js";
import { type OllamaEndpoint, ollamaShape } from "./shape.js";
import {
  chatBodyOfOllama,
  generateBodyOfOllama,
  ollamaChatRequest,
  ollamaGenerateRequest,
} from "./to-chat.js";

/** The Ollama API version this adapter speaks (tools and JSON-schema `format` need ≥ 0.5). */
export const OLLAMA_API_VERSION = "0.6.0";

/** What the routes need. */
export interface OllamaDeps extends LocalAnswerDeps, EmbeddingsDeps {
  maxTokensMax: number;
  remote: RemoteAnswerDeps;
  startedMs: number;
}

/** Ollama's `parameter_size` (`"494.03M"`, `"8.0B"`). */
export function parameterSize(count: number): string {
  if (count >= 1e9) return `${(count / 1e9).toFixed(1)}B`;
  if (count >= 1e6) return `${(count / 1e6).toFixed(2)}M`;
  return `${(count / 1e3).toFixed(2)}K`;
}

function detailsOf(manifest: ModelManifest | undefined): Record<string, unknown> {
  return {
    parent_model: "",
    format: "gguf",
    family: manifest?.architecture ?? "",
    families: manifest === undefined ? null : [manifest.architecture],
    parameter_size: manifest === undefined ? "" : parameterSize(manifest.parameter_count),
    quantization_level: manifest?.quantization ?? "",
  };
}

/** Renders an error as Ollama does (`{ error: message }`), with the node's status and Retry-After. */
export function ollamaErrorResponse(error: unknown): {
  status: number;
  body: { error: string };
  retryAfterS?: number;
} {
  const described = describeError(error);
  const message = (described?.body ?? INTERNAL_ERROR_BODY).error.message;
  return {
    status: described?.status ?? 500,
    body: { error: message },
    ...(described?.retryAfterS === undefined ? {} : { retryAfterS: described.retryAfterS }),
  };
}

/** Routes under `/api`. */
export function ollamaRoutes(deps: OllamaDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const meshModels = (): string[] =>
    (deps.remote.market()?.remoteModels() ?? []).map((offer) => offer.model_id);
  const modelFor = (requested: string | undefined): string =>
    modelOf(requested, deps.engine()?.manifest.id, meshModels);
  const respond = (c: Context<AppEnv>, request: AnswerRequest, endpoint: OllamaEndpoint) => {
    const ollama = { ...request, shape: ollamaShape(endpoint) };
    return wantsRemote(deps.remote, ollama)
      ? answerRemotely(c, deps.remote, ollama)
      : answerLocally(c, deps, ollama);
  };
  const loaded = (model: string, endpoint: "chat" | "generate") => ({
    model,
    created_at: new Date().toISOString(),
    ...(endpoint === "chat" ? { message: { role: "assistant", content: "" } } : { response: "" }),
    done: true,
    done_reason: "load",
  });

  app.get("/version", (c) => c.json({ version: OLLAMA_API_VERSION }));
  app.get("/tags", (c) => {
    const manifest = deps.engine()?.manifest;
    const modified = new Date(deps.startedMs).toISOString();
    const entry = (name: string, size: number, m: ModelManifest | undefined) => ({
      name,
      model: name,
      modified_at: modified,
      size,
      digest: "",
      details: detailsOf(m),
    });
    const models = manifest === undefined ? [] : [entry(manifest.id, manifest.file_size_bytes, manifest)];
    for (const id of meshModels())
      if (!models.some((m) => m.name === id)) models.push(entry(id, 0, undefined));
    return c.json({ models });
  });
  app.post("/show", async (c) => {
    const body = (await readJsonBody(c)) as { model?: unknown; name?: unknown };
    const requested =
      typeof body.model === "string" ? body.model : typeof body.name === "string" ? body.name : undefined;
    const model = modelFor(requested);
    const manifest = deps.engine()?.manifest;
    const local = manifest?.id === model ? manifest : undefined;
    if (local === undefined && !meshModels().includes(model))
      throw new NodeError(NodeErrorCode.MODEL_NOT_FOUND, `model "${model}" not found`, { param: "model" });
    const arch = local?.architecture ?? "";
    return c.json({
      license: "",
      modelfile: "",
      parameters: "",
      template: "",
      details: detailsOf(local),
      model_info:
        local === undefined
          ? {}
          : {
              "general.architecture": arch,
              "general.parameter_count": local.parameter_count,
              [`${arch}.context_length`]: local.context_length_tokens,
              [`${arch}.block_count`]: local.block_count,
              [`${arch}.embedding_length`]: local.embedding_length,
            },
      capabilities: ["completion", "tools"],
      modified_at: new Date(deps.startedMs).toISOString(),
    });
  });
  // `/api/embed`: Ollama's body (`model`, `input` text or list) answered by the OpenAI embeddings path.
  app.post("/embed", async (c) => {
    const raw = (await readJsonBody(c)) as Record<string, unknown> | null;
    const input = raw?.["input"];
    const startedNs = process.hrtime.bigint();
    const answer = await answerEmbeddings(c, deps, {
      model: modelFor(typeof raw?.["model"] === "string" ? raw["model"] : undefined),
      input,
      encoding_format: "float",
    });
    const data = (answer as { data: { embedding: number[] }[] }).data;
    return c.json({
      model: (answer as { model: string }).model,
      embeddings: data.map((d) => d.embedding),
      total_duration: Number(process.hrtime.bigint() - startedNs),
      prompt_eval_count: (answer as { usage: { prompt_tokens: number } }).usage.prompt_tokens,
    });
  });
  app.post("/chat", async (c) => {
    const raw = await readJsonBody(c);
    const body = parseBody(ollamaChatRequest, raw);
    const model = modelFor(body.model);
    if (body.messages.length === 0) return c.json(loaded(model, "chat"));
    const chat = parseBody(chatCompletionRequest, chatBodyOfOllama(body));
    const request = chatAnswerRequest(chat, deps.maxTokensMax, routeHintsOf(raw, c.req.raw.headers), model);
    return respond(c, { ...request, stream: body.stream !== false }, "chat");
  });
  app.post("/generate", async (c) => {
    const raw = await readJsonBody(c);
    const body = parseBody(ollamaGenerateRequest, raw);
    const model = modelFor(body.model);
    if (body.prompt === undefined || body.prompt === "") return c.json(loaded(model, "generate"));
    const { endpoint, body: openAi } = generateBodyOfOllama(body);
    const route = routeHintsOf(raw, c.req.raw.headers);
    const request =
      endpoint === "chat"
        ? chatAnswerRequest(parseBody(chatCompletionRequest, openAi), deps.maxTokensMax, route, model)
        : completionAnswerRequest(parseBody(completionRequest, openAi), deps.maxTokensMax, route, model);
    return respond(c, { ...request, stream: body.stream !== false }, "generate");
  });
  return app;
}
