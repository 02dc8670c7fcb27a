/**
 * Worker thread of the trade ingest pipeline: runs the pure trade checks (`verifySignedTrade`: fields,
 * trade_id, both Ed25519 signatures, freshness, cost) off the thread that owns the database.
 * @module
 */
import { parentPort } from "node:worker_threads";
import { TiramiError } from "@tirami/core";
import { verifySignedTrade } from "./trades.js";

/** Request from the ingest pipeline. */
export interface VerifyRequest {
  id: number;
  signed: unknown;
  nowMs: number;
  freshnessWindowMs: number;
}

/** Reply: the verified trade, or the typed error that refused it. */
export type VerifyReply =
  | { id: number; ok: true; verified: ReturnType<typeof verifySignedTrade> }
  | { id: number; ok: false; code: string; message: string };

const port = parentPort;
if (port === null) throw new Error("verify-worker must run as a worker thread");
port.on("message", (request: VerifyRequest) => {
  let reply: VerifyReply;
  try {
    reply = {
      id: request.id,
      ok: true,
      verified: verifySignedTrade(request.signed, request.nowMs, request.freshnessWindowMs),
    };
  } catch (error) {
    if (!(error instanceof TiramiError)) throw error;
    reply = { id: request.id, ok: false, code: error.code, message: error.message };
  }
  port.postMessage(reply);
});
