/**
 * The buyer's side of an exchange (the debtor of a settlement, or a node buying TRM in a deposit):
 * request the seller's invoice over the mesh, check it (network, exact amount at this node's rate,
 * expiry), pass the safety gate and the sats budget, pay it through this node's wallet, then sign the
 * exchange trade carrying the preimage and have the seller countersign; the dual-signed trade is applied
 * here and gossiped. Each step is recorded by payment hash, so a retry resumes where it stopped: an
 * invoice already paid is never paid again, and a failed payment changes nothing but its record.
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { FramedStream, MeshHost } from "@tirami/net";
import { assembleSignedTrade, type SignedTrade, signTrade } from "@tirami/proto";
import { checkInvoice, type DecodedInvoice } from "./bolt11.js";
import { LIGHTNING_MESH_TIMEOUT_MS } from "./constants.js";
import type { LightningContext } from "./context.js";
import { LightningError, LightningErrorCode } from "./errors.js";
import { buildExchangeTrade, type SettlementWindow } from "./exchange.js";
import {
  decodeLightningMessage,
  encodeLightningMessage,
  type LightningMessage,
  LIGHTNING_PROTOCOL_ID,
} from "./messages.js";
import { admitPayment } from "./payment-gate.js";
import { trmToMsat } from "./rate.js";
import type { PaymentRecord } from "./store.js";
import type { LightningWallet } from "./wallet.js";

/** The mesh parts the buyer uses. */
export interface BuyerMesh {
  host: Pick<MeshHost, "request">;
  /** Applies the dual-signed trade here and gossips it. */
  announceTrade(signed: SignedTrade): Promise<unknown>;
}

/** One exchange to buy. */
export interface ExchangeOrder {
  seller: AccountId;
  amountTrm: number;
  /** A settlement's window; null for a deposit. */
  window: SettlementWindow | null;
  /** Who spends, for the safety gate ("operator" or an agent). */
  spender: string;
}

async function exchangeFrames<K extends LightningMessage["kind"]>(
  mesh: BuyerMesh,
  to: AccountId,
  message: LightningMessage,
  kinds: readonly K[],
): Promise<Extract<LightningMessage, { kind: K }>> {
  let stream: FramedStream | undefined;
  try {
    stream = await mesh.host.request(to, LIGHTNING_PROTOCOL_ID, { timeoutMs: LIGHTNING_MESH_TIMEOUT_MS });
    await stream.send(encodeLightningMessage(message));
    const next = await stream[Symbol.asyncIterator]().next();
    if (next.done === true) throw new Error("the seller closed the stream without an answer");
    return decodeLightningMessage(next.value, kinds);
  } finally {
    await stream?.close().catch(() => undefined);
  }
}

function refused(message: { reason: string; message: string }): LightningError {
  return new LightningError(LightningErrorCode.EXCHANGE_REFUSED, `the seller refused: ${message.message}`, {
    details: { reason: message.reason },
  });
}

/** Step 1: the seller's invoice for the order, checked (network, exact amount, its hash, expiry). */
async function requestInvoice(
  ctx: LightningContext,
  mesh: BuyerMesh,
  order: ExchangeOrder,
): Promise<DecodedInvoice> {
  const answer = await exchangeFrames(
    mesh,
    order.seller,
    {
      kind: "invoice_request",
      purpose: order.window === null ? "deposit" : "settlement",
      amount_trm: order.amountTrm,
      ...(order.window === null
        ? {}
        : { window_start_ms: order.window.startMs, window_end_ms: order.window.endMs }),
    },
    ["invoice", "refused"],
  );
  if (answer.kind === "refused") throw refused(answer);
  return checkInvoice(answer.bolt11, {
    network: ctx.options.network,
    amountMsat: trmToMsat(order.amountTrm, ctx.options.msatPerTrm),
    paymentHash: answer.payment_hash,
    nowMs: ctx.clock.nowMs(),
  });
}

/** Records the invoice as an outgoing payment; returns its record when it was already paid. */
function recordOutgoing(
  ctx: LightningContext,
  order: ExchangeOrder,
  invoice: DecodedInvoice,
): PaymentRecord | undefined {
  const known = ctx.store.payment(invoice.payment_hash);
  if (known !== undefined && (known.direction !== "outgoing" || known.counterparty !== order.seller))
    throw new LightningError(LightningErrorCode.INVOICE_MISMATCH, "the invoice belongs to another exchange");
  if (known?.status === "paid" || known?.status === "exchanged") return known;
  if (known !== undefined) return undefined;
  const now = ctx.clock.nowMs();
  ctx.store.insertPayment({
    payment_hash: invoice.payment_hash,
    direction: "outgoing",
    purpose: order.window === null ? "deposit" : "settlement",
    counterparty: order.seller,
    amount_trm: order.amountTrm,
    amount_msat: invoice.amount_msat as number,
    window_start_ms: order.window?.startMs ?? null,
    window_end_ms: order.window?.endMs ?? null,
    bolt11: invoice.bolt11,
    expires_at_ms: invoice.expires_at_s * 1_000,
    status: "pending",
    preimage: null,
    hold_id: null,
    trade_id: null,
    created_ms: now,
    updated_ms: now,
  });
  return undefined;
}

/** Step 2: through the safety gate and the sats budget, then the wallet; records the outcome. */
async function payThroughGate(
  ctx: LightningContext,
  wallet: LightningWallet,
  order: ExchangeOrder,
  invoice: DecodedInvoice,
): Promise<void> {
  const grant = admitPayment(
    ctx.ledger,
    ctx.store,
    { paymentSatsMax: ctx.options.paymentSatsMax, satsPerHour: ctx.options.satsPerHour },
    {
      spender: order.spender,
      amountTrm: order.amountTrm,
      amountMsat: invoice.amount_msat as number,
      paymentHash: invoice.payment_hash,
      reason: order.window === null ? "lightning deposit" : "lightning settlement",
      nowMs: ctx.clock.nowMs(),
    },
  );
  try {
    const paid = await wallet.payInvoice(invoice.bolt11);
    ctx.store.setStatus(invoice.payment_hash, "paid", ctx.clock.nowMs(), { preimage: paid.preimage });
    ctx.ledger.safety.recordSpend({
      spender: order.spender,
      amountTrm: order.amountTrm,
      grantId: grant.grantId,
    });
    ctx.ledger.safety.recordOutcome(order.spender, true);
  } catch (error) {
    ctx.store.setStatus(invoice.payment_hash, "failed", ctx.clock.nowMs());
    ctx.ledger.safety.releaseSpend(grant.grantId);
    ctx.ledger.safety.recordOutcome(order.spender, false);
    throw error instanceof LightningError && error.code === LightningErrorCode.PAYMENT_FAILED
      ? error
      : new LightningError(LightningErrorCode.PAYMENT_FAILED, `payment failed: ${(error as Error).message}`, {
          cause: error,
        });
  }
}

/** Steps 1–2: an invoice that passes every check, paid (or found paid), recorded with its preimage. */
async function payInvoiceStep(
  ctx: LightningContext,
  mesh: BuyerMesh,
  order: ExchangeOrder,
): Promise<PaymentRecord> {
  const wallet = ctx.wallet();
  if (wallet === undefined) throw new LightningError(LightningErrorCode.NO_WALLET, "no wallet configured");
  const invoice = await requestInvoice(ctx, mesh, order);
  const paid = recordOutgoing(ctx, order, invoice);
  if (paid !== undefined) return paid;
  await payThroughGate(ctx, wallet, order, invoice);
  return ctx.store.payment(invoice.payment_hash) as PaymentRecord;
}

/** Step 3: the exchange trade, signed here, countersigned by the seller, applied and gossiped. */
async function exchangeStep(
  ctx: LightningContext,
  mesh: BuyerMesh,
  order: ExchangeOrder,
  row: PaymentRecord,
): Promise<SignedTrade> {
  const trade = buildExchangeTrade({
    buyer: ctx.self,
    seller: order.seller,
    amountTrm: row.amount_trm,
    preimage: row.preimage as string,
    amountMsat: row.amount_msat,
    window: order.window,
    timestampMs: ctx.clock.nowMs(),
  });
  const providerSignature = signTrade(trade, ctx.signer);
  const answer = await exchangeFrames(
    mesh,
    order.seller,
    { kind: "exchange_proposal", trade, provider_signature: providerSignature },
    ["exchange_accept", "refused"],
  );
  if (answer.kind === "refused") throw refused(answer);
  const signed = assembleSignedTrade(trade, providerSignature, answer.consumer_signature);
  await mesh.announceTrade(signed);
  if (ctx.ledger.getTrade(signed.trade_id) === undefined)
    throw new LightningError(LightningErrorCode.EXCHANGE_REFUSED, "the exchange trade did not apply here");
  ctx.store.setStatus(row.payment_hash, "exchanged", ctx.clock.nowMs(), { tradeId: signed.trade_id });
  return signed;
}

/** Buys `order` end to end, or resumes it. Returns the applied exchange trade. */
export async function buyExchange(
  ctx: LightningContext,
  mesh: BuyerMesh,
  order: ExchangeOrder,
): Promise<{ signed: SignedTrade; payment: PaymentRecord }> {
  // A deposit paid earlier whose exchange did not complete is resumed, never paid a second time.
  let row: PaymentRecord | undefined =
    order.window === null ? ctx.store.paidDeposit(order.seller, order.amountTrm) : undefined;
  if (order.window !== null) {
    const previous = ctx.store.overlapping(order.seller, "outgoing", order.window);
    const done = previous.find((p) => p.status === "exchanged");
    if (done !== undefined) {
      const stored = ctx.ledger.getTrade(done.trade_id as string);
      if (stored !== undefined) {
        const { applied_ms: _applied, ...signed } = stored;
        return { signed, payment: done };
      }
    }
    row = previous.find(
      (p) =>
        p.status === "paid" &&
        p.window_start_ms === order.window?.startMs &&
        p.window_end_ms === order.window?.endMs,
    );
  }
  row ??= await payInvoiceStep(ctx, mesh, order);
  if (row.status === "exchanged") {
    const stored = ctx.ledger.getTrade(row.trade_id as string);
    if (stored !== undefined) {
      const { applied_ms: _applied, ...signed } = stored;
      return { signed, payment: row };
    }
  }
  const signed = await exchangeStep(ctx, mesh, order, row);
  return { signed, payment: ctx.store.payment(row.payment_hash) as PaymentRecord };
}
