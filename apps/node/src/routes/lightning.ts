/**
 * Lightning routes under `/v1/tirami` (docs/lightning.md; upstream's names, docs/upstream.md §10.5,
 * §4.12): the wallet (`GET /wallet`, `POST /wallet/connect`, `DELETE /wallet`, `GET /wallet/balance`),
 * the quote `GET /invoice?trm=`, positions of a window `GET /settlement/positions`, paying them
 * `POST /settlement/pay`, buying TRM `POST /deposit`, the records `GET /exchanges` and
 * `GET /lightning/payments`, and anchors `GET /anchor?window=<start_ms>-<end_ms>&network=`,
 * `POST /anchor/txid`, `GET /anchors`. Paying, receiving and the wallet are the operator's; agents read.
 * Without a wallet every pay or receive route answers 409 NO_WALLET — never a fake invoice.
 * @module
 */
import { Hono } from "hono";
import { parseAccountId } from "@tirami/core";
import {
  LightningError,
  LightningErrorCode,
  msatToSatsCeil,
  parseNetwork,
  type SettlementWindow,
  trmToMsat,
  type WalletConfig,
} from "@tirami/lightning";
import { operatorOnly } from "../middleware/auth.js";
import { readJsonBody } from "../openai/json-body.js";
import { parseBody } from "../openai/schemas.js";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { NodeLightning } from "../lightning/node-lightning.js";
import type { AppEnv } from "../principal.js";
import { integerParam } from "./query.js";
import {
  anchorTxidBody,
  depositBody,
  LIGHTNING_TRM_MAX,
  LIGHTNING_WINDOW_MS_MAX,
  settlementPayBody,
  walletConnectBody,
} from "@tirami/client";

export interface LightningRoutesDeps {
  lightning(): NodeLightning | undefined;
  nowMs(): number;
}

const HOUR_MS = 3_600_000;

/** `window=<start_ms>-<end_ms>`, or `hours=` back from now (default 24). */
function windowParam(query: (name: string) => string | undefined, nowMs: number): SettlementWindow {
  const raw = query("window");
  if (raw !== undefined) {
    const match = /^(\d{1,16})-(\d{1,16})$/.exec(raw);
    const startMs = Number(match?.[1]);
    const endMs = Number(match?.[2]);
    if (
      match === null ||
      !Number.isSafeInteger(startMs) ||
      !Number.isSafeInteger(endMs) ||
      endMs <= startMs ||
      endMs - startMs > LIGHTNING_WINDOW_MS_MAX
    )
      throw new NodeError(
        NodeErrorCode.INVALID_REQUEST,
        "window: expected <start_ms>-<end_ms>, start before end, at most 366 days",
        { param: "window" },
      );
    return { startMs, endMs };
  }
  const hours = integerParam(query("hours"), "hours", 24, 1, 366 * 24) as number;
  return { startMs: Math.max(0, nowMs - hours * HOUR_MS), endMs: nowMs };
}

export function lightningRoutes(deps: LightningRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const node = (): NodeLightning => {
    const lightning = deps.lightning();
    if (lightning === undefined)
      throw new NodeError(NodeErrorCode.NOT_FOUND, "Lightning is not enabled on this node");
    return lightning;
  };
  const withWallet = (): NodeLightning => {
    const lightning = node();
    if (lightning.service.wallet() === undefined)
      throw new LightningError(
        LightningErrorCode.NO_WALLET,
        "no wallet configured: connect one with `tirami wallet connect` (Nostr Wallet Connect or LND)",
      );
    return lightning;
  };
  const sats = (amountTrm: number) => {
    const msat = trmToMsat(Math.abs(amountTrm), node().service.options.msatPerTrm);
    return { amount_msat: msat, amount_sats: msatToSatsCeil(msat) };
  };

  app.get("/wallet", (c) => c.json(node().status()));

  app.post("/wallet/connect", operatorOnly(), async (c) => {
    const body = parseBody(walletConnectBody, await readJsonBody(c));
    const config: WalletConfig =
      "nwc_uri" in body
        ? { backend: "nwc", nwc_uri: body.nwc_uri }
        : {
            backend: "lnd",
            rest_url: body.lnd.rest_url,
            macaroon_hex: body.lnd.macaroon_hex.toLowerCase(),
            ...(body.lnd.tls_cert_pem === undefined ? {} : { tls_cert_pem: body.lnd.tls_cert_pem }),
          };
    return c.json(await node().connect(config));
  });

  app.delete("/wallet", operatorOnly(), async (c) => c.json(await node().disconnect()));

  app.get("/wallet/balance", async (c) => {
    const balanceMsat = await withWallet().service.wallet()!.balanceMsat();
    return c.json({
      balance_msat: balanceMsat,
      balance_sats: Math.floor(balanceMsat / 1_000),
      ...node().status(),
    });
  });

  // The quote (upstream's invoice quote): what `trm` costs in Lightning here; nothing is debited or issued.
  app.get("/invoice", (c) => {
    const amountTrm = integerParam(c.req.query("trm"), "trm", undefined, 1, LIGHTNING_TRM_MAX);
    if (amountTrm === undefined)
      throw new NodeError(NodeErrorCode.INVALID_REQUEST, "trm: required", { param: "trm" });
    const lightning = node();
    return c.json({
      ...lightning.service.quote(amountTrm),
      description: `Tirami: ${amountTrm} TRM`,
      network: lightning.service.options.network,
      wallet_connected: lightning.service.wallet() !== undefined,
    });
  });

  app.get("/settlement/positions", (c) => {
    const window = windowParam((n) => c.req.query(n), deps.nowMs());
    const positions = node()
      .service.positions(window)
      .map((p) => ({ ...p, ...sats(p.net_trm) }));
    return c.json({ window_start_ms: window.startMs, window_end_ms: window.endMs, positions });
  });

  app.post("/settlement/pay", operatorOnly(), async (c) => {
    const body = parseBody(settlementPayBody, await readJsonBody(c));
    const outcomes = await withWallet().service.settle({
      window: { startMs: body.window_start_ms, endMs: body.window_end_ms },
      ...(body.counterparty === undefined
        ? {}
        : { counterparty: parseAccountId(body.counterparty, "counterparty") }),
      spender: "operator",
    });
    return c.json({
      window_start_ms: body.window_start_ms,
      window_end_ms: body.window_end_ms,
      settled: outcomes.filter((o) => o.status === "settled").length,
      failed: outcomes.filter((o) => o.status === "failed").length,
      outcomes: outcomes.map((o) => ({ ...o, ...sats(o.amount_trm) })),
    });
  });

  app.post("/deposit", operatorOnly(), async (c) => {
    const body = parseBody(depositBody, await readJsonBody(c));
    const { signed, payment } = await withWallet().service.deposit({
      seller: parseAccountId(body.seller, "seller"),
      amountTrm: body.amount_trm,
      spender: "operator",
    });
    return c.json({ trade_id: signed.trade_id, trade: signed.trade, payment }, 201);
  });

  app.get("/exchanges", (c) => {
    const lightning = node();
    const exchanges = lightning.service.exchanges();
    return c.json({ count: exchanges.length, exchanges, verify: lightning.service.verify() });
  });

  app.get("/lightning/payments", operatorOnly(), (c) => {
    const limit = integerParam(c.req.query("limit"), "limit", 100, 1, 1_000) as number;
    const lightning = node();
    lightning.service.sweep();
    const payments = lightning.service.payments(limit);
    return c.json({ count: payments.length, payments });
  });

  app.get("/anchor", (c) => {
    const window = windowParam((n) => c.req.query(n), deps.nowMs());
    if (c.req.query("window") === undefined)
      throw new NodeError(NodeErrorCode.INVALID_REQUEST, "window: required (<start_ms>-<end_ms>)", {
        param: "window",
      });
    const network = parseNetwork(c.req.query("network") ?? "testnet");
    return c.json(node().service.anchor(window, network));
  });

  app.post("/anchor/txid", operatorOnly(), async (c) => {
    const body = parseBody(anchorTxidBody, await readJsonBody(c));
    const record = node().service.reportAnchorTxid(
      { startMs: body.window_start_ms, endMs: body.window_end_ms },
      parseNetwork(body.network),
      body.txid,
    );
    return c.json(record);
  });

  app.get("/anchors", (c) => {
    const anchors = node().service.anchors();
    return c.json({ count: anchors.length, anchors });
  });

  return app;
}
