/**
 * A bounded set of recently seen ids with FIFO eviction: the memory cost is fixed no matter how many
 * distinct ids peers send. Used to drop replayed gossip long after gossipsub's own time-based cache.
 * @module
 */

/** Remembers up to `capacity` ids; the oldest is forgotten first. */
export class SeenCache {
  readonly #capacity: number;
  readonly #ids = new Set<string>();

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`"capacity" expected a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#ids.size;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Adds `id`; returns false when it was already present (a duplicate). */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    if (this.#ids.size >= this.#capacity) {
      const oldest = this.#ids.values().next();
      if (oldest.done !== true) this.#ids.delete(oldest.value);
    }
    this.#ids.add(id);
    return true;
  }

  clear(): void {
    this.#ids.clear();
  }
}
