/**
 * A counting semaphore with a bounded FIFO wait queue: at most `capacity` holders, at most `queueMax`
 * waiters, and an immediate `EngineBusyError` beyond that. A waiter whose signal aborts leaves the queue.
 * @module
 */
import { assert } from "@tirami/core";
import { EngineBusyError } from "./errors.js";

/** Occupancy of an engine, for offers (free capacity) and 503 decisions. */
export interface EngineStats {
  /** Requests generating now. */
  active: number;
  /** Requests waiting for a sequence. */
  queued: number;
  /** Requests that can generate at once (sequences). */
  capacity: number;
  /** Longest allowed wait queue. */
  queue_max: number;
  /** `capacity - active`. */
  free: number;
}

interface Waiter {
  grant: () => void;
  reject: (error: unknown) => void;
}

/** Thrown into a waiter whose signal aborted; callers turn it into an "abort" result. */
export class SlotWaitAborted extends Error {
  override name = "SlotWaitAborted";
}

/** Bounded FIFO semaphore. */
export class Slots {
  readonly #capacity: number;
  readonly #queueMax: number;
  readonly #retryAfterMs: number;
  readonly #waiters: Waiter[] = [];
  #active = 0;

  constructor(options: { capacity: number; queueMax: number; retryAfterMs: number }) {
    assert(
      Number.isSafeInteger(options.capacity) && options.capacity >= 1,
      "capacity must be a positive integer",
    );
    assert(
      Number.isSafeInteger(options.queueMax) && options.queueMax >= 0,
      "queueMax must be a non-negative integer",
    );
    this.#capacity = options.capacity;
    this.#queueMax = options.queueMax;
    this.#retryAfterMs = options.retryAfterMs;
  }

  /** Current occupancy. */
  stats(): EngineStats {
    return {
      active: this.#active,
      queued: this.#waiters.length,
      capacity: this.#capacity,
      queue_max: this.#queueMax,
      free: this.#capacity - this.#active,
    };
  }

  /**
   * Takes a slot, waiting in FIFO order when none is free. Call `release()` exactly once afterwards.
   * @throws {EngineBusyError} at once when the queue is full.
   * @throws {SlotWaitAborted} when `signal` aborts while waiting.
   */
  async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new SlotWaitAborted("aborted before a slot was free");
    if (this.#active < this.#capacity && this.#waiters.length === 0) {
      this.#active += 1;
      return;
    }
    if (this.#waiters.length >= this.#queueMax) {
      throw new EngineBusyError(this.#retryAfterMs, {
        active: this.#active,
        queued: this.#waiters.length,
        capacity: this.#capacity,
        queue_max: this.#queueMax,
      });
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(new SlotWaitAborted("aborted while queued"));
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject,
      };
      this.#waiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Returns a slot; hands it straight to the longest waiter, if any. */
  release(): void {
    assert(this.#active > 0, "release without acquire");
    const next = this.#waiters.shift();
    if (next === undefined) this.#active -= 1;
    else next.grant();
  }

  /** Rejects every waiter (used by `close()`). */
  rejectAll(error: unknown): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}
