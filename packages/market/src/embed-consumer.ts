/**
 * Buying embeddings from one provider, through the ledger's spend path exactly as a completion is bought
 * (consumer.ts), priced per input token (`pricedBy: "prompt"`): the gate and the hold see the worst case
 * `costTrm(maxInputTokens, price)`; the exchange (`embed-session.ts`) must deliver one vector per input
 * and `embed_end`; the provider's proposal is checked against the input tokens it reported and the quote
 * (`checkProposal`), then counter-signed, applied and gossiped. A refusal sends `trade_reject` and
 * nothing moves.
 * @module
 */
import type { AccountId } from "@tirami/core";
import { type FramedStream, isNetError } from "@tirami/net";
import {
  computeTradeId,
  decodeMessage,
  EMBED_PROTOCOL_ID,
  encodeMessage,
  type Trade,
  type TradeRejectReason,
} from "@tirami/proto";
import { checkProposal } from "./check-proposal.js";
import { INFER_STREAM_TIMEOUT_MS } from "./constants.js";
import { type ConsumerDeps, refusalToMarket } from "./consumer.js";
import { closePurchase } from "./purchase-close.js";
import { EmbedSession, type EmbedSessionResult } from "./embed-session.js";
import { MarketError, MarketErrorCode } from "./errors.js";
import { InferRefusal } from "./infer-session.js";

/** One embeddings purchase from a chosen provider. */
export interface EmbeddingPurchaseRequest {
  spender: string;
  provider: AccountId;
  modelId: string;
  /** TRM per input token (the provider's offered price). */
  priceTrmPerToken: number;
  inputs: string[];
  /** Most input tokens this purchase pays for (its hold); a provider counting more refuses. */
  maxInputTokens: number;
  requestId: string;
  approvalId?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** What an embeddings purchase returns. */
export interface EmbeddingPurchaseResult {
  vectors: number[][];
  promptTokens: number;
  dimensions: number;
  provider: AccountId;
  modelId: string;
  priceTrmPerToken: number;
  amountTrm: number;
  tradeId: string | null;
  effectiveBalanceTrm: number;
}

interface Received extends EmbedSessionResult {
  completionTokens: 0;
  tradeTimestampMs?: number;
  tradeNonce?: string;
}

/** The embeddings buyer of one market. */
export function createEmbeddingConsumer(deps: ConsumerDeps) {
  const self = deps.spend.account;

  async function open(request: EmbeddingPurchaseRequest, signal: AbortSignal): Promise<FramedStream> {
    try {
      const stream = await deps.host.request(request.provider, EMBED_PROTOCOL_ID, {
        signal,
        timeoutMs: INFER_STREAM_TIMEOUT_MS,
      });
      await stream.send(
        encodeMessage({
          kind: "embed_request",
          request_id: request.requestId,
          consumer: self,
          model_id: request.modelId,
          inputs: request.inputs,
          max_input_tokens: request.maxInputTokens,
          price_trm_per_token: request.priceTrmPerToken,
          timestamp_ms: deps.clock.nowMs(),
        }),
      );
      return stream;
    } catch (error) {
      throw new MarketError(
        MarketErrorCode.PROVIDER_FAILED,
        `provider unreachable: ${(error as Error).message}`,
        {
          cause: error,
          details: { provider: request.provider, started: false },
        },
      );
    }
  }

  async function read(stream: FramedStream, request: EmbeddingPurchaseRequest): Promise<Received> {
    const session = new EmbedSession(request.requestId, request.inputs.length);
    try {
      for await (const frame of stream) {
        session.accept(decodeMessage(frame, session.expects()));
        if (session.phase === "done") break;
      }
      if (session.phase !== "done")
        throw new Error("the provider closed the stream before proposing the trade");
    } catch (error) {
      stream.abort();
      if (error instanceof InferRefusal) throw refusalToMarket(error.error);
      deps.reputation.failure(request.provider, 2);
      throw new MarketError(
        MarketErrorCode.PROVIDER_FAILED,
        `provider failed mid-stream: ${(error as Error).message}`,
        {
          cause: error,
          details: {
            provider: request.provider,
            started: true,
            net_code: isNetError(error) ? error.code : undefined,
          },
        },
      );
    }
    const result = session.result();
    const proposal = result.proposal as NonNullable<EmbedSessionResult["proposal"]>;
    return {
      ...result,
      completionTokens: 0,
      tradeTimestampMs: proposal.trade.timestamp_ms,
      tradeNonce: proposal.trade.nonce,
    };
  }

  /** Buys the embeddings of `request.inputs` from `request.provider`. @throws {MarketError} and the spend path's denials. */
  async function purchase(request: EmbeddingPurchaseRequest): Promise<EmbeddingPurchaseResult> {
    let stream: FramedStream | undefined;
    let received: Received | undefined;
    let closedCleanly = false;

    async function reject(proposal: Trade, reason: TradeRejectReason, message: string): Promise<never> {
      await stream
        ?.send(
          encodeMessage({
            kind: "trade_reject",
            trade_id: computeTradeId(proposal),
            reason,
            message,
          }),
        )
        .catch(() => undefined);
      await stream?.close().catch(() => undefined);
      closedCleanly = true;
      deps.reputation.failure(request.provider, 2);
      throw new MarketError(
        MarketErrorCode.TRADE_REJECTED,
        `refused to sign the provider's trade: ${reason}: ${message}`,
        {
          details: { reason, provider: request.provider },
        },
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
        maxTokens: request.maxInputTokens,
        pricedBy: "prompt",
        promptTokens: received.promptTokens,
        completionTokens: 0,
        receivedText: false,
        trade,
        nowMs: deps.clock.nowMs(),
      });
      if (rejection !== null) return reject(proposal.trade, rejection.reason, rejection.message);
      return proposal.provider_signature;
    }

    deps.inFlight.begin();
    try {
      const outcome = await deps.spend.spend<Received>({
        spender: request.spender,
        counterparty: { account: request.provider, signTrade },
        modelId: request.modelId,
        priceTrmPerToken: request.priceTrmPerToken,
        maxTokens: request.maxInputTokens,
        pricedBy: "prompt",
        requestId: request.requestId,
        approvalId: request.approvalId,
        reason: `remote embeddings ${request.modelId}`,
        async run(signal) {
          stream = await open(request, signal);
          received = await read(stream, request);
          return received;
        },
        signal: request.signal,
      });
      const signed = outcome.signedTrade;
      await closePurchase(deps, stream, signed, request.provider);
      return {
        vectors: outcome.work.vectors,
        promptTokens: outcome.work.promptTokens,
        dimensions: outcome.work.dimensions,
        provider: request.provider,
        modelId: request.modelId,
        priceTrmPerToken: request.priceTrmPerToken,
        amountTrm: outcome.amountTrm,
        tradeId: outcome.tradeId,
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
