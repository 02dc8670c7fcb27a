/**
 * The consumer side of a remote purchase, through the node's spend path (`src/spend/`):
 *
 * 1. `spend()` runs the safety gate on the worst case `costTrm(max_tokens, offered price)` and reserves
 *    it on this node's account — a denial (kill switch, budget, approval) throws before any byte leaves
 *    the node;
 * 2. `run`: open `/tirami/infer/1.0.0` to the provider, send `infer_request` (with the quoted price),
 *    read `token_chunk`s in index order (each passed on to the HTTP client as it arrives), `infer_end`
 *    and the provider-signed `trade_proposal`; an `infer_error` becomes a typed `MeshError` (402 for the
 *    provider's INSUFFICIENT_BALANCE and admission denials);
 * 3. the spend path builds the trade from what this node received (tokens from `infer_end`, its own quote,
 *    the proposal's timestamp and nonce) and asks the counterparty for its signature: here that checks the
 *    proposal field by field — accounts, model, request id, fresh timestamp, price = quote
 *    (PRICE_MISMATCH), token counts = `infer_end` and ≤ max_tokens (TOKENS_MISMATCH), amount =
 *    `costTrm(completion_tokens, quote)` (AMOUNT_MISMATCH), identical trade id, valid provider signature
 *    (INVALID_SIGNATURE) — and either returns the provider's signature or sends `trade_reject` with the
 *    reason and fails (the hold is released, nothing moves);
 * 4. the spend path counter-signs and applies the trade against the hold; this node then sends
 *    `trade_accept` and gossips the dual-signed trade too (same bytes as the provider's gossip, so one
 *    gossip message), which also settles it at a provider that missed the accept.
 *
 * A provider that vanishes mid-stream fails `run`: the hold is released and nothing is charged.
 * @module
 */
import { type AccountId, type Clock, costTrm, type Signer, verifySignature, fromHex } from "@tirami/core";
import { isNetError, type MeshHost } from "@tirami/net";
import {
  computeTradeId,
  decodeMessage,
  encodeMessage,
  INFER_PROTOCOL_ID,
  type InferError,
  type InferRequest,
  type SignedTrade,
  type Trade,
  tradeCanonicalBytes,
  type TradeRejectReason,
} from "@tirami/proto";
import type { SpendPath, SpendWork } from "../spend/spend.js";
import { INFER_STREAM_TIMEOUT_MS, PROPOSAL_CLOCK_SKEW_MS } from "./constants.js";
import { MeshError, MeshErrorCode } from "./errors.js";
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
  seed?: number | undefined;
  stop?: string[] | undefined;
}

/** One remote purchase from a chosen provider. */
export interface PurchaseRequest {
  spender: string;
  provider: AccountId;
  modelId: string;
  priceTrmPerToken: number;
  input: { messages: RemoteChatMessage[] } | { prompt: string };
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
  signer: Signer;
  clock: Clock;
  reputation: LocalReputation;
  publishTrade(signed: SignedTrade): Promise<unknown>;
  inFlight: { begin(): void; end(): void };
  onTradeApplied?(signed: SignedTrade): void;
}

interface Received extends SpendWork {
  text: string;
  finishReason: "stop" | "length";
  proposal: { trade: Trade; provider_signature: string } | undefined;
  tradeTimestampMs?: number;
  tradeNonce?: string;
}

const SEED_MAX = 0xffff_ffff;

function inferErrorToMesh(error: InferError): MeshError {
  const details = {
    provider_code: error.code,
    ...(error.retry_after_ms === undefined ? {} : { retry_after_ms: error.retry_after_ms }),
  };
  switch (error.code) {
    case "INSUFFICIENT_BALANCE":
      return new MeshError(MeshErrorCode.INSUFFICIENT_BALANCE, `provider refused: ${error.message}`, {
        details,
      });
    case "DENIED":
      return new MeshError(MeshErrorCode.PROVIDER_REFUSED_CREDIT, `provider refused: ${error.message}`, {
        details: { ...details, reason: error.message.split(/[ :(]/)[0] },
      });
    case "BUSY":
      return new MeshError(MeshErrorCode.PROVIDER_BUSY, `provider busy: ${error.message}`, { details });
    case "INVALID_REQUEST":
      return new MeshError(
        MeshErrorCode.PROVIDER_INVALID_REQUEST,
        `provider rejected the request: ${error.message}`,
        { details },
      );
    default:
      return new MeshError(MeshErrorCode.PROVIDER_FAILED, `provider failed: ${error.message}`, { details });
  }
}

/** The consumer: buys one completion from one provider. */
export function createConsumer(deps: ConsumerDeps) {
  const self = deps.signer.accountId;

  async function purchase(request: PurchaseRequest): Promise<PurchaseResult> {
    const { sampling } = request;
    const inferRequest: InferRequest = {
      kind: "infer_request",
      request_id: request.requestId,
      consumer: self,
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
      price_trm_per_token: request.priceTrmPerToken,
      timestamp_ms: deps.clock.nowMs(),
    };
    let stream: Awaited<ReturnType<MeshHost["request"]>> | undefined;
    let received: Received | undefined;
    let closedCleanly = false;

    async function reject(reason: TradeRejectReason, message: string, proposal: Trade): Promise<never> {
      await stream
        ?.send(encodeMessage({ kind: "trade_reject", trade_id: computeTradeId(proposal), reason, message }))
        .catch(() => undefined);
      // Half-close cleanly and do not reset afterwards: a reset would drop the reject before it is read.
      await stream?.close().catch(() => undefined);
      closedCleanly = true;
      deps.reputation.failure(request.provider, 2);
      throw new MeshError(
        MeshErrorCode.TRADE_REJECTED,
        `refused to sign the provider's trade: ${reason}: ${message}`,
        {
          details: { reason, provider: request.provider },
        },
      );
    }

    async function run(signal: AbortSignal): Promise<Received> {
      try {
        stream = await deps.host.request(request.provider, INFER_PROTOCOL_ID, {
          signal,
          timeoutMs: INFER_STREAM_TIMEOUT_MS,
        });
        await stream.send(encodeMessage(inferRequest));
      } catch (error) {
        throw new MeshError(
          MeshErrorCode.PROVIDER_FAILED,
          `provider unreachable: ${(error as Error).message}`,
          {
            cause: error,
            details: { provider: request.provider, started: false },
          },
        );
      }
      const out: Received = {
        text: "",
        promptTokens: 0,
        completionTokens: 0,
        finishReason: "stop",
        proposal: undefined,
      };
      let ended = false;
      let nextIndex = 0;
      try {
        for await (const frame of stream) {
          const message = decodeMessage(
            frame,
            ended ? ["trade_proposal"] : ["token_chunk", "infer_end", "infer_error"],
          );
          if (message.kind === "infer_error") throw inferErrorToMesh(message);
          if (message.kind === "token_chunk") {
            if (message.request_id !== request.requestId) throw new Error("token chunk of another request");
            if (message.index !== nextIndex)
              throw new Error(`token chunk ${message.index} arrived, expected ${nextIndex}`);
            nextIndex += 1;
            out.text += message.text;
            request.onText?.(message.text);
          } else if (message.kind === "infer_end") {
            if (message.request_id !== request.requestId) throw new Error("infer_end of another request");
            out.promptTokens = message.prompt_tokens;
            out.completionTokens = message.completion_tokens;
            out.finishReason = message.finish_reason;
            ended = true;
            if (message.completion_tokens === 0) return out; // nothing to pay, no proposal follows
          } else {
            out.proposal = { trade: message.trade, provider_signature: message.provider_signature };
            out.tradeTimestampMs = message.trade.timestamp_ms;
            out.tradeNonce = message.trade.nonce;
            received = out;
            return out;
          }
        }
        throw new Error("the provider closed the stream before proposing the trade");
      } catch (error) {
        if (error instanceof MeshError) {
          stream.abort();
          throw error;
        }
        stream.abort();
        if (signal.aborted) return { ...out, completionTokens: 0, proposal: undefined }; // client left: no trade
        deps.reputation.failure(request.provider, 2);
        throw new MeshError(
          MeshErrorCode.PROVIDER_FAILED,
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
    }

    async function signTrade(trade: Trade): Promise<string> {
      const proposal = received?.proposal;
      if (received === undefined || proposal === undefined)
        throw new MeshError(MeshErrorCode.PROVIDER_FAILED, "no trade proposal was received");
      const p = proposal.trade;
      if (
        p.provider !== request.provider ||
        p.consumer !== self ||
        p.model_id !== request.modelId ||
        p.request_id !== request.requestId
      )
        return reject("INVALID_TRADE", "accounts, model or request id do not match the request", p);
      if (Math.abs(p.timestamp_ms - deps.clock.nowMs()) > PROPOSAL_CLOCK_SKEW_MS)
        return reject("INVALID_TRADE", "stale timestamp", p);
      if (p.price_trm_per_token !== request.priceTrmPerToken)
        return reject(
          "PRICE_MISMATCH",
          `price ${p.price_trm_per_token} ≠ quote ${request.priceTrmPerToken}`,
          p,
        );
      if (
        p.completion_tokens !== received.completionTokens ||
        p.prompt_tokens !== received.promptTokens ||
        p.completion_tokens > sampling.maxTokens ||
        (received.text.length > 0 && p.completion_tokens === 0)
      )
        return reject(
          "TOKENS_MISMATCH",
          `tokens ${p.prompt_tokens}/${p.completion_tokens} ≠ received ${received.promptTokens}/${received.completionTokens}`,
          p,
        );
      const expected = costTrm(p.completion_tokens, request.priceTrmPerToken);
      if (p.amount_trm !== expected)
        return reject("AMOUNT_MISMATCH", `amount ${p.amount_trm} ≠ ${expected}`, p);
      if (computeTradeId(trade) !== computeTradeId(p))
        return reject("INVALID_TRADE", "the proposal differs from the trade this node built", p);
      if (!verifySignature(p.provider, tradeCanonicalBytes(p), fromHex(proposal.provider_signature)))
        return reject("INVALID_SIGNATURE", "provider signature does not verify", p);
      return proposal.provider_signature;
    }

    deps.inFlight.begin();
    try {
      const outcome = await deps.spend.spend<Received>({
        spender: request.spender,
        counterparty: { account: request.provider, signTrade },
        modelId: request.modelId,
        priceTrmPerToken: request.priceTrmPerToken,
        maxTokens: sampling.maxTokens,
        requestId: request.requestId,
        approvalId: request.approvalId,
        reason: `remote inference ${request.modelId}`,
        run,
        signal: request.signal,
      });
      const signed = outcome.signedTrade;
      if (signed !== null) {
        await stream
          ?.send(
            encodeMessage({
              kind: "trade_accept",
              trade_id: signed.trade_id,
              consumer_signature: signed.consumer_signature,
            }),
          )
          .catch(() => undefined);
        deps.onTradeApplied?.(signed);
        void deps.publishTrade(signed).catch(() => undefined);
        deps.reputation.success(request.provider);
      }
      await stream?.close().catch(() => undefined);
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
