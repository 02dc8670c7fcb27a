/**
 * BOLT11 invoices in: decoded with light-bolt11-decoder (a maintained decoder) and checked before anything
 * is paid — the network its prefix names, an explicit amount equal to the one owed, the payment hash
 * expected (when one is), and enough lifetime left. The decoder does not verify the invoice signature;
 * the paying wallet does (and refuses an invoice whose fields were altered), and every field this node
 * relies on is compared with what it expected.
 * @module
 */
import { decode } from "light-bolt11-decoder";
import { BOLT11_LENGTH_MAX, INVOICE_EXPIRY_MARGIN_S } from "./constants.js";
import { LightningError, LightningErrorCode } from "./errors.js";
import { type BitcoinNetwork, networkOfBolt11Prefix } from "./network.js";
import { assertMsat } from "./rate.js";

/** BOLT 11: an invoice without an `x` field expires 3,600 s after its timestamp. */
const BOLT11_EXPIRY_S_DEFAULT = 3_600;

/** The fields of an invoice this node uses. */
export interface DecodedInvoice {
  bolt11: string;
  network: BitcoinNetwork;
  /** Null for an "any amount" invoice (never paid by this node). */
  amount_msat: number | null;
  /** 64 lowercase hex. */
  payment_hash: string;
  description: string | null;
  /** Seconds since the epoch. */
  timestamp_s: number;
  expires_at_s: number;
}

function invalid(message: string, cause?: unknown): LightningError {
  return new LightningError(
    LightningErrorCode.INVOICE_INVALID,
    message,
    cause === undefined ? {} : { cause },
  );
}

/**
 * Decodes a BOLT11 string.
 * @throws {LightningError} INVOICE_INVALID when it does not decode, names no known network or lacks a
 *   payment hash.
 */
export function decodeInvoice(bolt11: string): DecodedInvoice {
  if (typeof bolt11 !== "string" || bolt11.length === 0 || bolt11.length > BOLT11_LENGTH_MAX)
    throw invalid(`a BOLT11 invoice is 1–${BOLT11_LENGTH_MAX} characters`);
  let decoded: ReturnType<typeof decode>;
  try {
    decoded = decode(bolt11);
  } catch (error) {
    throw invalid(`not a BOLT11 invoice: ${(error as Error).message}`, error);
  }
  const section = (name: string) => decoded.sections.find((s) => s.name === name);
  const coin = section("coin_network") as { letters: string } | undefined;
  const network = coin === undefined ? undefined : networkOfBolt11Prefix(coin.letters);
  if (network === undefined) throw invalid("the invoice names no supported Bitcoin network");
  const hash = (section("payment_hash") as { value?: unknown } | undefined)?.value;
  if (typeof hash !== "string" || !/^[0-9a-f]{64}$/.test(hash))
    throw invalid("the invoice has no payment hash");
  const timestamp = (section("timestamp") as { value?: unknown } | undefined)?.value;
  if (typeof timestamp !== "number" || !Number.isSafeInteger(timestamp)) throw invalid("no timestamp");
  const expiry = (section("expiry") as { value?: unknown } | undefined)?.value;
  const amount = (section("amount") as { value?: unknown } | undefined)?.value;
  let amountMsat: number | null = null;
  if (amount !== undefined) {
    amountMsat = Number(amount);
    try {
      assertMsat(amountMsat);
    } catch (error) {
      throw invalid("the invoice amount is out of range", error);
    }
  }
  const description = (section("description") as { value?: unknown } | undefined)?.value;
  return {
    bolt11,
    network,
    amount_msat: amountMsat,
    payment_hash: hash,
    description: typeof description === "string" ? description : null,
    timestamp_s: timestamp,
    expires_at_s: timestamp + (typeof expiry === "number" ? expiry : BOLT11_EXPIRY_S_DEFAULT),
  };
}

/** What an invoice must be for this node to pay it. */
export interface InvoiceExpectation {
  network: BitcoinNetwork;
  amountMsat: number;
  /** When known in advance (e.g. the seller named it), the invoice must carry exactly this hash. */
  paymentHash?: string;
  nowMs: number;
}

function mismatch(field: string, expected: unknown, actual: unknown): LightningError {
  return new LightningError(
    LightningErrorCode.INVOICE_MISMATCH,
    `invoice ${field} is ${String(actual)}, expected ${String(expected)}`,
    { details: { field, expected, actual } },
  );
}

/**
 * Decodes `bolt11` and checks it against `expected`; returns the decoded invoice.
 * @throws {LightningError} INVOICE_INVALID, INVOICE_MISMATCH (`details.field`: network, amount_msat,
 *   payment_hash), INVOICE_EXPIRED (less than INVOICE_EXPIRY_MARGIN_S left).
 */
export function checkInvoice(bolt11: string, expected: InvoiceExpectation): DecodedInvoice {
  const invoice = decodeInvoice(bolt11);
  if (invoice.network !== expected.network) throw mismatch("network", expected.network, invoice.network);
  if (invoice.amount_msat !== expected.amountMsat)
    throw mismatch("amount_msat", expected.amountMsat, invoice.amount_msat);
  if (expected.paymentHash !== undefined && invoice.payment_hash !== expected.paymentHash)
    throw mismatch("payment_hash", expected.paymentHash, invoice.payment_hash);
  if (invoice.expires_at_s * 1_000 < expected.nowMs + INVOICE_EXPIRY_MARGIN_S * 1_000) {
    throw new LightningError(
      LightningErrorCode.INVOICE_EXPIRED,
      "the invoice has expired or expires too soon",
      {
        details: { expires_at_s: invoice.expires_at_s },
      },
    );
  }
  return invoice;
}
