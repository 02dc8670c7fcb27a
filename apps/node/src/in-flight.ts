/**
 * In-flight generations, for graceful shutdown (issue #4 §6): after `stopAccepting()` new generations are
 * refused with 503 SHUTTING_DOWN; `drain(graceMs)` waits for running ones and aborts the rest when the
 * grace period ends, so each can still settle or release what it reserved.
 * @module
 */
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
  /** Resolves when nothing runs; aborts what still runs after `graceMs`. */
  drain(graceMs: number): Promise<void>;
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
      if (running.size === 0) return;
      const allDone = new Promise<void>((resolve) => {
        idle = resolve;
      });
      const timer = setTimeout(() => {
        for (const controller of running) controller.abort(new Error("node shutting down"));
      }, graceMs);
      try {
        await allDone;
      } finally {
        clearTimeout(timer);
        idle = undefined;
      }
    },
  };
}
