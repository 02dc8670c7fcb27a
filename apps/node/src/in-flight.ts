/**
 * In-flight requests, for graceful shutdown: after `stopAccepting()` new ones are refused with 503
 * SHUTTING_DOWN; `drain(graceMs)` waits for running ones and aborts the rest when the grace period ends, so
 * each can still settle or release what it reserved. Each request is one entry, of kind `local` (this
 * node's model) or `remote` (bought from the mesh); local entries are the node's own demand input of
 * pricing (the market counts its purchases and served requests itself).
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

/** What a request does: generate with the local model, or buy from the mesh. */
export type InFlightKind = "local" | "remote";

/** The tracker. */
export interface InFlight {
  /** Starts tracking a request. @throws {NodeError} SHUTTING_DOWN after `stopAccepting()`. */
  begin(kind?: InFlightKind): InFlightEntry;
  /** Requests running, of `kind` or of both. */
  count(kind?: InFlightKind): number;
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
  const running = new Map<AbortController, InFlightKind>();
  let accepting = true;
  let idle: (() => void) | undefined;
  return {
    begin(kind = "local") {
      if (!accepting)
        throw new NodeError(NodeErrorCode.SHUTTING_DOWN, "the node is shutting down", { retryAfterS: 5 });
      const controller = new AbortController();
      running.set(controller, kind);
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
    count(kind) {
      if (kind === undefined) return running.size;
      let n = 0;
      for (const entryKind of running.values()) if (entryKind === kind) n += 1;
      return n;
    },
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
        for (const controller of running.keys()) controller.abort(new Error("node shutting down"));
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
