/**
 * Test only: an LND REST double in front of a simulated wallet, on 127.0.0.1 port 0, over https with a
 * fresh self-signed certificate (made with the system's `openssl`) or plain http. It speaks LND's
 * documented JSON for the calls the node uses — `POST /v1/invoices`, `POST /v1/channels/transactions`,
 * `GET /v1/invoice/{r_hash}`, `GET /v1/balance/channels` — with int64 fields as strings and bytes as
 * base64, and refuses any request without the right `Grpc-Metadata-macaroon` header as LND does.
 * @module
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimPaymentError, type SimWallet } from "./sim-network.js";

/** A running double. */
export interface LndDouble {
  readonly url: string;
  readonly macaroonHex: string;
  /** PEM of the server certificate (https only). */
  readonly tlsCertPem: string | undefined;
  /** Requests refused for a missing or wrong macaroon. */
  readonly unauthorized: number;
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 (openssl, 1 day). */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), "tirami-lnd-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    return {
      key: readFileSync(join(dir, "key.pem"), "utf8"),
      cert: readFileSync(join(dir, "cert.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const hexToB64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

/** Starts the double for `wallet`. */
export async function startLndDouble(options: { wallet: SimWallet; tls?: boolean }): Promise<LndDouble> {
  const macaroonHex = randomBytes(40).toString("hex");
  const w = options.wallet;
  let unauthorized = 0;

  function route(method: string, path: string, body: Record<string, unknown>): [number, unknown] {
    if (method === "POST" && path === "/v1/invoices") {
      const inv = w.makeInvoice({
        amountMsat: Number(body.value_msat),
        description: String(body.memo ?? ""),
        expiryS: Number(body.expiry ?? 3_600),
      });
      return [
        200,
        {
          r_hash: hexToB64(inv.payment_hash),
          payment_request: inv.bolt11,
          add_index: "1",
          payment_addr: hexToB64("00".repeat(32)),
        },
      ];
    }
    if (method === "POST" && path === "/v1/channels/transactions") {
      try {
        const paid = w.payInvoice(String(body.payment_request));
        return [
          200,
          {
            payment_error: "",
            payment_preimage: hexToB64(paid.preimage),
            payment_route: { total_fees_msat: "0" },
          },
        ];
      } catch (error) {
        if (error instanceof SimPaymentError) return [200, { payment_error: error.message }];
        throw error;
      }
    }
    const lookup = /^\/v1\/invoice\/([0-9a-f]{64})$/.exec(path);
    if (method === "GET" && lookup !== null) {
      const inv = w.lookupInvoice(lookup[1] as string);
      if (inv === undefined) return [404, { code: 5, message: "unable to locate invoice", details: [] }];
      return [
        200,
        {
          memo: inv.description,
          r_preimage: inv.settled_at_s === null ? "" : hexToB64(inv.preimage),
          r_hash: hexToB64(inv.payment_hash),
          value: String(Math.floor(inv.amount_msat / 1_000)),
          value_msat: String(inv.amount_msat),
          settled: inv.settled_at_s !== null,
          creation_date: String(inv.created_at_s),
          settle_date: String(inv.settled_at_s ?? 0),
          payment_request: inv.bolt11,
          expiry: String(inv.expires_at_s - inv.created_at_s),
          state: inv.settled_at_s === null ? "OPEN" : "SETTLED",
          amt_paid_msat: String(inv.settled_at_s === null ? 0 : inv.amount_msat),
        },
      ];
    }
    if (method === "GET" && path === "/v1/balance/channels") {
      const msat = w.balanceMsat;
      return [
        200,
        {
          balance: String(Math.floor(msat / 1_000)),
          local_balance: { sat: String(Math.floor(msat / 1_000)), msat: String(msat) },
        },
      ];
    }
    return [404, { code: 5, message: "Not Found", details: [] }];
  }

  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let status: number;
      let json: unknown;
      if (req.headers["grpc-metadata-macaroon"] !== macaroonHex) {
        unauthorized += 1;
        [status, json] = [
          500,
          {
            code: 2,
            message: "verification failed: signature mismatch after caveat verification",
            details: [],
          },
        ];
      } else {
        const text = Buffer.concat(chunks).toString("utf8");
        [status, json] = route(
          req.method ?? "GET",
          new URL(req.url ?? "/", "http://x").pathname,
          text === "" ? {} : JSON.parse(text),
        );
      }
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(json));
    });
  };
  const tls = options.tls === false ? undefined : selfSignedCertificate();
  const server =
    tls === undefined
      ? http.createServer(handler)
      : https.createServer({ key: tls.key, cert: tls.cert }, handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
    macaroonHex,
    tlsCertPem: tls?.cert,
    get unauthorized() {
      return unauthorized;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
