/**
 * Runs one local generation for a principal (docs/architecture.md §2 self-use): the node's own model serving its
 * operator or one of its agents. It is metered per spender (requests, prompt and completion tokens) and
 * moves no TRM, so `x_tirami.trm_cost` is 0 and there is no trade. The generation is tracked for graceful
 * shutdown and aborted when the client goes away.
 * @module
 */
import type { AccountId, Clock } from "@tirami/core";
import type { UsageMeter } from "../agents/usage.js";
import type { ChatMessage, GenerationResult } from "@tirami/infer";
import type { RemoteSampling } from "@tirami/market";
import type { EnginePort } from "../deps.js";
import type { InFlight } from "../in-flight.js";
import type { NodeMetrics } from "../metrics.js";
import { type Principal, spenderOf } from "../principal.js";

/** The Tirami extension carried by every OpenAI-shaped response (docs/architecture.md §8). */
export interface XTirami {
  trm_cost: number;
  effective_balance: number | null;
  trade_id: string | null;
  provider: string;
}

/** What a local generation needs. */
export interface LocalGenerationDeps {
  inFlight: InFlight;
  metrics: NodeMetrics;
  usage: UsageMeter;
  clock: Clock;
  localAccount: AccountId;
  /** The node account's effective balance, or null when the ledger cannot say. */
  effectiveBalance(): number | null;
}

/** One request to the local model. */
export interface LocalGenerationRequest {
  principal: Principal;
  endpoint: "chat" | "completions";
  engine: EnginePort;
  input: { messages: ChatMessage[] } | { prompt: string };
  /** The same sampling a purchase from the mesh carries. */
  sampling: RemoteSampling;
  /** Aborts when the client goes away. */
  clientSignal: AbortSignal;
  onText?: ((text: string) => void) | undefined;
}

/**
 * Generates, meters and returns the result with its `x_tirami`.
 * @throws whatever the engine throws (ENGINE_BUSY, CONTEXT_LENGTH_EXCEEDED, …) and SHUTTING_DOWN.
 */
export async function runLocalGeneration(
  deps: LocalGenerationDeps,
  request: LocalGenerationRequest,
): Promise<{ result: GenerationResult; xTirami: XTirami }> {
  const entry = deps.inFlight.begin();
  const onClientAbort = (): void => entry.abort("client disconnected");
  if (request.clientSignal.aborted) onClientAbort();
  else request.clientSignal.addEventListener("abort", onClientAbort, { once: true });
  const startedNs = process.hrtime.bigint();
  const elapsedS = (): number => Number(process.hrtime.bigint() - startedNs) / 1e9;
  let firstToken = true;
  const { maxTokens, temperature, topP, topK, seed, stop, format } = request.sampling;
  const options = {
    max_tokens: maxTokens,
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { top_p: topP }),
    ...(topK === undefined ? {} : { top_k: topK }),
    ...(seed === undefined ? {} : { seed }),
    ...(stop === undefined ? {} : { stop }),
    ...(format === undefined ? {} : { format }),
    signal: entry.signal,
    onText: (text: string) => {
      if (firstToken) {
        firstToken = false;
        deps.metrics.timeToFirstToken.observe({ endpoint: request.endpoint }, elapsedS());
      }
      request.onText?.(text);
    },
  };
  try {
    const result =
      "messages" in request.input
        ? await request.engine.chat(request.input.messages, options)
        : await request.engine.generate(request.input.prompt, options);
    deps.metrics.generationDuration.observe({ endpoint: request.endpoint }, elapsedS());
    const spenderKind = request.principal.kind;
    deps.metrics.tokens.inc({ kind: "prompt", spender_kind: spenderKind }, result.prompt_tokens);
    deps.metrics.tokens.inc({ kind: "completion", spender_kind: spenderKind }, result.completion_tokens);
    deps.usage.record(spenderOf(request.principal), {
      promptTokens: result.prompt_tokens,
      completionTokens: result.completion_tokens,
      spentTrm: 0,
    });
    return {
      result,
      xTirami: {
        trm_cost: 0,
        effective_balance: deps.effectiveBalance(),
        trade_id: null,
        provider: deps.localAccount,
      },
    };
  } finally {
    request.clientSignal.removeEventListener("abort", onClientAbort);
    entry.end();
  }
}
