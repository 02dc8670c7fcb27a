/**
 * Feeds the ledger's pricing engine its live inputs (docs/architecture.md §4: supply/demand are live, not
 * constants): every `PRICING_OBSERVE_INTERVAL_MS` it reports the providers offering inference (this node
 * when it serves a model, plus what the mesh reports) and the requests in flight. Unref'd timer.
 * @module
 */
import type { Logger } from "pino";
import type { Loop } from "./maintenance.js";

/** The pricing engine expects one observation about every 10 s (ledger pricing README). */
export const PRICING_OBSERVE_INTERVAL_MS = 10_000;

/** What the loop reads and where it reports. */
export interface PricingLoopDeps {
  observe(input: { providersSeen: number; requestsInFlight: number; peersKnown?: number }): unknown;
  providersSeen(): number;
  requestsInFlight(): number;
  peersKnown?: (() => number) | undefined;
  logger: Logger;
}

/** Starts the pricing observation loop. */
export function startPricingLoop(deps: PricingLoopDeps, intervalMs = PRICING_OBSERVE_INTERVAL_MS): Loop {
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 10)
    throw new RangeError(`"intervalMs" expected an integer ≥ 10, got ${intervalMs}`);
  const tick = (): void => {
    try {
      const peersKnown = deps.peersKnown?.();
      deps.observe({
        providersSeen: deps.providersSeen(),
        requestsInFlight: deps.requestsInFlight(),
        ...(peersKnown === undefined ? {} : { peersKnown }),
      });
    } catch (error) {
      deps.logger.error({ err: error }, "pricing observation failed");
    }
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return { tick, stop: () => clearInterval(timer) };
}
