/**
 * Late settlement of a trade whose consumer died (kill -9, power loss) between the provider's proposal and
 * its answer (`/tirami/settle/1.0.0`). The provider released its hold and holds the consumer in its
 * unsettled book, refusing it until the trade reaches its ledger; the consumer's node, restarting,
 * released its own hold of that purchase (ledger `releaseRequestHolds`) and lost the proposal with the
 * process. When the consumer connects again (or asks to be served), the provider sends the proposal once
 * more; the consumer signs it only for a purchase that died with its previous process — the request id of
 * a hold it released at start, for at most the worst case that hold reserved, with the amount the trade's
 * own tokens and price give — applies it and answers `trade_accept` (else `trade_reject`). The provider applies the
 * dual-signed trade and gossips it: the work it delivered is paid, and the consumer is served again.
 * Nothing is signed twice: a died purchase is forgotten once paid.
 * @module
 */
import { type AccountId, costTrm, type Signer } from "@tirami/core";
import type { FramedStream, MeshHost } from "@tirami/net";
import {
  assembleSignedTrade,
  computeTradeId,
  decodeMessage,
  encodeMessage,
  SETTLE_PROTOCOL_ID,
  type SignedTrade,
  signTrade,
  type Trade,
  type TradeRejectReason,
} from "@tirami/proto";
import { DIED_PURCHASES_MAX, SETTLE_OWED_TIMEOUT_MS } from "./constants.js";
import type { MarketLedger } from "./market.js";
import type { UnsettledBook } from "./unsettled-book.js";

/** A purchase that died with this node's previous process: its request id and the worst case it held. */
export interface DiedPurchase {
  requestId: string;
  heldTrm: number;
}

export interface SettleOwedDeps {
  host: Pick<MeshHost, "request" | "account">;
  ledger: Pick<MarketLedger, "applySignedTrade" | "getTrade">;
  signer: Signer;
  unsettled: UnsettledBook;
  /** This node's purchases that died with its previous process (none for a node that never bought). */
  diedPurchases: readonly DiedPurchase[];
  publishTrade(signed: SignedTrade): Promise<unknown>;
  onTradeApplied(signed: SignedTrade, side: "provider" | "consumer"): void;
  log(message: string, fields: Record<string, unknown>): void;
}

/** Why this node will not sign `trade` as the late settlement of a purchase of its own, or null. */
function refusalOf(
  trade: Trade,
  self: AccountId,
  from: AccountId,
  heldTrm: number | undefined,
): { reason: TradeRejectReason; message: string } | null {
  if (trade.consumer !== self || trade.provider !== from)
    return { reason: "INVALID_TRADE", message: "the trade is not between this node and the sender" };
  if (heldTrm === undefined)
    return { reason: "UNKNOWN_REQUEST", message: "no purchase of this request died with this node" };
  if (
    trade.completion_tokens < 1 ||
    trade.amount_trm !== costTrm(trade.completion_tokens, trade.price_trm_per_token)
  )
    return { reason: "AMOUNT_MISMATCH", message: "amount_trm is not ceil(completion_tokens × price)" };
  if (trade.amount_trm > heldTrm)
    return { reason: "AMOUNT_MISMATCH", message: `amount exceeds the ${heldTrm} TRM the purchase reserved` };
  return null;
}

/** Both sides of the late settlement. */
export function createOwedSettlement(deps: SettleOwedDeps) {
  const died = new Map<string, number>();
  /** Consumers a proposal is being offered to now: one offer at a time each. */
  const offering = new Set<AccountId>();
  for (const purchase of deps.diedPurchases.slice(-DIED_PURCHASES_MAX))
    died.set(purchase.requestId, purchase.heldTrm);

  async function answer(stream: FramedStream, message: Parameters<typeof encodeMessage>[0]): Promise<void> {
    await stream.send(encodeMessage(message)).catch(() => undefined);
    await stream.close().catch(() => undefined);
  }

  /** Consumer side: one proposal of a purchase that died here. */
  async function handle(stream: FramedStream, from: AccountId): Promise<void> {
    const first = await stream[Symbol.asyncIterator]().next();
    if (first.done === true) return;
    const proposal = decodeMessage(first.value, ["trade_proposal"]);
    const tradeId = computeTradeId(proposal.trade);
    const refusal = refusalOf(proposal.trade, deps.host.account, from, died.get(proposal.trade.request_id));
    if (refusal !== null) return answer(stream, { kind: "trade_reject", trade_id: tradeId, ...refusal });
    let signed: SignedTrade;
    try {
      signed = assembleSignedTrade(
        proposal.trade,
        proposal.provider_signature,
        signTrade(proposal.trade, deps.signer),
      );
      deps.ledger.applySignedTrade(signed);
    } catch (error) {
      return answer(stream, {
        kind: "trade_reject",
        trade_id: tradeId,
        reason: "INVALID_TRADE",
        message: (error as Error).message.slice(0, 200),
      });
    }
    died.delete(proposal.trade.request_id);
    deps.log("paid a purchase that died with the previous process", { trade_id: tradeId, provider: from });
    await answer(stream, {
      kind: "trade_accept",
      trade_id: signed.trade_id,
      consumer_signature: signed.consumer_signature,
    });
    deps.onTradeApplied(signed, "consumer");
    await deps.publishTrade(signed).catch(() => undefined);
  }

  /**
   * Provider side: offers `consumer`'s unanswered proposal again (when it owes one); true when it is now
   * settled. Best effort: any failure leaves the consumer in the unsettled book.
   */
  async function offer(consumer: AccountId): Promise<boolean> {
    const entry = deps.unsettled.get(consumer);
    if (entry === undefined || deps.ledger.getTrade(entry.trade_id) !== undefined || offering.has(consumer))
      return false;
    offering.add(consumer);
    let stream: FramedStream | undefined;
    try {
      stream = await deps.host.request(consumer, SETTLE_PROTOCOL_ID, { timeoutMs: SETTLE_OWED_TIMEOUT_MS });
      await stream.send(
        encodeMessage({
          kind: "trade_proposal",
          trade: entry.trade,
          provider_signature: entry.provider_signature,
        }),
      );
      const next = await stream[Symbol.asyncIterator]().next();
      if (next.done === true) return false;
      const reply = decodeMessage(next.value, ["trade_accept", "trade_reject"]);
      if (reply.kind === "trade_reject") {
        deps.log("late settlement refused", { consumer, reason: reply.reason, message: reply.message });
        return false;
      }
      const signed = assembleSignedTrade(entry.trade, entry.provider_signature, reply.consumer_signature);
      deps.ledger.applySignedTrade(signed);
      deps.unsettled.delete(consumer);
      deps.onTradeApplied(signed, "provider");
      await deps.publishTrade(signed).catch(() => undefined);
      return true;
    } catch (error) {
      deps.log("late settlement failed", { consumer, err: (error as Error).message });
      return false;
    } finally {
      offering.delete(consumer);
      await stream?.close().catch(() => undefined);
    }
  }

  return { handle, offer };
}

export type OwedSettlement = ReturnType<typeof createOwedSettlement>;
