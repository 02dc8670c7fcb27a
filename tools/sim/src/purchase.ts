/**
 * One purchase of simulated inference, on the wire protocol of `/tirami/infer/1.0.0` (proto's real
 * messages) over a `SimStream`:
 *
 * - consumer: the ledger's real spend path (safety gate → hold → trade built from what arrived → the
 *   counterparty's signature, here the provider's proposal checked by the market's real `checkProposal` →
 *   counter-signed and applied against the hold), then `trade_accept` and gossip of the dual-signed trade;
 * - provider: admission and a serve hold on its own ledger (`admitConsumer`, `reserve`), a deterministic
 *   token source instead of a model, the proposal (`createTrade` + `signTrade`), and on `trade_accept` the
 *   dual-signed trade applied against the hold (`assembleSignedTrade`, `applySignedTrade`) and gossiped;
 *   on a reject, a bad signature or silence the hold is released and nothing moves — the same ledger calls,
 *   in the same order, as `@tirami/market`'s provider (whose handler needs an engine and real timers, see
 *   docs/simulator.md).
 *
 * Byzantine variants: a provider that never proposes or overcharges, a consumer that never answers or
 * answers with a forged signature. Planted faults (for the simulator's own tests) break the provider's
 * side on purpose.
 * @module
 */
import { type AccountId, costTrm, isTiramiError } from "@tirami/core";
import { OPERATOR_SPENDER, SERVE_HOLD_REASON_PREFIX } from "@tirami/ledger";
import { checkProposal } from "@tirami/market/parts";
import {
  assembleSignedTrade,
  computeTradeId,
  createTrade,
  decodeMessage,
  encodeMessage,
  INFER_PROTOCOL_ID,
  type SignedTrade,
  signTrade,
  type TradeProposal,
} from "@tirami/proto";
import type { FramedStream } from "@tirami/net";
import type { Prng } from "./prng.js";
import type { Referee } from "./referee.js";
import { SIM_MODEL_ID, type SimNode } from "./node.js";
import type { SimKernel } from "./kernel.js";

/** Faults planted in the harness to prove the invariants catch them (never in product code). */
export type PlantedFault = "leak-hold" | "unsigned-apply";

/** What the purchase code needs from the run. */
export interface PurchaseWorld {
  kernel: SimKernel;
  rng: Prng;
  referee: Referee;
  plant: PlantedFault | undefined;
  nodeOf(account: AccountId): SimNode | undefined;
}

/** Simulated limits of one purchase (ms of simulated time). */
const INFER_TIMEOUT_MS = 20_000;
const INFER_IDLE_TIMEOUT_MS = 5_000;
/** Simulated generation time per token. */
const TOKEN_MS = 2;

/** How the purchase ended, for the trace and the counters. */
export type PurchaseOutcome = "traded" | "denied" | "refused" | "failed" | "rejected";

class ProposalRefused extends Error {}

/** Buys up to `maxTokens` from `provider` at its offered price. Never throws; reports the outcome. */
export async function buy(
  world: PurchaseWorld,
  node: SimNode,
  provider: AccountId,
  priceTrmPerToken: number,
  maxTokens: number,
  requestId: string,
): Promise<{ outcome: PurchaseOutcome; detail: string; trade?: SignedTrade }> {
  let stream: FramedStream | undefined;
  let proposal: TradeProposal | undefined;
  let ended: { prompt_tokens: number; completion_tokens: number } | undefined;
  const spend = node.spend;
  try {
    const result = await spend.spend({
      spender: OPERATOR_SPENDER,
      modelId: SIM_MODEL_ID,
      priceTrmPerToken,
      maxTokens,
      requestId,
      counterparty: {
        account: provider,
        signTrade: async (trade) => {
          if (node.role.byzantine && world.rng.chance(0.2)) {
            // Withholds its signature: goes silent after the proposal, as if it never got it.
            stream!.abort();
            throw new ProposalRefused("signature withheld");
          }
          const rejection = checkProposal(proposal!, {
            provider,
            consumer: node.account,
            modelId: SIM_MODEL_ID,
            requestId,
            priceTrmPerToken,
            maxTokens,
            promptTokens: ended!.prompt_tokens,
            completionTokens: ended!.completion_tokens,
            receivedText: ended!.completion_tokens > 0,
            trade,
            nowMs: node.clock.nowMs(),
          });
          if (rejection === null) return proposal!.provider_signature;
          await stream!.send(
            encodeMessage({
              kind: "trade_reject",
              trade_id: computeTradeId(proposal!.trade),
              reason: rejection.reason,
              message: rejection.message,
            }),
          );
          throw new ProposalRefused(`${rejection.reason}: ${rejection.message}`);
        },
      },
      run: async () => {
        stream = await node.host.request(provider, INFER_PROTOCOL_ID, {
          timeoutMs: INFER_TIMEOUT_MS,
          idleTimeoutMs: INFER_IDLE_TIMEOUT_MS,
        });
        await stream.send(
          encodeMessage({
            kind: "infer_request",
            request_id: requestId,
            consumer: node.account,
            model_id: SIM_MODEL_ID,
            prompt: "sim",
            max_tokens: maxTokens,
            temperature: 0,
            top_p: 1,
            top_k: 0,
            seed: 0,
            stop: [],
            price_trm_per_token: priceTrmPerToken,
            timestamp_ms: node.clock.nowMs(),
          }),
        );
        const frames = stream[Symbol.asyncIterator]();
        const first = await frames.next();
        if (first.done === true) throw new Error("provider closed before answering");
        const message = decodeMessage(first.value, ["infer_end", "infer_error"]);
        if (message.kind === "infer_error") throw new Error(`provider refused: ${message.code}`);
        ended = message;
        const next = await frames.next();
        if (next.done === true) throw new Error("provider closed before proposing");
        proposal = decodeMessage(next.value, ["trade_proposal"]);
        return {
          promptTokens: message.prompt_tokens,
          completionTokens: message.completion_tokens,
          tradeTimestampMs: proposal.trade.timestamp_ms,
          tradeNonce: proposal.trade.nonce,
        };
      },
    });
    const signed = result.signedTrade;
    if (signed === null) return { outcome: "failed", detail: "nothing generated" };
    world.referee.consented(signed.trade.consumer, signed.trade_id);
    if (node.role.byzantine && world.rng.chance(0.2)) {
      // Withholds its signature from the provider (it applied the trade itself; gossip may still carry it).
      stream?.abort();
      return { outcome: "traded", detail: "accept withheld", trade: signed };
    }
    await stream!
      .send(
        encodeMessage({
          kind: "trade_accept",
          trade_id: signed.trade_id,
          consumer_signature: signed.consumer_signature,
        }),
      )
      .catch(() => undefined);
    await stream!.close().catch(() => undefined);
    await node.gossip.publishTrade(signed).catch(() => undefined);
    return { outcome: "traded", detail: signed.trade_id.slice(0, 12), trade: signed };
  } catch (error) {
    stream?.abort();
    if (error instanceof ProposalRefused) return { outcome: "rejected", detail: error.message };
    if (isTiramiError(error)) {
      const outcome = error.name === "SpendDeniedError" ? "denied" : "refused";
      return { outcome, detail: error.code };
    }
    return { outcome: "failed", detail: (error as Error).message.slice(0, 60) };
  }
}

/** Serves `/tirami/infer/1.0.0` on `node` (honest or Byzantine provider). */
export function serveInfer(world: PurchaseWorld, node: SimNode): void {
  void node.host.handle(INFER_PROTOCOL_ID, (stream, from) => serve(world, node, stream, from));
}

async function serve(
  world: PurchaseWorld,
  node: SimNode,
  stream: FramedStream,
  from: AccountId,
): Promise<void> {
  const frames = stream[Symbol.asyncIterator]();
  const first = await frames.next();
  if (first.done === true) return;
  const request = decodeMessage(first.value, ["infer_request"]);
  const ledger = node.ledger;
  const fail = (code: "DENIED" | "INSUFFICIENT_BALANCE" | "INVALID_REQUEST" | "BUSY", message: string) =>
    stream.send(encodeMessage({ kind: "infer_error", request_id: request.request_id, code, message }));
  if (!node.role.provider || request.consumer !== from || request.price_trm_per_token < node.priceTrmPerToken)
    return fail("INVALID_REQUEST", "not served at that price");
  const worstTrm = costTrm(request.max_tokens, request.price_trm_per_token);
  let holdId: string | undefined;
  try {
    ledger.admitConsumer(request.consumer, worstTrm);
    holdId = ledger.reserve({
      account: request.consumer,
      amountTrm: worstTrm,
      reason: `${SERVE_HOLD_REASON_PREFIX}${request.request_id}`,
    });
  } catch (error) {
    if (!isTiramiError(error)) throw error;
    return fail(error.code === "INSUFFICIENT_BALANCE" ? "INSUFFICIENT_BALANCE" : "DENIED", error.code);
  }
  const release = () => {
    if (holdId === undefined) return;
    try {
      ledger.release(holdId);
    } catch {
      // Already settled by the trade, or expired.
    }
    holdId = undefined;
  };
  const hold = {
    id: () => holdId,
    release,
    // The planted leak: the hold id is dropped without releasing it (no path releases it after).
    leak: () => {
      holdId = undefined;
    },
  };
  try {
    await settleServed(world, node, stream, frames, request, hold);
  } finally {
    release();
  }
}

/** Generates (deterministically), proposes and settles; the provider's steps after admission. */
async function settleServed(
  world: PurchaseWorld,
  node: SimNode,
  stream: FramedStream,
  frames: AsyncIterator<Uint8Array>,
  request: { request_id: string; consumer: AccountId; max_tokens: number; price_trm_per_token: number },
  hold: { id(): string | undefined; release(): void; leak(): void },
): Promise<void> {
  const ledger = node.ledger;
  const completionTokens = world.rng.int(1, request.max_tokens);
  const promptTokens = world.rng.int(1, 16);
  await sleep(world.kernel, completionTokens * TOKEN_MS);
  if (!node.up || node.ledger !== ledger) return; // crashed while generating: the stream died with it
  await stream.send(
    encodeMessage({
      kind: "infer_end",
      request_id: request.request_id,
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      finish_reason: completionTokens === request.max_tokens ? "length" : "stop",
    }),
  );
  if (node.role.byzantine && world.rng.chance(0.2)) {
    world.kernel.log(`byz ${node.index} withholds its proposal for ${request.request_id}`);
    return; // never proposes: the consumer's stream times out and its hold is released
  }
  const overcharge = node.role.byzantine && world.rng.chance(0.2) ? 1 : 0;
  const trade = createTrade({
    provider: node.account,
    consumer: request.consumer,
    amount_trm: costTrm(completionTokens, request.price_trm_per_token) + overcharge,
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    model_id: SIM_MODEL_ID,
    price_trm_per_token: request.price_trm_per_token,
    timestamp_ms: node.clock.nowMs(),
    nonce: world.rng.hex(16),
    request_id: request.request_id,
  });
  const providerSignature = signTrade(trade, node.signer);
  world.referee.consented(node.account, computeTradeId(trade));
  await stream.send(encodeMessage({ kind: "trade_proposal", trade, provider_signature: providerSignature }));
  const answer = await frames.next().catch(() => ({ done: true as const, value: undefined }));
  if (answer.done === true) return unanswered(world, node, trade, providerSignature, hold);
  const message = decodeMessage(answer.value, ["trade_accept", "trade_reject"]);
  if (message.kind === "trade_reject") return unanswered(world, node, trade, providerSignature, hold);
  let signed: SignedTrade;
  try {
    signed = assembleSignedTrade(trade, providerSignature, message.consumer_signature);
  } catch {
    return unanswered(world, node, trade, providerSignature, hold);
  }
  const holdId = hold.id();
  try {
    const status = ledger.applySignedTrade(signed, holdId === undefined ? {} : { holdId }).status;
    if (status === "exists") hold.release(); // it reached this node by gossip first
  } catch (error) {
    if (!isTiramiError(error, "HOLD_NOT_FOUND")) throw error;
    ledger.applySignedTrade(signed);
  }
  await node.gossip.publishTrade(signed).catch(() => undefined);
}

/** No valid answer: release the hold, nothing moves — unless a planted fault says otherwise. */
function unanswered(
  world: PurchaseWorld,
  node: SimNode,
  trade: ReturnType<typeof createTrade>,
  providerSignature: string,
  hold: { release(): void; leak(): void },
): void {
  if (world.plant === "leak-hold") {
    world.kernel.log(`PLANT leak-hold: ${node.index} keeps the hold of ${trade.request_id}`);
    return hold.leak();
  }
  hold.release();
  if (world.plant === "unsigned-apply") {
    // The bug: the provider "settles" without the consumer's signature (the harness fills it in).
    const consumer = world.nodeOf(trade.consumer);
    if (consumer === undefined) return;
    const signed = assembleSignedTrade(trade, providerSignature, signTrade(trade, consumer.signer));
    world.kernel.log(`PLANT unsigned-apply: ${node.index} applies ${signed.trade_id.slice(0, 12)}`);
    try {
      node.ledger.applySignedTrade(signed);
      void node.gossip.publishTrade(signed);
    } catch {
      // Unfunded or stale in this view: the plant simply did not fire.
    }
  }
}

function sleep(kernel: SimKernel, ms: number): Promise<void> {
  return new Promise((resolve) => kernel.at(ms, "generate", resolve));
}
