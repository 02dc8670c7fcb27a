/**
 * The provider side of `/tirami/infer/1.0.0`. For each `infer_request`:
 *
 * 1. check it: the consumer field is the authenticated peer, the model is the one loaded here, the quoted
 *    price is at least the price this node offers (or last offered); otherwise `infer_error`
 *    INVALID_REQUEST;
 * 2. refuse a consumer that owes a signature for an earlier trade (`DENIED`, reason UNSETTLED_TRADE);
 * 3. admission in this node's own ledger view: `admitConsumer(consumer, worst case)` — the consumer's
 *    effective balance (INSUFFICIENT_BALANCE) and the zero-history cap (`DENIED`, reason from the ledger);
 * 4. hold the worst case `costTrm(max_tokens, price)` on the consumer's account in this ledger while
 *    generating, so concurrent requests cannot promise the same TRM twice;
 * 5. stream `token_chunk`s (text coalesced into few frames, `token-sender.ts`), then `infer_end` with the
 *    exact token counts (`provider-stream.ts`);
 * 6. propose the trade (`trade_proposal`, built with proto's `createTrade`, provider-signed, price as
 *    quoted, amount `costTrm(completion_tokens, price)`) and wait `TRADE_ANSWER_TIMEOUT_MS` for the answer;
 * 7. `trade_accept` with a valid signature → `assembleSignedTrade`, apply against the hold, gossip;
 *    `trade_reject` → release the hold, nothing moves, small reputation cost; no answer or a bad
 *    signature → release the hold, nothing moves, a large reputation cost, and the consumer is refused
 *    until its trade appears in the ledger (it can still sign and gossip it).
 *
 * No path moves money without both signatures. A generation that fails or is cut off releases the hold.
 * @module
 */
import { type AccountId, type Clock, costTrm, isTiramiError, type Signer } from "@tirami/core";
import { type Ledger, SERVE_HOLD_REASON_PREFIX } from "@tirami/ledger";
import type { FramedStream } from "@tirami/net";
import {
  assembleSignedTrade,
  computeTradeId,
  createTrade,
  decodeMessage,
  encodeMessage,
  type InferRequest,
  type SignedTrade,
  signTrade,
  type Trade,
  tradeCostTrm,
} from "@tirami/proto";
import { TRADE_ANSWER_TIMEOUT_MS } from "./constants.js";
import type { MarketEngine } from "./engine.js";
import { type GeneratedWork, InferFailure, streamGeneration } from "./provider-stream.js";
import { chunkIntervalMs } from "./token-sender.js";
import { serveEmbeddings } from "./embed-provider.js";
import { checkRequest, type ServedRequest } from "./served-request.js";
import type { LocalReputation } from "./reputation.js";
import type { UnsettledBook, UnsettledEntry } from "./unsettled-book.js";

/** The ledger calls the provider makes. */
export type ProviderLedger = Pick<
  Ledger,
  "admitConsumer" | "reserve" | "release" | "applySignedTrade" | "getTrade"
>;

export interface ProviderDeps {
  ledger: ProviderLedger;
  signer: Signer;
  clock: Clock;
  engine(): MarketEngine | undefined;
  /** Lowest price this node accepts now for `modelId` (current and last-offered price). */
  acceptablePrice(modelId: string): number | undefined;
  reputation: LocalReputation;
  /** Gossips the dual-signed trade after applying it. */
  publishTrade(signed: SignedTrade): Promise<unknown>;
  /** Counts served requests in flight (demand input of pricing). */
  inFlight: { begin(): void; end(): void };
  onTradeApplied?(signed: SignedTrade): void;
  /** Completion tokens served to a consumer (metrics). */
  onServed?(work: GeneratedWork): void;
  log?(event: string, fields: Record<string, unknown>): void;
  /** Consumers that owe a signature (persistent, so a restart does not forgive them). */
  unsettled: UnsettledBook;
  /** A consumer that owes a signature asked again (the market proposes the trade to it once more). */
  onOwedRequest?(consumer: AccountId): void;
}

/** Counters of served requests. */
export interface ProviderStats {
  requests: number;
  refused: number;
  failed: number;
  trades: number;
  rejected_by_consumer: number;
  unanswered: number;
  completion_tokens: number;
}

/** Retry hint sent when this ledger holds too much already. */
const HOLD_LIMIT_RETRY_AFTER_MS = 1_000;

/** Waits for the consumer's answer to a proposal; undefined when none comes in time or the stream ends. */
async function answerOf(frames: AsyncIterator<Uint8Array>): Promise<Uint8Array | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), TRADE_ANSWER_TIMEOUT_MS);
  });
  try {
    const next = await Promise.race([
      frames.next().catch(() => ({ done: true as const, value: undefined })),
      timeout,
    ]);
    return next === undefined || next.done === true ? undefined : next.value;
  } finally {
    clearTimeout(timer);
  }
}

/** The provider: a request handler for the infer protocol and the unsettled list. */
export function createProvider(deps: ProviderDeps) {
  const unsettled = deps.unsettled;
  const stats: ProviderStats = {
    requests: 0,
    refused: 0,
    failed: 0,
    trades: 0,
    rejected_by_consumer: 0,
    unanswered: 0,
    completion_tokens: 0,
  };
  /** Streams generating now: their token chunks share the thread (see `chunkIntervalMs`). */
  let generating = 0;

  /** The consumer's unpaid trade, unless it has reached the ledger since (then it is cleared). */
  function owes(consumer: AccountId): UnsettledEntry | undefined {
    const entry = unsettled.get(consumer);
    if (entry === undefined) return undefined;
    if (deps.ledger.getTrade(entry.trade_id) !== undefined) {
      unsettled.delete(consumer);
      deps.reputation.success(consumer);
      return undefined;
    }
    return entry;
  }

  /** Steps 2–4: no unpaid trade, admitted by this ledger, worst case held. Returns the hold id. */
  function admit(request: ServedRequest, worstTrm: number): string | undefined {
    const owed = owes(request.consumer);
    if (owed !== undefined) {
      deps.onOwedRequest?.(request.consumer);
      throw new InferFailure(
        "DENIED",
        `UNSETTLED_TRADE: consumer never answered the proposal of trade ${owed.trade_id}`,
      );
    }
    try {
      deps.ledger.admitConsumer(request.consumer, worstTrm);
      return worstTrm === 0
        ? undefined
        : deps.ledger.reserve({
            account: request.consumer,
            amountTrm: worstTrm,
            reason: `${SERVE_HOLD_REASON_PREFIX}${request.request_id}`,
          });
    } catch (error) {
      if (isTiramiError(error, "INSUFFICIENT_BALANCE"))
        throw new InferFailure("INSUFFICIENT_BALANCE", error.message);
      if (isTiramiError(error, "CONSUMER_NOT_ADMITTED")) {
        const reason = String(error.details?.reason ?? "not_admitted");
        throw new InferFailure("DENIED", `CONSUMER_NOT_ADMITTED (${reason}): ${error.message}`);
      }
      if (isTiramiError(error, "HOLD_LIMIT"))
        throw new InferFailure("BUSY", error.message, HOLD_LIMIT_RETRY_AFTER_MS);
      throw error;
    }
  }

  function release(holdId: string | undefined): void {
    if (holdId === undefined) return;
    try {
      deps.ledger.release(holdId);
    } catch {
      // already settled by the trade or expired
    }
  }

  function applyWithHold(signed: SignedTrade, holdId: string | undefined): void {
    let status: string;
    try {
      status = deps.ledger.applySignedTrade(signed, holdId === undefined ? {} : { holdId }).status;
    } catch (error) {
      if (holdId === undefined || !isTiramiError(error, "HOLD_NOT_FOUND")) throw error;
      status = deps.ledger.applySignedTrade(signed).status;
    }
    if (status === "exists") release(holdId); // it reached us by gossip first
  }

  /** Remembers a consumer that did not sign what it received: refused until the trade reaches the ledger. */
  function markUnsettled(trade: Trade, providerSignature: string, reason: string): void {
    const entry: UnsettledEntry = {
      consumer: trade.consumer,
      trade_id: computeTradeId(trade),
      trade,
      provider_signature: providerSignature,
      since_ms: deps.clock.nowMs(),
      reason,
    };
    unsettled.put(entry);
    deps.reputation.failure(trade.consumer, 4);
    stats.unanswered += 1;
    deps.log?.("trade_unanswered", { consumer: trade.consumer, trade_id: entry.trade_id, reason });
  }

  /**
   * Steps 6–7: proposes the trade for `work` and settles it by the consumer's answer. The amount is
   * proto's `tradeCostTrm`: completion tokens × price, or prompt tokens × price for embeddings (0
   * completion tokens).
   */
  async function proposeAndSettle(
    stream: FramedStream,
    frames: AsyncIterator<Uint8Array>,
    request: ServedRequest,
    work: { promptTokens: number; completionTokens: number },
    holdId: string | undefined,
  ): Promise<void> {
    const billed = {
      prompt_tokens: work.promptTokens,
      completion_tokens: work.completionTokens,
      price_trm_per_token: request.price_trm_per_token,
    };
    const trade = createTrade({
      provider: deps.signer.accountId,
      consumer: request.consumer,
      amount_trm: tradeCostTrm(billed),
      prompt_tokens: work.promptTokens,
      completion_tokens: work.completionTokens,
      model_id: request.model_id,
      price_trm_per_token: request.price_trm_per_token,
      timestamp_ms: deps.clock.nowMs(),
      request_id: request.request_id,
    });
    const providerSignature = signTrade(trade, deps.signer);
    await stream.send(
      encodeMessage({ kind: "trade_proposal", trade, provider_signature: providerSignature }),
    );
    const answerBytes = await answerOf(frames);
    if (answerBytes === undefined) {
      release(holdId);
      return markUnsettled(trade, providerSignature, "no answer to the trade proposal");
    }
    const answer = decodeMessage(answerBytes, ["trade_accept", "trade_reject"]);
    if (answer.kind === "trade_reject") {
      release(holdId);
      deps.reputation.failure(request.consumer, 1);
      stats.rejected_by_consumer += 1;
      deps.log?.("trade_rejected", {
        consumer: request.consumer,
        reason: answer.reason,
        message: answer.message,
      });
      return;
    }
    let signed: SignedTrade;
    try {
      signed = assembleSignedTrade(trade, providerSignature, answer.consumer_signature);
      if (signed.trade_id !== answer.trade_id) throw new Error("trade id mismatch");
    } catch {
      release(holdId);
      return markUnsettled(trade, providerSignature, "invalid consumer signature");
    }
    applyWithHold(signed, holdId);
    stats.trades += 1;
    deps.reputation.success(request.consumer);
    deps.onTradeApplied?.(signed);
    await deps.publishTrade(signed).catch(() => undefined);
  }

  /** Serves one request stream. */
  async function handle(stream: FramedStream, from: AccountId, signal: AbortSignal): Promise<void> {
    const frames = stream[Symbol.asyncIterator]();
    const first = await frames.next();
    if (first.done === true) return;
    const request = decodeMessage(first.value, ["infer_request"]);
    stats.requests += 1;
    let holdId: string | undefined;
    deps.inFlight.begin();
    try {
      const engine = checkRequest(request, from, deps.engine(), deps.acceptablePrice(request.model_id));
      holdId = admit(request, costTrm(request.max_tokens, request.price_trm_per_token));
      generating += 1;
      let work: GeneratedWork;
      try {
        work = await streamGeneration(stream, engine, request, signal, () => chunkIntervalMs(generating));
      } finally {
        generating -= 1;
      }
      stats.completion_tokens += work.completionTokens;
      deps.onServed?.(work);
      await stream.send(
        encodeMessage({
          kind: "infer_end",
          request_id: request.request_id,
          prompt_tokens: work.promptTokens,
          completion_tokens: work.completionTokens,
          finish_reason: work.finish,
        }),
      );
      if (work.completionTokens > 0) await proposeAndSettle(stream, frames, request, work, holdId);
      else release(holdId);
      holdId = undefined;
    } catch (error) {
      if (!(error instanceof InferFailure)) throw error;
      if (error.code === "INTERNAL") stats.failed += 1;
      else stats.refused += 1;
      if (!stream.signal.aborted)
        await stream
          .send(
            encodeMessage({
              kind: "infer_error",
              request_id: request.request_id,
              code: error.code,
              message: error.message.slice(0, 900),
              ...(error.retryAfterMs === undefined ? {} : { retry_after_ms: error.retryAfterMs }),
            }),
          )
          .catch(() => undefined);
    } finally {
      release(holdId);
      deps.inFlight.end();
    }
  }

  /** Serves one embeddings stream (`embed-provider.ts`), with the same admission, holds and settlement. */
  function handleEmbed(stream: FramedStream, from: AccountId, signal: AbortSignal): Promise<void> {
    return serveEmbeddings({ deps, stats, admit, release, proposeAndSettle }, stream, from, signal);
  }

  return {
    handle,
    handleEmbed,
    /** Consumers refused until their trade appears in the ledger. */
    unsettled: (): UnsettledEntry[] => unsettled.list().filter((entry) => owes(entry.consumer) !== undefined),
    /** Counters of served requests. */
    stats: (): ProviderStats => ({ ...stats }),
    /** Operator override: serve `consumer` again. */
    forgive: (consumer: AccountId): boolean => unsettled.delete(consumer),
  };
}

export type Provider = ReturnType<typeof createProvider>;
