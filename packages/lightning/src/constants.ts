/**
 * Limits and defaults of @tirami/lightning, each with its unit and why it was chosen.
 * @module
 */

/**
 * Default exchange rate: 10 msat per TRM, upstream's rate (docs/upstream.md §10.5: 1 sat = 100 TRM).
 * A node's operator overrides it in its config; it is a price, not a protocol constant.
 */
export const MSAT_PER_TRM_DEFAULT = 10;
/** Highest configurable rate, msat per TRM (1 BTC per TRM): bounds every product below 2^53. */
export const MSAT_PER_TRM_MAX = 100_000_000_000;
/** Largest single Lightning amount handled, msat (0.1 BTC): a safety bound far above any settlement. */
export const PAYMENT_MSAT_MAX = 10_000_000_000_000;
/** Longest BOLT11 string accepted, characters (real invoices are 200–1,500; route hints make them long). */
export const BOLT11_LENGTH_MAX = 4_000;
/** Expiry this node gives the invoices it issues, seconds (BOLT11's own default is 3,600). */
export const INVOICE_EXPIRY_S_DEFAULT = 600;
/** Smallest remaining lifetime an invoice must have before this node pays it, seconds. */
export const INVOICE_EXPIRY_MARGIN_S = 30;
/** Longest invoice description, bytes (BOLT11 `d` fields are at most 639 bytes). */
export const INVOICE_DESCRIPTION_BYTES_MAX = 639;
/** One wallet call (NWC round trip or LND REST request), ms: payments can route for a while. */
export const WALLET_CALL_TIMEOUT_MS = 60_000;
/** Largest response body read from a wallet (NWC event content, LND JSON), bytes. */
export const WALLET_RESPONSE_BYTES_MAX = 256 * 1024;
/** Default sats budget of outgoing Lightning payments per hour (the safety gate's TRM budgets also apply). */
export const BUDGET_SATS_PER_HOUR_DEFAULT = 100_000;
/** Default largest single outgoing payment, sats. */
export const PAYMENT_SATS_MAX_DEFAULT = 50_000;
/** The window a sats budget counts over, ms. */
export const BUDGET_WINDOW_MS = 3_600_000;
/** One lightning mesh exchange (invoice request or exchange proposal), ms. */
export const LIGHTNING_MESH_TIMEOUT_MS = 30_000;
/** Largest lightning mesh frame, bytes (a BOLT11 plus a signed trade fit easily). */
export const LIGHTNING_FRAME_BYTES_MAX = 16 * 1024;
/** Anchor records listed at once. */
export const ANCHORS_LIST_MAX = 1_000;
/** Payment records listed at once. */
export const PAYMENTS_LIST_MAX = 1_000;
