/**
 * The consumer side of a remote purchase, through the ledger's spend path (`createSpendPath`):
 *
 * 0. the `infer_request` is encoded first: a request the wire refuses (proto's rules) fails with
 *    INVALID_REQUEST before anything is reserved or any peer contacted, and costs no provider anything;
 * 1. `spend()` runs the safety gate on the worst case `costTrm(max_tokens, offered price)` and reserves
 *    it on this node's account — a denial (kill switch, budget, approval) throws before any byte leaves
 *    the node;
 * 2. `run`: open `/tirami/infer/1.0.0` to the provider, send `infer_request` (with the quoted price) and
 *    read the exchange (`infer-session.ts`), passing each token chunk on as it arrives; an `infer_error`
 *    becomes a typed `MarketError` (402 for the provider's INSUFFICIENT_BALANCE and admission denials);
 * 3. the spend path builds the trade from what this node received (tokens from `infer_end`, its own
 *    quote, the proposal's timestamp and nonce) and asks the counterparty for its signature: here that is
 *    `checkProposal()` — a refusal sends `trade_reject` with the reason and fails (the hold is released,
 *    nothing moves);
 * 4. the spend path counter-signs and applies the trade against the hold; this node then sends
 *    `trade_accept` and — once the answer is handed back, off the client's path — gossips the dual-signed
 *    trade too (same bytes as the provider's gossip, so one gossip message), which also settles it at a
 *    provider that missed the accept.
 *
 * A provider that vanishes mid-stream fails `run`: the hold is released and nothing is charged.
 * @module
 */
import { closePurchase } from "./purchase-close.js";
import type { AccountId, Clock } from "@tirami/core";
import type { OutputFormat } from "@tirami/infer";
import type { SpendPath } from "@tirami/ledger";
import { type FramedStream, isNetError, type MeshHost } from "@tirami/net";
import {
  computeTradeId,
  decodeMessage,
  encodeMessage,
  INFER_PROTOCOL_ID,
  type InferError,
  type InferRequest,
  ProtoError,
  type SignedTrade,
  type Trade,
  type TradeRejectReason,
} from "@tirami/proto";
import { checkAnswerFormat } from "./check-answer.js";
import { checkProposal } from "./check-proposal.js";
import { INFER_STREAM_TIMEOUT_MS } from "./constants.js";
import { type FailureFault, MarketError, MarketErrorCode } from "./errors.js";
import { InferRefusal, InferSession, type InferSessionResult } from "./infer-session.js";
import type { LocalReputation } from "./reputation.js";

/** One chat turn as the mesh carries it. */
export interface RemoteChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Sampling of a remote request (defaults: temperature 0.7, top_p 1, top_k 0, random seed, no stops). */
export interface RemoteSampling {
  maxTokens: number;
  temperature?: number | undefined;
  topP?: number | undefined;
  topK?: number | undefined;
  /** 0 to 2^32 − 1. */
  seed?: number | undefined;
  stop?: string[] | undefined;
  /** Structured output the provider enforces by grammar and this node checks before it signs. */
  format?: OutputFormat | undefined;
}

/** What to generate: chat turns or a plain prompt. */
export type RemoteInput = { messages: RemoteChatMessage[] } | { prompt: string };

/** One remote purchase from a chosen provider. */
export interface PurchaseRequest {
  spender: string;
  provider: AccountId;
  modelId: string;
  priceTrmPerToken: number;
  input: RemoteInput;
  sampling: RemoteSampling;
  requestId: string;
  approvalId?: string | undefined;
  signal?: AbortSignal | undefined;
  onText?: ((text: string) => void) | undefined;
}

/** What a remote purchase returns. */
export interface PurchaseResult {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: "stop" | "length";
  provider: AccountId;
  modelId: string;
  priceTrmPerToken: number;
  amountTrm: number;
  tradeId: string | null;
  signedTrade: SignedTrade | null;
  effectiveBalanceTrm: number;
}

export interface ConsumerDeps {
  host: MeshHost;
  spend: SpendPath;
  clock: Clock;
  reputation: LocalReputation;
  publishTrade(signed: SignedTrade): Promise<unknown>;
  /** Counts purchases in flight (the demand input of pricing). */
  inFlight: { begin(): void; end(): void };
  onTradeApplied?(signed: SignedTrade): void;
}

interface Received extends InferSessionResult {
  tradeTimestampMs?: number;
  tradeNonce?: string;
}

const SEED_MAX = 0xffff_ffff;

/** A provider's `infer_error` as the typed error a buyer sees (402 for balance and admission refusals). */
export function refusalToMarket(error: InferError): MarketError {
  const details = {
    provider_code: error.code,
    ...(error.retry_after_ms === undefined ? {} : { retry_after_ms: error.retry_after_ms }),
  };
  switch (error.code) {
    case "INSUFFICIENT_BALANCE":
      return new MarketError(MarketErrorCode.INSUFFICIENT_BALANCE, `provider refused: ${error.message}`, {
        details,
      });
    case "DENIED":
      return new MarketError(MarketErrorCode.PROVIDER_REFUSED_CREDIT, `provider refused: ${error.message}`, {
        details: { ...details, reason: error.message.split(/[ :(]/)[0] },
      });
    case "BUSY":
      return new MarketError(MarketErrorCode.PROVIDER_BUSY, `provider busy: ${error.message}`, { details });
    case "INVALID_REQUEST":
      return new MarketError(
        MarketErrorCode.PROVIDER_INVALID_REQUEST,
        `provider rejected the request: ${error.message}`,
        { details },
      );
    default:
      return new MarketError(MarketErrorCode.PROVIDER_FAILED, `provider failed: ${error.message}`, {
        details,
      });
  }
}

/** The `infer_request` this node sends for `request`. */
function inferRequestOf(request: PurchaseRequest, consumer: AccountId, nowMs: number): InferRequest {
  const { sampling } = request;
  return {
    kind: "infer_request",
    request_id: request.requestId,
    consumer,
    model_id: request.modelId,
    ...("messages" in request.input
      ? { messages: request.input.messages }
      : { prompt: request.input.prompt }),
    max_tokens: sampling.maxTokens,
    temperature: sampling.temperature ?? 0.7,
    top_p: sampling.topP ?? 1,
    top_k: sampling.topK ?? 0,
    seed: sampling.seed ?? Math.floor(Math.random() * SEED_MAX),
    stop: sampling.stop ?? [],
    ...(sampling.format === undefined
      ? {}
      : {
          response_format:
            sampling.format.type === "json_object"
              ? { type: "json_object" as const }
              : { type: "json_schema" as const, schema: JSON.stringify(sampling.format.schema) },
        }),
    price_trm_per_token: request.priceTrmPerToken,
    timestamp_ms: nowMs,
  };
}

/** The consumer: buys one completion from one provider. */
export function createConsumer(deps: ConsumerDeps) {
  const self = deps.spend.account;

  /**
   * The `infer_request` frame of `request`, encoded before anything is reserved or any peer contacted.
   * @throws {MarketError} INVALID_REQUEST (fault `request`) naming the field the wire refuses.
   */
  function frameOf(request: PurchaseRequest): Uint8Array {
    try {
      return encodeMessage(inferRequestOf(request, self, deps.clock.nowMs()));
    } catch (error) {
      if (!(error instanceof ProtoError)) throw error;
      throw new MarketError(MarketErrorCode.INVALID_REQUEST, `request cannot be sent: ${error.message}`, {
        cause: error,
        details: { fault: "request" satisfies FailureFault, field: error.details?.field },
      });
    }
  }

  /** Opens the stream and sends the request; an unreachable provider is marked `started: false`. */
  async function open(
    request: PurchaseRequest,
    frame: Uint8Array,
    signal: AbortSignal,
  ): Promise<FramedStream> {
    try {
      const stream = await deps.host.request(request.provider, INFER_PROTOCOL_ID, {
        signal,
        timeoutMs: INFER_STREAM_TIMEOUT_MS,
      });
      await stream.send(frame);
      return stream;
    } catch (error) {
      throw new MarketError(
        MarketErrorCode.PROVIDER_FAILED,
        `provider unreachable: ${(error as Error).message}`,
        {
          cause: error,
          details: { provider: request.provider, started: false, fault: "network" satisfies FailureFault },
        },
      );
    }
  }

  /** Reads the exchange to its end; a client that leaves yields what arrived, with nothing to pay. */
  async function read(
    stream: FramedStream,
    request: PurchaseRequest,
    signal: AbortSignal,
  ): Promise<Received> {
    const session = new InferSession(request.requestId);
    try {
      for await (const frame of stream) {
        const text = session.accept(decodeMessage(frame, session.expects()));
        if (text !== "") request.onText?.(text);
        if (session.phase === "done") break;
      }
      if (session.phase !== "done")
        throw new Error("the provider closed the stream before proposing the trade");
    } catch (error) {
      stream.abort();
      if (error instanceof InferRefusal) throw refusalToMarket(error.error);
      if (signal.aborted) return { ...session.result(), completionTokens: 0, proposal: undefined };
      // This node's own mesh stopping under the stream is not the provider's doing.
      const fault: FailureFault = deps.host.started ? "provider" : "consumer";
      if (fault === "provider") deps.reputation.failure(request.provider, 2);
      throw new MarketError(
        MarketErrorCode.PROVIDER_FAILED,
        `provider failed mid-stream: ${(error as Error).message}`,
        {
          cause: error,
          details: {
            provider: request.provider,
            started: true,
            fault,
            net_code: isNetError(error) ? error.code : undefined,
          },
        },
      );
    }
    const result = session.result();
    return result.proposal === undefined
      ? result
      : {
          ...result,
          tradeTimestampMs: result.proposal.trade.timestamp_ms,
          tradeNonce: result.proposal.trade.nonce,
        };
  }

  async function purchase(request: PurchaseRequest): Promise<PurchaseResult> {
    let stream: FramedStream | undefined;
    let received: Received | undefined;
    let closedCleanly = false;

    /** Tells the provider why its proposal is refused, half-closes (a reset would drop the reject), fails. */
    async function reject(proposal: Trade, reason: TradeRejectReason, message: string): Promise<never> {
      await stream
        ?.send(encodeMessage({ kind: "trade_reject", trade_id: computeTradeId(proposal), reason, message }))
        .catch(() => undefined);
      await stream?.close().catch(() => undefined);
      closedCleanly = true;
      deps.reputation.failure(request.provider, 2);
      throw new MarketError(
        MarketErrorCode.TRADE_REJECTED,
        `refused to sign the provider's trade: ${reason}: ${message}`,
        { details: { reason, provider: request.provider, fault: "provider" satisfies FailureFault } },
      );
    }

    async function signTrade(trade: Trade): Promise<string> {
      const proposal = received?.proposal;
      if (received === undefined || proposal === undefined)
        throw new MarketError(MarketErrorCode.PROVIDER_FAILED, "no trade proposal was received");
      const rejection = checkProposal(proposal, {
        provider: request.provider,
        consumer: self,
        modelId: request.modelId,
        requestId: request.requestId,
        priceTrmPerToken: request.priceTrmPerToken,
        maxTokens: request.sampling.maxTokens,
        promptTokens: received.promptTokens,
        completionTokens: received.completionTokens,
        receivedText: received.text.length > 0,
        trade,
        nowMs: deps.clock.nowMs(),
      });
      if (rejection !== null) return reject(proposal.trade, rejection.reason, rejection.message);
      const format = request.sampling.format;
      const invalid =
        format === undefined
          ? null
          : checkAnswerFormat(format, {
              text: received.text,
              finishReason: received.finishReason,
              completionTokens: received.completionTokens,
              maxTokens: request.sampling.maxTokens,
            });
      if (invalid !== null) return reject(proposal.trade, "INVALID_OUTPUT", invalid);
      return proposal.provider_signature;
    }

    const frame = frameOf(request);
    deps.inFlight.begin();
    try {
      const outcome = await deps.spend.spend<Received>({
        spender: request.spender,
        counterparty: { account: request.provider, signTrade },
        modelId: request.modelId,
        priceTrmPerToken: request.priceTrmPerToken,
        maxTokens: request.sampling.maxTokens,
        requestId: request.requestId,
        approvalId: request.approvalId,
        reason: `remote inference ${request.modelId}`,
        async run(signal) {
          stream = await open(request, frame, signal);
          received = await read(stream, request, signal);
          return received;
        },
        signal: request.signal,
      });
      const signed = outcome.signedTrade;
      await closePurchase(deps, stream, signed, request.provider);
      return {
        text: outcome.work.text,
        promptTokens: outcome.work.promptTokens,
        completionTokens: outcome.work.completionTokens,
        finishReason: outcome.work.finishReason,
        provider: request.provider,
        modelId: request.modelId,
        priceTrmPerToken: request.priceTrmPerToken,
        amountTrm: outcome.amountTrm,
        tradeId: outcome.tradeId,
        signedTrade: signed,
        effectiveBalanceTrm: outcome.effectiveBalanceTrm,
      };
    } catch (error) {
      if (!closedCleanly) stream?.abort();
      throw error;
    } finally {
      deps.inFlight.end();
    }
  }

  return { purchase };
}

export type Consumer = ReturnType<typeof createConsumer>;
