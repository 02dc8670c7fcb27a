/**
 * The simulated time line every part of a run shares: the current simulated time, the agenda and the
 * trace. Nothing in a simulation reads the wall clock; time moves only when the agenda's next event runs.
 * @module
 */
import { EventQueue } from "./event-queue.js";
import { Trace } from "./trace.js";

/** Where simulated time starts (Unix ms): node clocks read this plus the elapsed simulated time and their skew. */
export const SIM_EPOCH_MS = 1_700_000_000_000;

/** The kernel of one run. */
export class SimKernel {
  /** Simulated ms since the epoch. */
  elapsedMs = 0;
  readonly queue: EventQueue;
  readonly trace: Trace;
  /** Events run so far. */
  events = 0;

  constructor(options: { queueMax: number; traceTailMax: number }) {
    this.queue = new EventQueue(options.queueMax);
    this.trace = new Trace(options.traceTailMax);
  }

  /** Simulated Unix time (ms) without any node's skew. */
  get nowMs(): number {
    return SIM_EPOCH_MS + this.elapsedMs;
  }

  /** Runs `run` `delayMs` (≥ 0, rounded to whole ms) from now. */
  at(delayMs: number, label: string, run: () => void): void {
    this.queue.push(this.elapsedMs + Math.max(0, Math.round(delayMs)), label, run);
  }

  /** Adds a trace line at the current simulated time. */
  log(line: string): void {
    this.trace.add(this.elapsedMs, line);
  }
}
