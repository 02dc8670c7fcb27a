/**
 * Economy routes under `/v1/tirami` (docs/upstream.md §3.5, names as upstream with TRM units): the node's balance,
 * its price, recent trades, network totals with the Merkle root, inclusion proofs and settlement statements.
 * Readable by the operator and by agents.
 * @module
 */
import type { NetworkResponse, PricingResponse, TradeProof, TradesResponse } from "@tirami/client";
import { Hono } from "hono";
import { type AccountId, costTrm } from "@tirami/core";
import type { UsageMeter } from "../agents/usage.js";
import {
  SETTLEMENT_HOURS_DEFAULT,
  SETTLEMENT_HOURS_MAX,
  TRADES_LIMIT_DEFAULT,
  TRADES_LIMIT_MAX,
} from "../constants.js";
import { isTradeId } from "@tirami/proto";
import type { LedgerPort, PricingPort } from "../deps.js";
import { NodeError, NodeErrorCode } from "../errors.js";
import { type AppEnv, spenderOf } from "../principal.js";
import { integerParam, numberParam } from "./query.js";

const HOUR_MS = 3_600_000;
/** Largest reference price accepted by `/settlement?price=` (sats per TRM). */
const PRICE_SATS_PER_TRM_MAX = 1e9;

/** What the economy routes read. */
export interface EconomyDeps {
  ledger: LedgerPort;
  pricing: PricingPort;
  usage: UsageMeter;
  localAccount: AccountId;
  nowMs(): number;
  /** The mesh view (peers, offers, root agreement), when the mesh runs. */
  meshView?: (() => Record<string, unknown> | undefined) | undefined;
}

/** Routes of the economy endpoints. */
export function economyRoutes(deps: EconomyDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/balance", (c) => {
    const spender = spenderOf(c.get("principal"));
    return c.json({ ...deps.ledger.balance(deps.localAccount), spender, usage: deps.usage.get(spender) });
  });

  app.get("/pricing", (c) => {
    const price = deps.pricing.priceTrmPerToken();
    return c.json({
      ...deps.pricing.snapshot(),
      price_trm_per_token: price,
      estimated_cost_100_tokens_trm: costTrm(100, price),
      estimated_cost_1000_tokens_trm: costTrm(1_000, price),
    } satisfies PricingResponse);
  });

  app.get("/trades", (c) => {
    const limit = integerParam(
      c.req.query("limit"),
      "limit",
      TRADES_LIMIT_DEFAULT,
      1,
      TRADES_LIMIT_MAX,
    ) as number;
    const before = c.req.query("before");
    if (before !== undefined && !isTradeId(before)) {
      throw new NodeError(NodeErrorCode.INVALID_REQUEST, "before: expected a trade id (64 lowercase hex)", {
        param: "before",
      });
    }
    const trades = deps.ledger.listTrades(before === undefined ? { limit } : { limit, before });
    return c.json({ count: trades.length, trades } satisfies TradesResponse);
  });

  app.get("/network", (c) => {
    const accounts = deps.ledger.listAccounts();
    let contributed = 0;
    let consumed = 0;
    let trading = 0;
    for (const account of accounts) {
      contributed += account.contributed_trm;
      consumed += account.consumed_trm;
      if (account.trade_count > 0) trading += 1;
    }
    return c.json({
      local_account: deps.localAccount,
      // Rows of this ledger: also accounts seen only through a hold or a grant here, so it differs
      // between nodes; `trading_accounts` (a party to at least one trade) agrees wherever the trades do.
      total_accounts: accounts.length,
      trading_accounts: trading,
      total_trades: deps.ledger.tradeCount(),
      total_contributed_trm: contributed,
      total_consumed_trm: consumed,
      merkle_root: deps.ledger.merkleRoot(),
      mesh: deps.meshView?.() ?? null,
    } satisfies NetworkResponse);
  });

  app.get("/trades/:trade_id", (c) => {
    const tradeId = c.req.param("trade_id");
    if (!isTradeId(tradeId))
      throw new NodeError(NodeErrorCode.INVALID_REQUEST, "trade_id: expected 64 lowercase hex characters", {
        param: "trade_id",
      });
    const trade = deps.ledger.getTrade(tradeId);
    if (trade === undefined)
      throw new NodeError(NodeErrorCode.NOT_FOUND, `no trade ${tradeId} in this ledger`);
    return c.json(trade);
  });

  app.get("/proof/:trade_id", (c) => {
    const tradeId = c.req.param("trade_id");
    if (!isTradeId(tradeId))
      throw new NodeError(NodeErrorCode.INVALID_REQUEST, "trade_id: expected 64 lowercase hex characters", {
        param: "trade_id",
      });
    return c.json(deps.ledger.proof(tradeId) satisfies TradeProof);
  });

  app.get("/settlement", (c) => {
    const nowMs = deps.nowMs();
    const toMs = integerParam(c.req.query("to"), "to", nowMs, 0, Number.MAX_SAFE_INTEGER) as number;
    const hours = integerParam(
      c.req.query("hours"),
      "hours",
      SETTLEMENT_HOURS_DEFAULT,
      1,
      SETTLEMENT_HOURS_MAX,
    ) as number;
    const fromMs = integerParam(
      c.req.query("from"),
      "from",
      Math.max(0, toMs - hours * HOUR_MS),
      0,
      Number.MAX_SAFE_INTEGER,
    ) as number;
    if (fromMs > toMs)
      throw new NodeError(NodeErrorCode.INVALID_REQUEST, "from must not be after to", { param: "from" });
    const price = numberParam(c.req.query("price"), "price", PRICE_SATS_PER_TRM_MAX);
    return c.json(
      deps.ledger.settlement(
        price === undefined ? { fromMs, toMs } : { fromMs, toMs, referencePriceSatsPerTrm: price },
      ),
    );
  });

  return app;
}
