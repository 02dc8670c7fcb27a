/**
 * In-flight generations, for graceful shutdown (issue #4 §6): after `stopAccepting()` new generations are
 * refused with 503 SHUTTING_DOWN; `drain(graceMs)` waits for running ones and aborts the rest when the
 * grace period ends, so each can still settle or release what it reserved.
 * @module
 */
import { SHUTDOWN_ABORT_WAIT_MS } from "./constants.js";
import { NodeError, NodeErrorCode } from "./errors.js";

/** One running generation. */
export interface InFlightEntry {
  readonly signal: AbortSignal;
  /** Aborts this generation (client gone, shutdown). */
  abort(reason: string): void;
  /** Must be called exactly once when the generation has finished and settled. */
  end(): void;
}

/** The tracker. */
export interface InFlight {
  /** Starts tracking a generation. @throws {NodeError} SHUTTING_DOWN after `stopAccepting()`. */
  begin(): InFlightEntry;
  count(): number;
  accepting(): boolean;
  stopAccepting(): void;
  /**
   * Resolves when nothing runs; aborts what still runs after `graceMs`, and gives up waiting
   * `SHUTDOWN_ABORT_WAIT_MS` later (returns false then) so a stuck generation cannot hang shutdown.
   */
  drain(graceMs: number): Promise<boolean>;
}

/** Creates an empty tracker. */
export function createInFlight(): InFlight {
  const running = new Set<AbortController>();
  let accepting = true;
  let idle: (() => void) | undefined;
  return {
    begin() {
      if (!accepting)
        throw new NodeError(NodeErrorCode.SHUTTING_DOWN, "the node is shutting down", { retryAfterS: 5 });
      const controller = new AbortController();
      running.add(controller);
      let ended = false;
      return {
        signal: controller.signal,
        abort: (reason) => controller.abort(new Error(reason)),
        end() {
          if (ended) return;
          ended = true;
          running.delete(controller);
          if (running.size === 0) idle?.();
        },
      };
    },
    count: () => running.size,
    accepting: () => accepting,
    stopAccepting() {
      accepting = false;
    },
    async drain(graceMs) {
      if (running.size === 0) return true;
      let giveUp: NodeJS.Timeout | undefined;
      const allDone = new Promise<boolean>((resolve) => {
        idle = () => resolve(true);
        giveUp = setTimeout(() => resolve(false), graceMs + SHUTDOWN_ABORT_WAIT_MS);
      });
      const timer = setTimeout(() => {
        for (const controller of running) controller.abort(new Error("node shutting down"));
      }, graceMs);
      try {
        return await allDone;
      } finally {
        clearTimeout(timer);
        clearTimeout(giveUp);
        idle = undefined;
      }
    },
  };
}
