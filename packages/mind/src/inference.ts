/**
 * How the mind gets answers: from this node's own model when it serves the model a task is routed to
 * and no provider is named (self-use: free, no trade), else bought from the mesh with `market.buy` as the `mind` spender — through
 * the ledger's spend path and its one safety gate, settled by a dual-signed trade whose amount is the
 * answer's cost. Every request is greedy (temperature 0) with a fixed seed, so a benchmark is
 * reproducible on the same model. `worstCaseTrm` is what the spend path will hold for a purchase (its
 * `maxTokens` × the dearest candidate's price), which the mind checks against its budget first.
 * @module
 */
import { type AccountId, costTrm } from "@tirami/core";
import type { ChatMessage, Engine } from "@tirami/infer";
import type { Market, RoutePreference } from "@tirami/market";
import { MIND_SPENDER, SAMPLING_SEED } from "./constants.js";
import { MindError, MindErrorCode } from "./errors.js";

/** One request for an answer. */
export interface InferenceCall {
  modelId: string;
  messages: ChatMessage[];
  maxTokens: number;
  /** The trade's request id when bought (printable ASCII, no spaces, ≤ 128). */
  requestId: string;
  signal?: AbortSignal | undefined;
}

/** An answer and what it cost. */
export interface InferenceAnswer {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: "stop" | "length" | "abort";
  /** TRM paid (0 when answered locally or when nothing was received). */
  amountTrm: number;
  tradeId: string | null;
  /** The provider that sold it; null when answered locally. */
  provider: AccountId | null;
}

/** Where the mind's answers come from. */
export interface MindInference {
  /**
   * The most `call` can cost: 0 locally; bought, `costTrm(maxTokens, dearest candidate's price)`.
   * @throws {MindError} NO_MODEL_FOR_ROUTE when no local model or live offer serves the model.
   */
  worstCaseTrm(call: Pick<InferenceCall, "modelId" | "maxTokens">): number;
  /** Answers `call`; a purchase throws the market's and the spend path's errors (gate denials included). */
  complete(call: InferenceCall): Promise<InferenceAnswer>;
}

/** The engine calls the mind makes. */
export type MindEngine = Pick<Engine, "manifest" | "chat">;

/** The market calls the mind makes. */
export type MindMarket = Pick<Market, "buy" | "route">;

export interface MindInferenceOptions {
  /** This node's model, if any (self-use). */
  engine?: (() => MindEngine | undefined) | undefined;
  /** The mesh, if running (purchases). */
  market?: (() => MindMarket | undefined) | undefined;
  /** How purchases are routed (default `balanced`). */
  preference?: RoutePreference | undefined;
  /** Buy only from this provider (it must offer the model). */
  provider?: AccountId | undefined;
  /** The spender purchases are made as (default `MIND_SPENDER`). */
  spender?: string | undefined;
}

/** Builds the mind's inference over a local engine and/or the mesh. */
export function createMindInference(options: MindInferenceOptions): MindInference {
  const preference = options.preference ?? "balanced";
  const spender = options.spender ?? MIND_SPENDER;
  // A named provider means "buy from it", even when this node serves the model itself.
  const local = (modelId: string): MindEngine | undefined => {
    if (options.provider !== undefined) return undefined;
    const engine = options.engine?.();
    return engine?.manifest.id === modelId ? engine : undefined;
  };

  function candidatesOf(modelId: string) {
    const market = options.market?.();
    const candidates = market?.route(modelId, preference) ?? [];
    const chosen =
      options.provider === undefined ? candidates : candidates.filter((c) => c.provider === options.provider);
    if (market === undefined || chosen.length === 0)
      throw new MindError(
        MindErrorCode.NO_MODEL_FOR_ROUTE,
        `model "${modelId}" is neither loaded here nor offered in the mesh${options.provider === undefined ? "" : ` by ${options.provider}`}`,
        { details: { model: modelId } },
      );
    return { market, chosen };
  }

  return {
    worstCaseTrm({ modelId, maxTokens }) {
      if (local(modelId) !== undefined) return 0;
      const { chosen } = candidatesOf(modelId);
      return Math.max(...chosen.map((c) => costTrm(maxTokens, c.price_trm_per_token)));
    },

    async complete(call) {
      const engine = local(call.modelId);
      if (engine !== undefined) {
        const result = await engine.chat(call.messages, {
          max_tokens: call.maxTokens,
          temperature: 0,
          seed: SAMPLING_SEED,
          ...(call.signal === undefined ? {} : { signal: call.signal }),
        });
        return {
          text: result.text,
          promptTokens: result.prompt_tokens,
          completionTokens: result.completion_tokens,
          finishReason: result.finish_reason,
          amountTrm: 0,
          tradeId: null,
          provider: null,
        };
      }
      const { market } = candidatesOf(call.modelId);
      const result = await market.buy({
        spender,
        modelId: call.modelId,
        input: { messages: call.messages },
        sampling: { maxTokens: call.maxTokens, temperature: 0, seed: SAMPLING_SEED },
        preference,
        provider: options.provider,
        requestId: call.requestId,
        signal: call.signal,
      });
      return {
        text: result.text,
        promptTokens: result.promptTokens,
        completionTokens: result.completionTokens,
        finishReason: result.finishReason,
        amountTrm: result.amountTrm,
        tradeId: result.tradeId,
        provider: result.provider,
      };
    },
  };
}
