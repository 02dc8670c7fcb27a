/**
 * The LND REST backend (LND's documented REST API, the REST mapping of its gRPC `Lightning` service):
 * `POST /v1/invoices` (AddInvoice), `POST /v1/channels/transactions` (SendPaymentSync),
 * `GET /v1/invoice/{r_hash}` (LookupInvoice) and `GET /v1/balance/channels` (ChannelBalance). Every call
 * carries the macaroon (hex) in `Grpc-Metadata-macaroon`; over https the node's own TLS certificate is the
 * only trusted CA (LND's certificate is self-signed), and plain http is accepted only to a loopback host
 * (LND's `--no-rest-tls` behind a local proxy). int64 fields arrive as decimal strings, byte fields as
 * base64. The macaroon is a secret and is never logged or echoed.
 * @module
 */
import http from "node:http";
import https from "node:https";
import { WALLET_CALL_TIMEOUT_MS, WALLET_RESPONSE_BYTES_MAX } from "../constants.js";
import { LightningError, LightningErrorCode } from "../errors.js";
import { type InvoiceStatus, type LightningWallet, walletError } from "../wallet.js";

/** Where and how to reach LND. */
export interface LndRestConfig {
  /** `https://host:8080` (or `http://127.0.0.1:…` on loopback only). */
  url: string;
  /** The macaroon, hex (an invoice+offchain macaroon is enough). */
  macaroonHex: string;
  /** LND's `tls.cert` (PEM), required for https. */
  tlsCertPem?: string;
  /** Per call, ms. Default WALLET_CALL_TIMEOUT_MS. */
  timeoutMs?: number;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

function configError(message: string): LightningError {
  return new LightningError(LightningErrorCode.WALLET_CONFIG_INVALID, `LND: ${message}`);
}

function checkConfig(config: LndRestConfig): URL {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw configError("the REST url does not parse");
  }
  if (url.protocol === "http:" && !LOOPBACK.has(url.hostname))
    throw configError("plain http only to a loopback host");
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw configError("the REST url must be https://");
  if (
    url.protocol === "https:" &&
    (config.tlsCertPem === undefined || !config.tlsCertPem.includes("BEGIN CERTIFICATE"))
  )
    throw configError("https needs LND's tls.cert (PEM)");
  if (!/^[0-9a-f]{2,8192}$/i.test(config.macaroonHex) || config.macaroonHex.length % 2 !== 0)
    throw configError("the macaroon must be hex");
  return url;
}

const b64ToHex = (value: unknown, field: string): string => {
  if (typeof value !== "string") throw walletError(`LND answer lacks ${field}`);
  return Buffer.from(value, "base64").toString("hex");
};
const int64 = (value: unknown, field: string): number => {
  const n =
    typeof value === "string" && /^[0-9]{1,16}$/.test(value)
      ? Number(value)
      : typeof value === "number"
        ? value
        : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw walletError(`LND answer lacks ${field}`);
  return n;
};

/** Creates the LND REST wallet (no connection is held between calls). */
export function createLndRestWallet(config: LndRestConfig): LightningWallet {
  const base = checkConfig(config);
  const timeoutMs = config.timeoutMs ?? WALLET_CALL_TIMEOUT_MS;
  const agent =
    base.protocol === "https:"
      ? new https.Agent({ ca: config.tlsCertPem, keepAlive: false })
      : new http.Agent();

  function call(method: "GET" | "POST", path: string, body?: unknown): Promise<Record<string, unknown>> {
    const url = new URL(path, base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const transport = base.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        url,
        {
          method,
          agent,
          headers: {
            "Grpc-Metadata-macaroon": config.macaroonHex,
            ...(payload === undefined ? {} : { "content-type": "application/json" }),
          },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on("data", (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes > WALLET_RESPONSE_BYTES_MAX) {
              req.destroy();
              reject(walletError("LND answer too large"));
              return;
            }
            chunks.push(chunk);
          });
          res.on("end", () => {
            let json: Record<string, unknown>;
            try {
              json = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
            } catch {
              reject(walletError(`LND answered ${res.statusCode} without JSON`));
              return;
            }
            if (res.statusCode !== 200) {
              const message = typeof json.message === "string" ? json.message.slice(0, 200) : "";
              reject(
                walletError(`LND ${method} ${url.pathname} answered ${res.statusCode}: ${message}`, {
                  status: res.statusCode,
                }),
              );
              return;
            }
            resolve(json);
          });
        },
      );
      req.on("timeout", () => {
        req.destroy();
        reject(
          new LightningError(LightningErrorCode.WALLET_TIMEOUT, `LND did not answer ${url.pathname} in time`),
        );
      });
      req.on("error", (error) => reject(walletError(`LND unreachable: ${error.message}`)));
      req.end(payload);
    });
  }

  return {
    kind: "lnd",
    async createInvoice(request) {
      const added = await call("POST", "/v1/invoices", {
        value_msat: String(request.amountMsat),
        memo: request.description,
        expiry: String(request.expiryS),
      });
      const bolt11 = added.payment_request;
      if (typeof bolt11 !== "string") throw walletError("LND answer lacks payment_request");
      return {
        bolt11,
        payment_hash: b64ToHex(added.r_hash, "r_hash"),
        amount_msat: request.amountMsat,
        expires_at_s: 0, // checkedWallet reads the expiry from the invoice itself
      };
    },
    async payInvoice(bolt11) {
      const sent = await call("POST", "/v1/channels/transactions", { payment_request: bolt11 });
      if (typeof sent.payment_error === "string" && sent.payment_error !== "")
        throw new LightningError(
          LightningErrorCode.PAYMENT_FAILED,
          `LND payment failed: ${sent.payment_error.slice(0, 200)}`,
        );
      const route = sent.payment_route as Record<string, unknown> | undefined;
      return {
        preimage: b64ToHex(sent.payment_preimage, "payment_preimage"),
        fees_paid_msat:
          route?.total_fees_msat === undefined ? 0 : int64(route.total_fees_msat, "total_fees_msat"),
      };
    },
    async lookupInvoice(paymentHash) {
      if (!/^[0-9a-f]{64}$/.test(paymentHash))
        throw new RangeError(`"paymentHash" expected 64 lowercase hex`);
      const inv = await call("GET", `/v1/invoice/${paymentHash}`);
      const states: Record<string, InvoiceStatus["state"]> = {
        OPEN: "pending",
        ACCEPTED: "pending",
        SETTLED: "settled",
        CANCELED: "failed",
      };
      let state = typeof inv.state === "string" ? states[inv.state] : undefined;
      if (state === undefined) throw walletError("LND answer has no known invoice state");
      const expiresAtS =
        int64(inv.creation_date ?? "0", "creation_date") + int64(inv.expiry ?? "3600", "expiry");
      if (state === "pending" && expiresAtS * 1_000 < Date.now()) state = "expired";
      const preimage = state === "settled" ? b64ToHex(inv.r_preimage, "r_preimage") : null;
      return {
        payment_hash: b64ToHex(inv.r_hash, "r_hash"),
        state,
        amount_msat: int64(inv.value_msat, "value_msat"),
        preimage,
      };
    },
    async balanceMsat() {
      const balance = await call("GET", "/v1/balance/channels");
      const local = balance.local_balance as Record<string, unknown> | undefined;
      return int64(local?.msat, "local_balance.msat");
    },
    async close() {
      agent.destroy();
    },
  };
}
