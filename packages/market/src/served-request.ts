/**
 * Step 1 of serving any request (provider.ts): the request is the authenticated peer's own, for the model
 * loaded here, at a price no lower than this node offers — the same for generations and embeddings.
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { MarketEngine } from "./engine.js";
import { InferFailure } from "./provider-stream.js";

/** What steps 1–4 and the trade read of a request: the same for generations and embeddings. */
export interface ServedRequest {
  request_id: string;
  consumer: AccountId;
  model_id: string;
  price_trm_per_token: number;
}

/** Step 1: the request is the peer's own, for the loaded model, at an acceptable price. */
export function checkRequest(
  request: ServedRequest,
  from: AccountId,
  engine: MarketEngine | undefined,
  floor: number | undefined,
): MarketEngine {
  if (request.consumer !== from)
    throw new InferFailure("INVALID_REQUEST", "consumer is not the authenticated peer");
  if (engine === undefined || engine.manifest.id !== request.model_id)
    throw new InferFailure("INVALID_REQUEST", `model ${request.model_id} is not served here`);
  if (floor === undefined || request.price_trm_per_token < floor)
    throw new InferFailure(
      "INVALID_REQUEST",
      `quoted price ${request.price_trm_per_token} is below the offered ${floor} TRM/token`,
    );
  return engine;
}
