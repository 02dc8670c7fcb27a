/**
 * Local reputation: what this node has seen of each counterparty, a score in [0, 1] starting at
 * `REPUTATION_INITIAL`. Successful remote purchases raise a provider; failures (vanished mid-stream, a
 * trade we had to reject) lower it. Consumers that refused to sign without a reason are lowered hard and,
 * separately, held in the provider's unsettled list until their trade appears in the ledger. Bounded (LRU).
 * @module
 */
import type { AccountId } from "@tirami/core";
import { REPUTATION_INITIAL, REPUTATION_STEP } from "./constants.js";

/** A counterparty's score and counts. */
export interface ReputationEntry {
  score: number;
  successes: number;
  failures: number;
  updatedMs: number;
}

/** The bounded local reputation table. */
export class LocalReputation {
  readonly #entries = new Map<AccountId, ReputationEntry>();
  readonly #capacity: number;
  readonly #nowMs: () => number;

  constructor(capacity: number, nowMs: () => number) {
    this.#capacity = capacity;
    this.#nowMs = nowMs;
  }

  /** Score of `account` (the initial score when unseen). */
  score(account: AccountId): number {
    return this.#entries.get(account)?.score ?? REPUTATION_INITIAL;
  }

  get(account: AccountId): ReputationEntry | undefined {
    const entry = this.#entries.get(account);
    return entry === undefined ? undefined : { ...entry };
  }

  /** Records a good outcome. */
  success(account: AccountId): void {
    this.#update(account, REPUTATION_STEP, true);
  }

  /** Records a bad outcome; `severity` multiplies the step (1 = ordinary failure). */
  failure(account: AccountId, severity = 1): void {
    this.#update(account, -REPUTATION_STEP * severity, false);
  }

  #update(account: AccountId, delta: number, ok: boolean): void {
    const current = this.#entries.get(account) ?? {
      score: REPUTATION_INITIAL,
      successes: 0,
      failures: 0,
      updatedMs: 0,
    };
    this.#entries.delete(account);
    this.#entries.set(account, {
      score: Math.min(1, Math.max(0, current.score + delta)),
      successes: current.successes + (ok ? 1 : 0),
      failures: current.failures + (ok ? 0 : 1),
      updatedMs: this.#nowMs(),
    });
    while (this.#entries.size > this.#capacity)
      this.#entries.delete(this.#entries.keys().next().value as AccountId);
  }
}
