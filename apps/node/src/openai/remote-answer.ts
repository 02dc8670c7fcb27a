/**
 * Answers an OpenAI request by buying it from the mesh — the twin of `local-answer.ts`. The market
 * (`@tirami/market`) routes it to the best provider in its offer book, through the ledger's spend path
 * (safety gate, hold, dual-signed trade), and the answer is shaped for its endpoint (`answer.ts`) exactly
 * like a local one, streamed (SSE) or not, with `x_tirami` carrying the real cost, the trade id and the
 * provider. The routing hints were read at the boundary (`route-hints.ts`). The purchase is one in-flight
 * entry of the node, taken by its spend path (drained on shutdown); the client leaving aborts it.
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { Context } from "hono";
import type { Logger } from "pino";
import { type Market, MarketError, MarketErrorCode, type PurchaseResult } from "@tirami/market";
import type { NodeMetrics } from "../metrics.js";
import { type AppEnv, spenderOf } from "../principal.js";
import { answer, type AnswerRequest, type Outcome, shapeOf } from "./answer.js";
import { responseId } from "./request.js";
import { logAnswer } from "./request-log.js";
import type { StreamSettings } from "./stream.js";
import { WIRE_SEED_MODULUS } from "./wire-input.js";

/** What a remote answer needs. */
export interface RemoteAnswerDeps extends StreamSettings {
  market(): Market | undefined;
  /** The id of the locally loaded model, if any. */
  localModel(): string | undefined;
  logger: Logger;
  metrics?: Pick<NodeMetrics, "meshRequests"> | undefined;
}

/**
 * True when `request` goes to the mesh: the model is not served locally but is offered in the mesh, or a
 * route or provider was asked for explicitly and another node offers the model.
 */
export function wantsRemote(deps: RemoteAnswerDeps, request: AnswerRequest): boolean {
  const market = deps.market();
  if (market === undefined) return false;
  const local = deps.localModel() === request.model;
  if (local && !request.route.explicit) return false;
  return !local || market.servesRemotely(request.model);
}

/** The OpenAI outcome of a purchase. */
function remoteOutcome(result: PurchaseResult, route: string): Outcome {
  return {
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
      route,
    },
  };
}

/**
 * Buys `request` from the mesh and answers.
 * @throws {MarketError} MESH_DISABLED when the mesh is not running; the market's and the spend path's
 *   errors before streaming starts.
 */
export function answerRemotely(
  c: Context<AppEnv>,
  deps: RemoteAnswerDeps,
  request: AnswerRequest,
): Promise<Response> {
  const market = deps.market();
  if (market === undefined)
    throw new MarketError(MarketErrorCode.MESH_DISABLED, "the mesh is not running on this node");
  const { route } = request;
  const id = responseId(request.endpoint === "chat" ? "chatcmpl" : "cmpl");
  const { maxTokens, temperature, topP, topK, seed, stop, format } = request.sampling;
  let provider: AccountId | undefined;
  return answer(
    c,
    (request.shape ?? ((meta) => shapeOf(request.endpoint, meta)))({
      id,
      created: Math.floor(Date.now() / 1_000),
      model: request.model,
    }),
    {
      stream: request.stream,
      includeUsage: request.includeUsage,
      flushIntervalMs: deps.sseFlushIntervalMs,
      async run(signal, onText) {
        let outcome = "error";
        try {
          const result = await market.buy({
            spender: spenderOf(c.get("principal")),
            modelId: request.model,
            input: request.input,
            sampling: {
              maxTokens,
              temperature,
              topP,
              topK,
              seed: seed === undefined ? undefined : seed % WIRE_SEED_MODULUS,
              stop,
              format,
            },
            preference: route.preference,
            provider: route.provider,
            requestId: route.requestId ?? `${c.get("requestId") ?? "req"}-${id.slice(-12)}`,
            approvalId: route.approvalId,
            signal: AbortSignal.any([signal, c.req.raw.signal]),
            onText,
          });
          outcome = "ok";
          provider = result.provider;
          return result;
        } finally {
          deps.metrics?.meshRequests.inc({ role: "bought", outcome });
        }
      },
      outcome: (result: PurchaseResult) => remoteOutcome(result, route.preference),
      tools: request.tools,
      onAnswered: (outcome, timing) =>
        logAnswer(
          deps.logger,
          {
            requestId: c.get("requestId"),
            endpoint: request.endpoint,
            who: spenderOf(c.get("principal")),
            model: request.model,
            servedBy: provider ?? "local",
          },
          outcome,
          timing,
        ),
      onLateError: (error) =>
        deps.logger.error(
          { err: error, request_id: c.get("requestId") },
          `remote ${request.endpoint} stream failed`,
        ),
    },
  );
}
