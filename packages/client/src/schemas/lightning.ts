/**
 * Request schemas of the Lightning routes (wallet, invoice quotes, settlement that pays, deposits, anchors;
 * docs/lightning.md) with their numeric limits: the node validates with them and the client checks
 * against them.
 * @module
 */
import { z } from "zod";
import { hex64 } from "./tirami.js";

/** Longest NWC connection string accepted, characters. */
export const NWC_URI_LENGTH_MAX = 2_048;
/** Longest LND macaroon accepted, hex characters. */
export const LND_MACAROON_HEX_LENGTH_MAX = 8_192;
/** Longest LND TLS certificate accepted (PEM), characters. */
export const LND_TLS_CERT_LENGTH_MAX = 16_384;
/** Longest settlement or anchor window, ms (366 days, as settlement statements). */
export const LIGHTNING_WINDOW_MS_MAX = 366 * 86_400_000;
/** Most TRM in one settlement, deposit or quote. */
export const LIGHTNING_TRM_MAX = 1_000_000_000_000;

const account = hex64;
const ms = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const trm = z.number().int().min(1).max(LIGHTNING_TRM_MAX);

/** `POST /v1/tirami/wallet/connect`: one backend. */
export const walletConnectBody = z.union([
  z
    .object({ nwc_uri: z.string().min(1).max(NWC_URI_LENGTH_MAX).startsWith("nostr+walletconnect:") })
    .strict(),
  z
    .object({
      lnd: z
        .object({
          rest_url: z.string().url().max(1_024),
          macaroon_hex: z
            .string()
            .regex(/^[0-9a-fA-F]+$/, "expected hex")
            .max(LND_MACAROON_HEX_LENGTH_MAX),
          tls_cert_pem: z.string().max(LND_TLS_CERT_LENGTH_MAX).optional(),
        })
        .strict(),
    })
    .strict(),
]);
export type WalletConnectBody = z.infer<typeof walletConnectBody>;

/** A window `[window_start_ms, window_end_ms)`. */
const window = { window_start_ms: ms, window_end_ms: ms };

/** `POST /v1/tirami/settlement/pay`. */
export const settlementPayBody = z
  .object({ ...window, counterparty: account.optional() })
  .strict()
  .refine((b) => b.window_end_ms > b.window_start_ms, {
    message: "window_end_ms must be after window_start_ms",
  })
  .refine((b) => b.window_end_ms - b.window_start_ms <= LIGHTNING_WINDOW_MS_MAX, {
    message: "the window is longer than 366 days",
  });

/** `POST /v1/tirami/deposit`: buy `amount_trm` from `seller` for sats. */
export const depositBody = z.object({ seller: account, amount_trm: trm }).strict();

/** `POST /v1/tirami/anchor/txid`: the txid the operator broadcast an anchor with. */
export const anchorTxidBody = z
  .object({
    ...window,
    network: z.enum(["mainnet", "bitcoin", "testnet", "signet", "regtest"]),
    txid: z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex characters"),
  })
  .strict();

/** A window as a query: `window=<start_ms>-<end_ms>`, or the last `hours` (default 24). */
const windowQuery = {
  window: z
    .string()
    .regex(/^\d{1,16}-\d{1,16}$/, "expected <start_ms>-<end_ms>")
    .optional(),
  hours: z
    .int()
    .min(1)
    .max(366 * 24)
    .optional(),
};

/** `GET /v1/tirami/invoice?trm=`: a quote in sats and msat for an amount of TRM. */
export const invoiceQuoteQuery = z.strictObject({ trm: z.int().min(1).max(LIGHTNING_TRM_MAX) });

/** `GET /v1/tirami/settlement/positions`: the net position towards each counterparty over a window. */
export const positionsQuery = z.strictObject(windowQuery);

/** `GET /v1/tirami/lightning/payments`. */
export const lightningPaymentsQuery = z.strictObject({ limit: z.int().min(1).max(1_000).optional() });

/** `GET /v1/tirami/anchor`: an unsigned PSBT anchoring one window's Merkle root (the window is required). */
export const anchorQuery = z.strictObject({
  window: z.string().regex(/^\d{1,16}-\d{1,16}$/, "expected <start_ms>-<end_ms>"),
  network: z.enum(["mainnet", "bitcoin", "testnet", "signet", "regtest"]).optional(),
});
