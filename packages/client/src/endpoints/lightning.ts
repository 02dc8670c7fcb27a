/**
 * Rows of the Lightning routes (docs/lightning.md): the operator's wallet (NWC or LND REST), quotes in
 * sats, settlement that pays a window's net position, deposits (TRM sold for sats as an exchange trade),
 * and anchors of a window's Merkle root as unsigned PSBTs.
 * @module
 */
import { endpoint } from "../endpoint.js";
import {
  anchorQuery,
  anchorTxidBody,
  depositBody,
  invoiceQuoteQuery,
  lightningPaymentsQuery,
  positionsQuery,
  settlementPayBody,
  walletConnectBody,
} from "../schemas/lightning.js";

type Json = Record<string, unknown>;

export const lightningEndpoints = {
  wallet: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/wallet",
    summary: "Which Lightning wallet is connected (NWC or LND), its network and state; never its secrets.",
    access: "token",
    mcp: "tirami_wallet",
  }),
  connectWallet: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/wallet/connect",
    summary:
      "Connect the operator's Lightning wallet: a nostr+walletconnect:// URI, or LND REST with a macaroon (operator).",
    access: "operator",
    input: walletConnectBody,
    destructive: true,
    mcp: "tirami_wallet_connect",
  }),
  disconnectWallet: endpoint<Json>()({
    method: "DELETE",
    path: "/v1/tirami/wallet",
    summary: "Disconnect the Lightning wallet (operator).",
    access: "operator",
    destructive: true,
    mcp: "tirami_wallet_disconnect",
  }),
  walletBalance: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/wallet/balance",
    summary: "The connected wallet's balance in msat and sats (409 NO_WALLET without one).",
    access: "token",
    mcp: "tirami_wallet_balance",
  }),
  invoiceQuote: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/invoice",
    summary: "What an amount of TRM is worth in sats and msat at this node's rate.",
    access: "token",
    input: invoiceQuoteQuery,
    mcp: "tirami_invoice_quote",
  }),
  settlementPositions: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/settlement/positions",
    summary: "The net TRM position towards each counterparty over a window, and which are settled.",
    access: "token",
    input: positionsQuery.optional(),
    mcp: "tirami_settlement_positions",
  }),
  paySettlement: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/settlement/pay",
    summary:
      "Pay what this node owes over a window: each creditor issues an invoice over the mesh, the wallet pays it (operator).",
    access: "operator",
    input: settlementPayBody,
    destructive: true,
    mcp: "tirami_settlement_pay",
  }),
  deposit: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/deposit",
    summary:
      "Buy TRM from another node for sats: pay its invoice, then the exchange trade moves the TRM (operator).",
    access: "operator",
    input: depositBody,
    destructive: true,
    mcp: "tirami_deposit",
  }),
  exchanges: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/exchanges",
    summary: "Exchange trades (TRM for sats) in this ledger, with the Lightning audit of each.",
    access: "token",
    mcp: "tirami_exchanges",
  }),
  lightningPayments: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/lightning/payments",
    summary: "Lightning payments and invoices of this node, newest first (operator).",
    access: "operator",
    input: lightningPaymentsQuery.optional(),
    mcp: "tirami_lightning_payments",
  }),
  anchor: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/anchor",
    summary:
      "An unsigned PSBT whose OP_RETURN commits to a window's Merkle root, for the operator to sign and broadcast.",
    access: "token",
    input: anchorQuery,
    mcp: "tirami_anchor",
  }),
  reportAnchorTxid: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/anchor/txid",
    summary: "Record the txid an anchor was broadcast with (operator).",
    access: "operator",
    input: anchorTxidBody,
    mcp: "tirami_anchor_txid",
  }),
  anchors: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/anchors",
    summary: "Anchor records: window, root, network and txid once reported.",
    access: "token",
    mcp: "tirami_anchors",
  }),
} as const;
