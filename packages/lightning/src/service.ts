/**
 * `createLightning`: the node's Lightning service on its ledger and mesh — quotes, positions of a window,
 * settlement that pays (every counterparty this node owes over the window, each through the safety gate),
 * deposits (buying TRM from a seller), the seller's side of both on `/tirami/lightning/1.0.0`, the
 * records, and anchors of a window. The wallet can be set and cleared while the node runs; without one,
 * every pay and receive operation throws NO_WALLET (and the seller refuses requests).
 * @module
 */
import { type AccountId, assertAmountTrm, type Clock, type Signer, systemClock } from "@tirami/core";
import type { Ledger } from "@tirami/ledger";
import type { FramedStream, MeshHost } from "@tirami/net";
import type { SignedTrade } from "@tirami/proto";
import { type AnchorPsbt, buildAnchorPsbt } from "./anchor.js";
import { type BuyerMesh, buyExchange } from "./buyer.js";
import {
  BUDGET_SATS_PER_HOUR_DEFAULT,
  INVOICE_EXPIRY_S_DEFAULT,
  MSAT_PER_TRM_DEFAULT,
  PAYMENT_SATS_MAX_DEFAULT,
} from "./constants.js";
import type { LightningContext, LightningOptions } from "./context.js";
import { LightningError, LightningErrorCode } from "./errors.js";
import type { SettlementWindow } from "./exchange.js";
import {
  decodeLightningMessage,
  encodeLightningMessage,
  LIGHTNING_PROTOCOL_ID,
  type LightningMessage,
} from "./messages.js";
import type { BitcoinNetwork } from "./network.js";
import { type Position, positionsOf } from "./positions.js";
import { assertRate, quoteTrm, type TrmQuote } from "./rate.js";
import { answerExchangeProposal, answerInvoiceRequest, sweepExpiredInvoices } from "./seller.js";
import { type AnchorRecord, createLightningStore, type ExchangeRecord, type PaymentRecord } from "./store.js";
import { type LightningVerifyReport, verifyLightning } from "./verify.js";
import type { LightningWallet } from "./wallet.js";

/** The mesh parts the service uses (a `Market` fits). */
export interface LightningMesh extends BuyerMesh {
  host: Pick<MeshHost, "request" | "handle" | "unhandle">;
}

export interface LightningDeps {
  ledger: Ledger;
  signer: Signer;
  clock?: Clock;
  /** Without a mesh, only quotes, records and anchors work. */
  mesh?: LightningMesh;
  wallet?: LightningWallet;
  options: Partial<LightningOptions> & { network: BitcoinNetwork };
  log?(message: string, fields: Record<string, unknown>): void;
}

/** The result of settling one counterparty. */
export interface SettleOutcome {
  counterparty: AccountId;
  amount_trm: number;
  status: "settled" | "failed";
  trade_id?: string;
  payment_hash?: string;
  error?: { code: string; message: string };
}

/** The service. */
export interface Lightning {
  readonly options: Readonly<LightningOptions>;
  start(): Promise<void>;
  stop(): Promise<void>;
  wallet(): LightningWallet | undefined;
  /** Replaces the wallet (closing the previous one); `undefined` disconnects. */
  setWallet(wallet: LightningWallet | undefined): Promise<void>;
  quote(amountTrm: number): TrmQuote;
  positions(window: SettlementWindow): Position[];
  /**
   * Pays every counterparty this node owes over `window` (or only `counterparty`), each as one exchange.
   * A counterparty whose payment fails or is denied is reported `failed`; the others still settle.
   * @throws {LightningError} NO_WALLET; NOTHING_TO_SETTLE when `counterparty` is owed nothing.
   */
  settle(request: {
    window: SettlementWindow;
    counterparty?: AccountId;
    spender?: string;
  }): Promise<SettleOutcome[]>;
  /** Buys `amountTrm` from `seller` for sats (a deposit). */
  deposit(request: {
    seller: AccountId;
    amountTrm: number;
    spender?: string;
  }): Promise<{ signed: SignedTrade; payment: PaymentRecord }>;
  /** Exchange trades in this ledger (settlements have a window; deposits do not). */
  exchanges(): ExchangeRecord[];
  payments(limit?: number): PaymentRecord[];
  /** The anchor of a window on a network (recorded on first request). */
  anchor(window: SettlementWindow, network: BitcoinNetwork): AnchorPsbt & { record: AnchorRecord };
  /** Records the txid the operator broadcast the anchor with. ANCHOR_NOT_FOUND. */
  reportAnchorTxid(window: SettlementWindow, network: BitcoinNetwork, txid: string): AnchorRecord;
  anchors(limit?: number): AnchorRecord[];
  /** Releases the holds of invoices that expired unpaid. */
  sweep(): number;
  /** Audits exchange trades and payment records (`ledger.verify()` re-checks their signatures). */
  verify(): LightningVerifyReport;
}

function resolveOptions(options: LightningDeps["options"]): LightningOptions {
  const resolved: LightningOptions = {
    network: options.network,
    msatPerTrm: options.msatPerTrm ?? MSAT_PER_TRM_DEFAULT,
    invoiceExpiryS: options.invoiceExpiryS ?? INVOICE_EXPIRY_S_DEFAULT,
    paymentSatsMax: options.paymentSatsMax ?? PAYMENT_SATS_MAX_DEFAULT,
    satsPerHour: options.satsPerHour ?? BUDGET_SATS_PER_HOUR_DEFAULT,
    depositTrmMax: options.depositTrmMax ?? 0,
  };
  assertRate(resolved.msatPerTrm);
  for (const key of ["invoiceExpiryS", "paymentSatsMax", "satsPerHour", "depositTrmMax"] as const) {
    if (!Number.isSafeInteger(resolved[key]) || resolved[key] < 0)
      throw new RangeError(`"${key}" expected a non-negative integer`);
  }
  if (resolved.invoiceExpiryS < 60) throw new RangeError(`"invoiceExpiryS" expected at least 60`);
  return resolved;
}

function checkWindow(window: SettlementWindow): void {
  if (
    !Number.isSafeInteger(window.startMs) ||
    window.startMs < 0 ||
    !Number.isSafeInteger(window.endMs) ||
    window.endMs <= window.startMs
  )
    throw new LightningError(
      LightningErrorCode.AMOUNT_INVALID,
      "a window is [start_ms, end_ms) with start_ms < end_ms",
    );
}

/** Builds the service (call `start` to serve the seller side on the mesh). */
export function createLightning(deps: LightningDeps): Lightning {
  const options = resolveOptions(deps.options);
  const clock = deps.clock ?? systemClock;
  let wallet = deps.wallet;
  const store = createLightningStore(deps.ledger.sqlite);
  const ctx: LightningContext = {
    self: deps.signer.accountId,
    ledger: deps.ledger,
    signer: deps.signer,
    clock,
    store,
    wallet: () => wallet,
    options,
    log: deps.log ?? (() => undefined),
  };
  const mesh = (): LightningMesh => {
    if (deps.mesh === undefined)
      throw new LightningError(LightningErrorCode.EXCHANGE_REFUSED, "the mesh is not running on this node");
    return deps.mesh;
  };
  const needWallet = () => {
    if (wallet === undefined)
      throw new LightningError(
        LightningErrorCode.NO_WALLET,
        "no wallet configured: run `tirami wallet connect`",
      );
  };

  async function handle(stream: FramedStream, from: AccountId): Promise<void> {
    const first = await stream[Symbol.asyncIterator]().next();
    if (first.done === true) return;
    let reply: LightningMessage;
    try {
      const request = decodeLightningMessage(first.value, ["invoice_request", "exchange_proposal"]);
      reply =
        request.kind === "invoice_request"
          ? await answerInvoiceRequest(ctx, from, request)
          : answerExchangeProposal(ctx, from, request);
    } catch (error) {
      reply = { kind: "refused", reason: "INVALID", message: (error as Error).message.slice(0, 200) };
    }
    await stream.send(encodeLightningMessage(reply)).catch(() => undefined);
    await stream.close().catch(() => undefined);
  }

  return {
    options,
    async start() {
      await deps.mesh?.host.handle(LIGHTNING_PROTOCOL_ID, handle);
    },
    async stop() {
      await deps.mesh?.host.unhandle(LIGHTNING_PROTOCOL_ID).catch(() => undefined);
      await wallet?.close().catch(() => undefined);
      wallet = undefined;
    },
    wallet: () => wallet,
    async setWallet(next) {
      const previous = wallet;
      wallet = next;
      if (previous !== undefined && previous !== next) await previous.close().catch(() => undefined);
    },
    quote: (amountTrm) => quoteTrm(amountTrm, options.msatPerTrm),
    positions(window) {
      checkWindow(window);
      return positionsOf(deps.ledger, ctx.self, window, store.exchanges());
    },
    async settle(request) {
      checkWindow(request.window);
      needWallet();
      const owed = positionsOf(deps.ledger, ctx.self, request.window, store.exchanges()).filter(
        (p) =>
          p.net_trm < 0 && (request.counterparty === undefined || p.counterparty === request.counterparty),
      );
      if (request.counterparty !== undefined && owed.length === 0)
        throw new LightningError(
          LightningErrorCode.NOTHING_TO_SETTLE,
          "this node owes that counterparty nothing over the window",
        );
      const outcomes: SettleOutcome[] = [];
      for (const position of owed) {
        const amountTrm = -position.net_trm;
        try {
          const { signed, payment } = await buyExchange(ctx, mesh(), {
            seller: position.counterparty,
            amountTrm,
            window: request.window,
            spender: request.spender ?? "operator",
          });
          outcomes.push({
            counterparty: position.counterparty,
            amount_trm: amountTrm,
            status: "settled",
            trade_id: signed.trade_id,
            payment_hash: payment.payment_hash,
          });
        } catch (error) {
          const e = error as { code?: unknown; message: string };
          outcomes.push({
            counterparty: position.counterparty,
            amount_trm: amountTrm,
            status: "failed",
            error: {
              code: typeof e.code === "string" ? e.code : "INTERNAL",
              message: e.message.slice(0, 300),
            },
          });
        }
      }
      return outcomes;
    },
    async deposit(request) {
      assertAmountTrm(request.amountTrm);
      if (request.amountTrm < 1)
        throw new LightningError(LightningErrorCode.AMOUNT_INVALID, "a deposit buys at least 1 TRM");
      needWallet();
      return buyExchange(ctx, mesh(), {
        seller: request.seller,
        amountTrm: request.amountTrm,
        window: null,
        spender: request.spender ?? "operator",
      });
    },
    exchanges: () => store.exchanges(),
    payments: (limit) => store.payments(limit),
    anchor(window, network) {
      checkWindow(window);
      const statement = deps.ledger.settlement({ fromMs: window.startMs, toMs: window.endMs });
      const record = store.recordAnchor({
        window_start_ms: window.startMs,
        window_end_ms: window.endMs,
        network,
        merkle_root: statement.merkle_root,
        trade_count: statement.trade_count,
        created_ms: clock.nowMs(),
      });
      // The PSBT is of the window's current root; a record already broadcast keeps the root it anchored,
      // so `record.merkle_root` ≠ `merkle_root` says trades of the window arrived after the broadcast.
      const psbt = buildAnchorPsbt({
        network,
        merkleRoot: statement.merkle_root,
        windowStartMs: window.startMs,
        windowEndMs: window.endMs,
      });
      return { ...psbt, record };
    },
    reportAnchorTxid(window, network, txid) {
      if (!/^[0-9a-f]{64}$/.test(txid))
        throw new LightningError(LightningErrorCode.AMOUNT_INVALID, "a txid is 64 lowercase hex");
      if (!store.setAnchorTxid(window, network, txid, clock.nowMs()))
        throw new LightningError(
          LightningErrorCode.ANCHOR_NOT_FOUND,
          "no anchor was prepared for that window and network",
        );
      return store.anchor(window, network) as AnchorRecord;
    },
    anchors: (limit) => store.anchors(limit),
    sweep: () => sweepExpiredInvoices(ctx),
    verify: () => verifyLightning(deps.ledger.sqlite, store),
  };
}
