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
 * 5. stream `token_chunk`s, then `infer_end` with the exact token counts;
 * 6. propose the trade (`trade_proposal`, provider-signed, price as quoted, amount
 *    `costTrm(completion_tokens, price)`) and wait `TRADE_ANSWER_TIMEOUT_MS` for the answer;
 * 7. `trade_accept` with a valid signature → apply the dual-signed trade against the hold and gossip it;
 *    `trade_reject` → release the hold, nothing moves, small reputation cost; no answer or a bad
 *    signature → release the hold, nothing moves, a large reputation cost, and the consumer is refused
 *    until its trade appears in the ledger (it can still sign and gossip it).
 *
 * No path moves money without both signatures. A generation that fails or is cut off releases the hold.
 * @module
 */
import { type AccountId, type Clock, costTrm, isTiramiError, type Signer } from "@tirami/core";
import type { Ledger } from "@tirami/ledger";
import type { FramedStream } from "@tirami/net";
import {
  assembleSignedTrade,
  computeTradeId,
  createTrade,
  decodeMessage,
  encodeMessage,
  type InferErrorCode,
  type InferRequest,
  type SignedTrade,
  signTrade,
} from "@tirami/proto";
import type { EnginePort } from "../deps.js";
import { TRADE_ANSWER_TIMEOUT_MS } from "./constants.js";
import type { UnsettledBook, UnsettledEntry } from "./unsettled-book.js";
import type { LocalReputation } from "./reputation.js";

/** The ledger calls the provider makes. */
export type ProviderLedger = Pick<
  Ledger,
  "admitConsumer" | "reserve" | "release" | "applySignedTrade" | "getTrade" | "getHold"
>;

export interface ProviderDeps {
  ledger: ProviderLedger;
  signer: Signer;
  clock: Clock;
  engine(): EnginePort | undefined;
  /** Lowest price this node accepts now for `modelId` (current and last-offered price). */
  acceptablePrice(modelId: string): number | undefined;
  reputation: LocalReputation;
  /** Gossips the dual-signed trade after applying it. */
  publishTrade(signed: SignedTrade): Promise<unknown>;
  /** Counts served requests in flight (demand input of pricing). */
  inFlight: { begin(): void; end(): void };
  onTradeApplied?(signed: SignedTrade): void;
  log?(event: string, fields: Record<string, unknown>): void;
  /** Consumers that owe a signature (node.db, so a restart does not forgive them). */
  unsettled: UnsettledBook;
}

class InferFailure extends Error {
  constructor(
    readonly code: InferErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The provider: a request handler for the infer protocol and the unsettled list. */
export function createProvider(deps: ProviderDeps) {
  const unsettled = deps.unsettled;
  const stats = { requests: 0, refused: 0, failed: 0, trades: 0, rejected_by_consumer: 0, unanswered: 0 };

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

  function check(request: InferRequest, from: AccountId): EnginePort {
    if (request.consumer !== from)
      throw new InferFailure("INVALID_REQUEST", "consumer is not the authenticated peer");
    const engine = deps.engine();
    if (engine === undefined || engine.manifest.id !== request.model_id)
      throw new InferFailure("INVALID_REQUEST", `model ${request.model_id} is not served here`);
    const floor = deps.acceptablePrice(request.model_id);
    if (floor === undefined || request.price_trm_per_token < floor)
      throw new InferFailure(
        "INVALID_REQUEST",
        `quoted price ${request.price_trm_per_token} is below the offered ${floor} TRM/token`,
      );
    return engine;
  }

  function admit(request: InferRequest, worstTrm: number): string | undefined {
    const owed = owes(request.consumer);
    if (owed !== undefined)
      throw new InferFailure(
        "DENIED",
        `UNSETTLED_TRADE: consumer never answered the proposal of trade ${owed.trade_id}`,
      );
    try {
      deps.ledger.admitConsumer(request.consumer, worstTrm);
      return worstTrm === 0
        ? undefined
        : deps.ledger.reserve({
            account: request.consumer,
            amountTrm: worstTrm,
            reason: `serve:${request.request_id}`,
          });
    } catch (error) {
      if (isTiramiError(error, "INSUFFICIENT_BALANCE"))
        throw new InferFailure("INSUFFICIENT_BALANCE", error.message);
      if (isTiramiError(error, "CONSUMER_NOT_ADMITTED")) {
        const reason = String(error.details?.reason ?? "not_admitted");
        throw new InferFailure("DENIED", `CONSUMER_NOT_ADMITTED (${reason}): ${error.message}`);
      }
      if (isTiramiError(error, "HOLD_LIMIT")) throw new InferFailure("BUSY", error.message, 1_000);
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

  async function generate(
    stream: FramedStream,
    engine: EnginePort,
    request: InferRequest,
    signal: AbortSignal,
  ): Promise<{ promptTokens: number; completionTokens: number; finish: "stop" | "length" }> {
    let index = 0;
    let sending: Promise<void> = Promise.resolve();
    const onText = (text: string): void => {
      const chunk = encodeMessage({
        kind: "token_chunk",
        request_id: request.request_id,
        index: index++,
        text,
      });
      sending = sending.then(() => stream.send(chunk));
      // Awaited after the generation; until then a failed send (the consumer went away) must not count
      // as an unhandled rejection, so it is observed here too and rethrown by `await sending` below.
      sending.catch(() => undefined);
    };
    const options = {
      max_tokens: request.max_tokens,
      temperature: request.temperature,
      top_p: request.top_p,
      top_k: request.top_k,
      seed: request.seed,
      ...(request.stop.length > 0 ? { stop: request.stop } : {}),
      signal,
      onText,
    };
    let result;
    try {
      result =
        request.messages !== undefined
          ? await engine.chat(request.messages, options)
          : await engine.generate(request.prompt as string, options);
    } catch (error) {
      if (isTiramiError(error, "ENGINE_BUSY")) throw new InferFailure("BUSY", error.message, 1_000);
      if (
        isTiramiError(error, "CONTEXT_LENGTH_EXCEEDED") ||
        isTiramiError(error, "INVALID_GENERATION_OPTIONS")
      )
        throw new InferFailure("INVALID_REQUEST", error.message);
      throw new InferFailure("INTERNAL", "generation failed");
    }
    await sending;
    if (result.finish_reason === "abort" || signal.aborted)
      throw new InferFailure("INTERNAL", "generation aborted");
    return {
      promptTokens: result.prompt_tokens,
      completionTokens: result.completion_tokens,
      finish: result.finish_reason,
    };
  }

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

  /** Serves one request stream. */
  async function handle(stream: FramedStream, from: AccountId, signal: AbortSignal): Promise<void> {
    const frames = stream[Symbol.asyncIterator]();
    const first = await frames.next();
    if (first.done === true) return;
    const request = decodeMessage(first.value, ["infer_request"]);
    stats.requests += 1;
    const fail = (error: InferFailure) =>
      stream.send(
        encodeMessage({
          kind: "infer_error",
          request_id: request.request_id,
          code: error.code,
          message: error.message.slice(0, 900),
          ...(error.retryAfterMs === undefined ? {} : { retry_after_ms: error.retryAfterMs }),
        }),
      );
    let holdId: string | undefined;
    deps.inFlight.begin();
    try {
      const engine = check(request, from);
      const price = request.price_trm_per_token;
      holdId = admit(request, costTrm(request.max_tokens, price));
      const work = await generate(stream, engine, request, signal);
      await stream.send(
        encodeMessage({
          kind: "infer_end",
          request_id: request.request_id,
          prompt_tokens: work.promptTokens,
          completion_tokens: work.completionTokens,
          finish_reason: work.finish,
        }),
      );
      if (work.completionTokens === 0) {
        release(holdId);
        return;
      }
      const trade = createTrade({
        provider: deps.signer.accountId,
        consumer: request.consumer,
        amount_trm: costTrm(work.completionTokens, price),
        prompt_tokens: work.promptTokens,
        completion_tokens: work.completionTokens,
        model_id: request.model_id,
        price_trm_per_token: price,
        timestamp_ms: deps.clock.nowMs(),
        request_id: request.request_id,
      });
      const providerSignature = signTrade(trade, deps.signer);
      await stream.send(
        encodeMessage({ kind: "trade_proposal", trade, provider_signature: providerSignature }),
      );
      const answerBytes = await answerOf(frames);
      const unsettledEntry = (reason: string): UnsettledEntry => ({
        consumer: request.consumer,
        trade_id: computeTradeId(trade),
        trade,
        provider_signature: providerSignature,
        since_ms: deps.clock.nowMs(),
        reason,
      });
      if (answerBytes === undefined) {
        release(holdId);
        holdId = undefined;
        const entry = unsettledEntry("no answer to the trade proposal");
        unsettled.put(entry);
        deps.reputation.failure(request.consumer, 4);
        stats.unanswered += 1;
        deps.log?.("trade_unanswered", { consumer: request.consumer, trade_id: entry.trade_id });
        return;
      }
      const answer = decodeMessage(answerBytes, ["trade_accept", "trade_reject"]);
      if (answer.kind === "trade_reject") {
        release(holdId);
        holdId = undefined;
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
        holdId = undefined;
        unsettled.put(unsettledEntry("invalid consumer signature"));
        stats.unanswered += 1;
        deps.reputation.failure(request.consumer, 4);
        return;
      }
      applyWithHold(signed, holdId);
      holdId = undefined;
      stats.trades += 1;
      deps.reputation.success(request.consumer);
      deps.onTradeApplied?.(signed);
      await deps.publishTrade(signed).catch(() => undefined);
    } catch (error) {
      release(holdId);
      holdId = undefined;
      if (error instanceof InferFailure) {
        if (error.code === "INTERNAL") stats.failed += 1;
        else stats.refused += 1;
        if (!stream.signal.aborted) await fail(error).catch(() => undefined);
        return;
      }
      throw error;
    } finally {
      release(holdId);
      deps.inFlight.end();
    }
  }

  return {
    handle,
    /** Consumers refused until their trade appears in the ledger. */
    unsettled: (): UnsettledEntry[] => unsettled.list().filter((entry) => owes(entry.consumer) !== undefined),
    /** Counters of served requests. */
    stats: () => ({ ...stats }),
    /** Operator override: serve `consumer` again. */
    forgive: (consumer: AccountId): boolean => unsettled.delete(consumer),
  };
}

export type Provider = ReturnType<typeof createProvider>;
