/**
 * Local bookkeeping of misbehaving peers: a windowed count of rejected gossip per account and a ban list
 * with expiry. Both maps are bounded (FIFO eviction). The mesh host hangs up on a peer whose count reaches
 * the limit and refuses its connections while it is banned; gossipsub's own peer score runs beside this.
 * @module
 */
import type { AccountId } from "@tirami/core";

export interface PenaltiesOptions {
  invalidMessagesMax: number;
  windowMs: number;
  banDurationMs: number;
  entriesMax: number;
  nowMs: () => number;
}

/** Counts rejected messages per account and decides bans. */
export class PeerPenalties {
  readonly #options: PenaltiesOptions;
  readonly #counters = new Map<AccountId, { count: number; sinceMs: number }>();
  readonly #bans = new Map<AccountId, number>();

  constructor(options: PenaltiesOptions) {
    if (!Number.isSafeInteger(options.invalidMessagesMax) || options.invalidMessagesMax < 1) {
      throw new RangeError(
        `"invalidMessagesMax" expected a positive integer, got ${options.invalidMessagesMax}`,
      );
    }
    this.#options = options;
  }

  /** Rejected messages from `account` in the current window. */
  invalidCount(account: AccountId): number {
    const counter = this.#counters.get(account);
    if (counter === undefined || this.#options.nowMs() - counter.sinceMs > this.#options.windowMs) return 0;
    return counter.count;
  }

  /** Records one rejected message; returns true when this one crossed the limit (the caller bans). */
  recordInvalid(account: AccountId): boolean {
    const now = this.#options.nowMs();
    let counter = this.#counters.get(account);
    if (counter === undefined || now - counter.sinceMs > this.#options.windowMs) {
      this.#counters.delete(account);
      evictOldest(this.#counters, this.#options.entriesMax);
      counter = { count: 0, sinceMs: now };
      this.#counters.set(account, counter);
    }
    counter.count += 1;
    return counter.count === this.#options.invalidMessagesMax;
  }

  ban(account: AccountId): void {
    this.#bans.delete(account);
    evictOldest(this.#bans, this.#options.entriesMax);
    this.#bans.set(account, this.#options.nowMs() + this.#options.banDurationMs);
    this.#counters.delete(account);
  }

  isBanned(account: AccountId): boolean {
    const until = this.#bans.get(account);
    if (until === undefined) return false;
    if (this.#options.nowMs() < until) return true;
    this.#bans.delete(account);
    return false;
  }
}

function evictOldest<K, V>(map: Map<K, V>, max: number): void {
  while (map.size >= max) {
    const oldest = map.keys().next();
    if (oldest.done === true) return;
    map.delete(oldest.value);
  }
}
