/**
 * The simulator's agenda: a binary min-heap of events ordered by (simulated time, insertion sequence), so
 * two events at the same millisecond run in the order they were scheduled — never in an order that depends
 * on the host machine.
 * @module
 */

/** One scheduled event. */
export interface SimEvent {
  atMs: number;
  seq: number;
  /** Short name for the trace. */
  label: string;
  run(): void;
}

/** A bounded priority queue of events. */
export class EventQueue {
  readonly #heap: SimEvent[] = [];
  #seq = 0;
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#heap.length;
  }

  /** Schedules `run` at `atMs`. Throws when the agenda is full (a runaway workload is a bug). */
  push(atMs: number, label: string, run: () => void): void {
    if (this.#heap.length >= this.#capacity)
      throw new RangeError(`event queue full (${this.#capacity} events): a runaway schedule`);
    const event: SimEvent = { atMs, seq: this.#seq++, label, run };
    const heap = this.#heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(event, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = event;
  }

  /** Removes and returns the earliest event, or undefined when none is left. */
  pop(): SimEvent | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  /** The time of the earliest event. */
  peekMs(): number | undefined {
    return this.#heap[0]?.atMs;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
