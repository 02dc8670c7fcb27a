/**
 * The run's trace: every notable step (a purchase, a fault, a Byzantine act, a sync round, a verdict) is
 * one line stamped with simulated time. All lines feed a running SHA-256, so two runs of one seed can be
 * compared by one hash; the last `tailMax` lines are kept to print when an invariant fails.
 * @module
 */
import { createHash, type Hash } from "node:crypto";

export class Trace {
  readonly #hash: Hash = createHash("sha256");
  readonly #tail: string[] = [];
  readonly #tailMax: number;
  #lines = 0;

  constructor(tailMax: number) {
    this.#tailMax = tailMax;
  }

  /** Records one line at simulated time `atMs` (ms since the simulation's epoch). */
  add(atMs: number, line: string): void {
    const stamped = `${(atMs / 1000).toFixed(3).padStart(10)}s ${line}`;
    this.#hash.update(stamped);
    this.#hash.update("\n");
    this.#lines += 1;
    this.#tail.push(stamped);
    if (this.#tail.length > this.#tailMax) this.#tail.shift();
  }

  /** Lines recorded so far. */
  get lines(): number {
    return this.#lines;
  }

  /** The last lines, oldest first. */
  tail(): string[] {
    return [...this.#tail];
  }

  /** SHA-256 of every line so far (hex); the trace can keep growing after. */
  digest(): string {
    return this.#hash.copy().digest("hex");
  }
}
