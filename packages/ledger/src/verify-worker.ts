/**
 * Worker thread of the trade ingest pipeline: runs the pure trade checks (`verifySignedTrade`: fields,
 * trade_id, both Ed25519 signatures, freshness, cost; canonical bytes and leaf hash computed once) off the
 * thread that owns the database. Requests and replies carry chunks of trades.
 * @module
 */
import { parentPort } from "node:worker_threads";
import { TiramiError } from "@tirami/core";
import { type VerifiedTrade, verifySignedTrade } from "./trade-verify.js";

/** Request from the ingest pipeline: a chunk of trades checked against one `nowMs`. */
export interface VerifyRequest {
  nowMs: number;
  freshnessWindowMs: number;
  items: { id: number; signed: unknown }[];
}

/** One trade's outcome: the verified trade, or the typed error that refused it. */
export type VerifyReplyItem =
  | { id: number; ok: true; verified: VerifiedTrade }
  | { id: number; ok: false; code: string; message: string };

/** Reply: the chunk's outcomes, in request order. */
export interface VerifyReply {
  items: VerifyReplyItem[];
}

const port = parentPort;
if (port === null) throw new Error("verify-worker must run as a worker thread");
port.on("message", (request: VerifyRequest) => {
  const items = request.items.map(({ id, signed }): VerifyReplyItem => {
    try {
      return { id, ok: true, verified: verifySignedTrade(signed, request.nowMs, request.freshnessWindowMs) };
    } catch (error) {
      if (!(error instanceof TiramiError)) throw error;
      return { id, ok: false, code: error.code, message: error.message };
    }
  });
  port.postMessage({ items } satisfies VerifyReply);
});
