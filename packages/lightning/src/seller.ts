/**
 * The seller's side of an exchange (the creditor of a settlement, or a node selling TRM in a deposit):
 * it answers an invoice request with an invoice from its wallet after holding the TRM it sells until the
 * invoice expires (plus a grace), and signs the buyer's exchange trade only when the trade's preimage
 * hashes to that invoice's payment hash and every term matches the invoice it issued. A settlement invoice
 * is issued only for the exact net this node's own ledger shows the buyer owes it over the window, and
 * never for a window overlapping one already settled between them; a repeated request for the same
 * window gets the same open invoice (idempotent retries).
 * @module
 */
import type { AccountId } from "@tirami/core";
import { assembleSignedTrade, signTrade } from "@tirami/proto";
import { decodeInvoice } from "./bolt11.js";
import { LightningError } from "./errors.js";
import type { LightningContext } from "./context.js";
import { parseExchange, type SettlementWindow } from "./exchange.js";
import type {
  ExchangeAcceptMessage,
  ExchangeProposalMessage,
  InvoiceMessage,
  InvoiceRequestMessage,
  RefusalReason,
  RefusedMessage,
} from "./messages.js";
import { positionsOf } from "./positions.js";
import { trmToMsat } from "./rate.js";
import type { PaymentRecord } from "./store.js";
import type { LightningWallet } from "./wallet.js";

/** How long past the invoice's expiry the seller keeps the TRM held for a late exchange proposal, ms. */
export const EXCHANGE_GRACE_MS = 600_000;

const refuse = (reason: RefusalReason, message: string): RefusedMessage => ({
  kind: "refused",
  reason,
  message,
});

/** Releases the holds of invoices that expired unpaid (past the grace) and marks them expired. */
export function sweepExpiredInvoices(ctx: LightningContext): number {
  const now = ctx.clock.nowMs();
  const expired = ctx.store.expiredIncoming(now - EXCHANGE_GRACE_MS);
  if (expired.length === 0) return 0;
  // The holds were taken for the invoice's expiry plus the grace, so they have run out by now: the
  // ledger closes them as expired (as its maintenance loop would); one still active is released.
  ctx.ledger.releaseExpiredHolds(now);
  for (const row of expired) {
    ctx.ledger.sqlite
      .transaction(() => {
        const hold = row.hold_id === null ? undefined : ctx.ledger.getHold(row.hold_id);
        if (hold?.status === "active" && hold.expires_ms > now) ctx.ledger.release(hold.hold_id);
        ctx.store.setStatus(row.payment_hash, "expired", now);
      })
      .immediate();
  }
  return expired.length;
}

function settlementRefusal(
  ctx: LightningContext,
  from: AccountId,
  window: SettlementWindow,
  amountTrm: number,
): RefusedMessage | null {
  const position = positionsOf(ctx.ledger, ctx.self, window, ctx.store.exchanges()).find(
    (p) => p.counterparty === from,
  );
  if (position?.settled_by !== undefined && position.settled_by !== null)
    return refuse("ALREADY_SETTLED", `window already settled by trade ${position.settled_by}`);
  if (position === undefined || position.net_trm !== amountTrm)
    return refuse(
      "POSITION_MISMATCH",
      `this node's ledger shows ${position?.net_trm ?? 0} TRM owed over the window, not ${amountTrm}`,
    );
  return null;
}

/** Reuse margin: an open invoice expiring sooner than this is not handed out again, ms. */
const REUSE_MARGIN_MS = 60_000;

/**
 * True when an open invoice answers the same request again: same window and amount, the current rate
 * and network, and time left to pay it (a retry must not create a second invoice for one debt).
 */
function reusable(
  ctx: LightningContext,
  open: PaymentRecord,
  window: SettlementWindow,
  amountTrm: number,
  nowMs: number,
): boolean {
  return (
    open.window_start_ms === window.startMs &&
    open.window_end_ms === window.endMs &&
    open.amount_trm === amountTrm &&
    open.amount_msat === trmToMsat(amountTrm, ctx.options.msatPerTrm) &&
    decodeInvoice(open.bolt11).network === ctx.options.network &&
    open.expires_at_ms > nowMs + REUSE_MARGIN_MS
  );
}

/**
 * What a settlement request gets before any new invoice: a refusal (settled, position differs), the open
 * invoice that already answers it, or null (issue one).
 */
function settlementAnswer(
  ctx: LightningContext,
  from: AccountId,
  window: SettlementWindow,
  amountTrm: number,
): InvoiceMessage | RefusedMessage | null {
  const previous = ctx.store.overlapping(from, "incoming", window);
  if (previous.some((p) => p.status === "exchanged"))
    return refuse("ALREADY_SETTLED", "window already settled");
  const open = previous.find(
    (p) => p.status === "pending" && reusable(ctx, p, window, amountTrm, ctx.clock.nowMs()),
  );
  if (open !== undefined)
    return {
      kind: "invoice",
      bolt11: open.bolt11,
      payment_hash: open.payment_hash,
      amount_msat: open.amount_msat,
    };
  return settlementRefusal(ctx, from, window, amountTrm);
}

/** Holds the TRM sold, issues the invoice and records it; the hold is released if the wallet fails. */
async function issueInvoice(
  ctx: LightningContext,
  wallet: LightningWallet,
  from: AccountId,
  request: InvoiceRequestMessage,
  window: SettlementWindow | null,
): Promise<InvoiceMessage | RefusedMessage> {
  const amountMsat = trmToMsat(request.amount_trm, ctx.options.msatPerTrm);
  const expiryS = ctx.options.invoiceExpiryS;
  let holdId: string;
  try {
    holdId = ctx.ledger.reserve({
      account: ctx.self,
      amountTrm: request.amount_trm,
      reason: `lightning exchange with ${from.slice(0, 16)}`,
      ttlMs: expiryS * 1_000 + EXCHANGE_GRACE_MS,
    });
  } catch (error) {
    return refuse("INSUFFICIENT_BALANCE", (error as Error).message.slice(0, 200));
  }
  try {
    const description =
      window === null
        ? `tirami: ${request.amount_trm} TRM`
        : `tirami settlement ${window.startMs}-${window.endMs}: ${request.amount_trm} TRM`;
    const invoice = await wallet.createInvoice({ amountMsat, description, expiryS });
    const now = ctx.clock.nowMs();
    ctx.store.insertPayment({
      payment_hash: invoice.payment_hash,
      direction: "incoming",
      purpose: request.purpose,
      counterparty: from,
      amount_trm: request.amount_trm,
      amount_msat: amountMsat,
      window_start_ms: window?.startMs ?? null,
      window_end_ms: window?.endMs ?? null,
      bolt11: invoice.bolt11,
      expires_at_ms: invoice.expires_at_s * 1_000,
      status: "pending",
      preimage: null,
      hold_id: holdId,
      trade_id: null,
      created_ms: now,
      updated_ms: now,
    });
    ctx.log("lightning invoice issued", {
      counterparty: from,
      amount_trm: request.amount_trm,
      payment_hash: invoice.payment_hash,
    });
    return {
      kind: "invoice",
      bolt11: invoice.bolt11,
      payment_hash: invoice.payment_hash,
      amount_msat: amountMsat,
    };
  } catch (error) {
    ctx.ledger.release(holdId);
    return refuse(
      "WALLET_ERROR",
      error instanceof LightningError ? error.message.slice(0, 200) : "wallet failure",
    );
  }
}

/** Answers one invoice request from `from`. */
export async function answerInvoiceRequest(
  ctx: LightningContext,
  from: AccountId,
  request: InvoiceRequestMessage,
): Promise<InvoiceMessage | RefusedMessage> {
  const wallet = ctx.wallet();
  if (wallet === undefined) return refuse("NO_WALLET", "this node has no wallet configured");
  if (ctx.ledger.safety.killSwitch().active)
    return refuse("KILL_SWITCH", "this node's kill switch is active");
  sweepExpiredInvoices(ctx);
  if (request.purpose === "deposit") {
    if (request.amount_trm > ctx.options.depositTrmMax)
      return refuse("NOT_SELLING", `this node sells at most ${ctx.options.depositTrmMax} TRM per deposit`);
    return issueInvoice(ctx, wallet, from, request, null);
  }
  const window = { startMs: request.window_start_ms as number, endMs: request.window_end_ms as number };
  return (
    settlementAnswer(ctx, from, window, request.amount_trm) ??
    issueInvoice(ctx, wallet, from, request, window)
  );
}

/** Signs (or refuses) the buyer's exchange trade; applies it with the hold when signed. */
export function answerExchangeProposal(
  ctx: LightningContext,
  from: AccountId,
  proposal: ExchangeProposalMessage,
): ExchangeAcceptMessage | RefusedMessage {
  const { trade } = proposal;
  const terms = parseExchange(trade);
  if (terms === null || trade.provider !== from || trade.consumer !== ctx.self)
    return refuse("INVALID", "not an exchange trade from the sender to this node");
  const row = ctx.store.payment(terms.payment_hash);
  if (row === undefined || row.direction !== "incoming" || row.counterparty !== from)
    return refuse("UNKNOWN_INVOICE", "the preimage matches no invoice this node issued to the sender");
  const sameWindow =
    (terms.window === null && row.window_start_ms === null) ||
    (terms.window !== null &&
      terms.window.startMs === row.window_start_ms &&
      terms.window.endMs === row.window_end_ms);
  if (trade.amount_trm !== row.amount_trm || terms.amount_msat !== row.amount_msat || !sameWindow)
    return refuse("INVALID", "the trade's terms differ from the invoice's");
  if (row.status === "exchanged") {
    // A retry after a lost answer: sign the identical trade again only.
    const existing = ctx.ledger.getTrade(row.trade_id as string);
    if (existing === undefined || existing.provider_signature !== proposal.provider_signature)
      return refuse("ALREADY_SETTLED", "this invoice was already exchanged");
    return { kind: "exchange_accept", consumer_signature: existing.consumer_signature };
  }
  if (row.status !== "pending") return refuse("UNKNOWN_INVOICE", `the invoice is ${row.status}`);
  if (terms.window !== null) {
    // Two invoices may be open for one window (a rate or network change in between): only one settles
    // it. The amount was checked when the invoice was issued; trades of the window arriving since then do
    // not undo a payment already made (docs/lightning.md).
    const settled = positionsOf(ctx.ledger, ctx.self, terms.window, ctx.store.exchanges()).find(
      (p) => p.counterparty === from,
    )?.settled_by;
    if (settled !== undefined && settled !== null)
      return refuse("ALREADY_SETTLED", `window already settled by trade ${settled}`);
  }
  let signed;
  try {
    signed = assembleSignedTrade(trade, proposal.provider_signature, signTrade(trade, ctx.signer));
  } catch (error) {
    return refuse("INVALID", (error as Error).message.slice(0, 200));
  }
  const now = ctx.clock.nowMs();
  try {
    ctx.ledger.sqlite
      .transaction(() => {
        const hold = row.hold_id === null ? undefined : ctx.ledger.getHold(row.hold_id);
        ctx.ledger.applySignedTrade(signed, hold?.status === "active" ? { holdId: hold.hold_id } : {});
        ctx.store.setStatus(row.payment_hash, "exchanged", now, {
          preimage: terms.preimage,
          tradeId: signed.trade_id,
        });
      })
      .immediate();
  } catch (error) {
    return refuse("INVALID", (error as Error).message.slice(0, 200));
  }
  ctx.log("lightning exchange signed", {
    counterparty: from,
    trade_id: signed.trade_id,
    amount_trm: trade.amount_trm,
  });
  return { kind: "exchange_accept", consumer_signature: signed.consumer_signature };
}
