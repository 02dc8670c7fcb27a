/**
 * The OpenAI face of the mesh: `POST /v1/chat/completions` and `POST /v1/completions` for a model this
 * node does not serve (or with an explicit routing preference) are bought from the best provider in the
 * offer book and answered in the same OpenAI shape as a local completion, streamed (SSE) or not, with
 * `x_tirami` carrying the real cost, the trade id and the provider.
 *
 * Routing preference (documented in README): header `X-Tirami-Route: cost|quality|balanced`, or body
 * field `x_tirami: { route }` (alias `tirami_route`); default `balanced`. Pin a provider with header
 * `X-Tirami-Provider: <account>` or `x_tirami.provider`. An approval is redeemed with
 * `x_tirami.approval_id` and the same `x_tirami.request_id` as the denied attempt.
 * @module
 */
import type { Context } from "hono";
import { type AccountId, isAccountId } from "@tirami/core";
import type { Logger } from "pino";
import type { InFlight } from "../in-flight.js";
import { answer, type AnswerRequest, type Outcome, shapeOf } from "../openai/answer.js";
import { responseId } from "../openai/request.js";
import type { StreamSettings } from "../openai/stream.js";
import { type AppEnv, spenderOf } from "../principal.js";
import { PROVIDER_HEADER, ROUTE_HEADER } from "./constants.js";
import type { PurchaseResult } from "./consumer.js";
import { MeshError, MeshErrorCode } from "./errors.js";
import { isRoutePreference, type RoutePreference } from "./ranking.js";
import type { MeshService } from "./service.js";

/** What the remote chat handler needs. */
export interface RemoteChatDeps extends StreamSettings {
  mesh(): MeshService | undefined;
  /** The id of the locally loaded model, if any. */
  localModel(): string | undefined;
  maxTokensMax: number;
  logger: Logger;
  /** The node's in-flight tracker: remote purchases are drained on shutdown like local generations. */
  inFlight?: InFlight | undefined;
}

/** Routing hints of one request. */
export interface RouteHints {
  preference: RoutePreference;
  explicit: boolean;
  provider: AccountId | undefined;
  approvalId: string | undefined;
  requestId: string | undefined;
}

const REQUEST_ID_RE = /^[\x21-\x7e]{1,128}$/;
const SEED_MODULUS = 0x1_0000_0000;

function xTiramiOf(raw: unknown): Record<string, unknown> {
  if (raw === null || typeof raw !== "object") return {};
  const ext = (raw as Record<string, unknown>).x_tirami;
  return ext !== null && typeof ext === "object" ? (ext as Record<string, unknown>) : {};
}

/** Reads the routing hints from the headers and the raw body. @throws {MeshError} INVALID_ROUTE */
export function routeHintsOf(raw: unknown, headers: Headers): RouteHints {
  const ext = xTiramiOf(raw);
  const routeValue =
    headers.get(ROUTE_HEADER) ?? ext.route ?? (raw as Record<string, unknown> | null)?.tirami_route;
  if (routeValue !== undefined && routeValue !== null && !isRoutePreference(routeValue)) {
    throw new MeshError(MeshErrorCode.INVALID_ROUTE, `route: expected cost, quality or balanced`, {
      details: { param: "x_tirami.route" },
    });
  }
  const providerValue = headers.get(PROVIDER_HEADER) ?? ext.provider;
  if (providerValue !== undefined && providerValue !== null && !isAccountId(providerValue)) {
    throw new MeshError(MeshErrorCode.INVALID_ROUTE, `provider: expected an account id (64 lowercase hex)`, {
      details: { param: "x_tirami.provider" },
    });
  }
  const approvalId = typeof ext.approval_id === "string" ? ext.approval_id : undefined;
  const requestId =
    typeof ext.request_id === "string" && REQUEST_ID_RE.test(ext.request_id) ? ext.request_id : undefined;
  return {
    preference: (routeValue as RoutePreference | undefined) ?? "balanced",
    explicit:
      (routeValue !== undefined && routeValue !== null) ||
      (providerValue !== undefined && providerValue !== null),
    provider: (providerValue as AccountId | undefined) ?? undefined,
    approvalId,
    requestId,
  };
}

/** The remote path of the chat-completions and completions routes. */
export function createRemoteChat(deps: RemoteChatDeps) {
  return {
    /**
     * True when this request goes to the mesh: the model is not served locally but is offered in the
     * mesh, or a route/provider was asked for explicitly and some other node offers the model.
     */
    wants(model: string, raw: unknown, headers: Headers): boolean {
      const mesh = deps.mesh();
      if (mesh === undefined) return false;
      const hints = routeHintsOf(raw, headers);
      if (deps.localModel() === model && !hints.explicit) return false;
      return mesh.servesRemotely(model) || deps.localModel() !== model;
    },

    /** Buys `request` from the mesh and answers it; `raw` is the request body (routing hints). */
    answer: answerFromMesh,
  };

  /**
   * Buys `request` from the mesh and answers it: through the safety gate, the hold and the dual-signed
   * trade (MeshService), tracked for graceful shutdown and aborted when the client goes away; the answer's
   * `x_tirami` carries the real cost, the trade and the provider.
   * @throws {MeshError} MESH_DISABLED when the mesh is not running.
   */
  function answerFromMesh(c: Context<AppEnv>, request: AnswerRequest, raw: unknown): Promise<Response> {
    const mesh = deps.mesh();
    if (mesh === undefined)
      throw new MeshError(MeshErrorCode.MESH_DISABLED, "the mesh is not running on this node");
    const hints = routeHintsOf(raw, c.req.raw.headers);
    const id = responseId(request.endpoint === "chat" ? "chatcmpl" : "cmpl");
    const { maxTokens, temperature, topP, topK, seed, stop } = request.sampling;
    const purchase = (signal: AbortSignal, onText?: (text: string) => void): Promise<PurchaseResult> =>
      mesh.chat({
        spender: spenderOf(c.get("principal")),
        modelId: request.model,
        input: request.input,
        sampling: {
          maxTokens,
          temperature,
          topP,
          topK,
          seed: seed === undefined ? undefined : seed % SEED_MODULUS,
          stop,
        },
        preference: hints.preference,
        provider: hints.provider,
        requestId: hints.requestId ?? `${c.get("requestId") ?? "req"}-${id.slice(-12)}`,
        approvalId: hints.approvalId,
        signal: AbortSignal.any([signal, c.req.raw.signal]),
        onText,
      });
    const meta = { id, created: Math.floor(Date.now() / 1_000), model: request.model };
    return answer(c, shapeOf(request.endpoint, meta), {
      stream: request.stream,
      includeUsage: request.includeUsage,
      flushIntervalMs: deps.sseFlushIntervalMs,
      async run(signal, onText) {
        const entry = deps.inFlight?.begin(); // SHUTTING_DOWN (503) once the node stops accepting
        try {
          return await purchase(
            entry === undefined ? signal : AbortSignal.any([signal, entry.signal]),
            onText,
          );
        } finally {
          entry?.end();
        }
      },
      outcome: (result: PurchaseResult): Outcome => ({
        text: result.text,
        finishReason: result.finishReason,
        usage: {
          prompt_tokens: result.promptTokens,
          completion_tokens: result.completionTokens,
          total_tokens: result.promptTokens + result.completionTokens,
        },
        xTirami: {
          trm_cost: result.amountTrm,
          effective_balance: result.effectiveBalanceTrm,
          trade_id: result.tradeId,
          provider: result.provider,
          price_trm_per_token: result.priceTrmPerToken,
          route: hints.preference,
        },
      }),
      onLateError: (error) =>
        deps.logger.error(
          { err: error, request_id: c.get("requestId") },
          `remote ${request.endpoint} stream failed`,
        ),
    });
  }
}

export type RemoteChat = ReturnType<typeof createRemoteChat>;
