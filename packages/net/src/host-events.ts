/**
 * The event emitter behind `MeshHost.on`: listeners per event name, called in the order they subscribed.
 * A listener that throws does not stop the others, nor the host code that emitted the event.
 * @module
 */
import type { MeshHostEvents } from "./mesh-types.js";

type Listener = (detail: never) => void;

/** Listeners of a host's events. */
export class HostEvents {
  readonly #listeners = new Map<keyof MeshHostEvents, Set<Listener>>();

  /** Calls every listener of `event` with `detail`; their exceptions are swallowed. */
  emit<E extends keyof MeshHostEvents>(event: E, detail: MeshHostEvents[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        (listener as (detail: MeshHostEvents[E]) => void)(detail);
      } catch {
        // a listener's failure is its own business
      }
    }
  }

  /** Adds `listener` to `event`; returns the function that removes it. */
  on<E extends keyof MeshHostEvents>(event: E, listener: (detail: MeshHostEvents[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener);
    return () => {
      set.delete(listener as Listener);
    };
  }
}
