/**
 * Local reputation: what this node has seen of each counterparty, a score in [0, 1] starting at
 * `REPUTATION_INITIAL`. Successful remote purchases raise a provider; failures (vanished mid-stream, a
 * trade we had to reject) lower it. Consumers that refused to sign without a reason are lowered hard and,
 * separately, held in the provider's unsettled list until their trade appears in the ledger. Bounded (LRU).
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { ReputationObservation } from "@tirami/proto";
import { REPUTATION_INITIAL, REPUTATION_STEP } from "./constants.js";

/** A counterparty's score and counts. */
export interface ReputationEntry {
  score: number;
  successes: number;
  failures: number;
  updatedMs: number;
}

/**
 * The ledger's persisted reputation service (`ledger.reputation`), when the node has one: outcomes are
 * recorded there too, its merged (local + observed, observers weighted locally) score is what routing
 * uses, its local score is what this node publishes, and gossiped observations are stored there.
 */
export interface ReputationPort {
  recordSuccess(account: AccountId): unknown;
  recordFailure(account: AccountId, kind: "trade_failed"): unknown;
  mergedReputation(account: AccountId): number;
  /** This node's own (local) score of `account`. */
  get(account: AccountId): { score: number };
  /** Verifies and stores; `stale` when an equal or newer observation observer→subject is kept; throws when invalid. */
  ingestObservation(observation: ReputationObservation): { status: "accepted" | "stale" };
}

/** The bounded local reputation table. */
export class LocalReputation {
  readonly #entries = new Map<AccountId, ReputationEntry>();
  readonly #capacity: number;
  readonly #nowMs: () => number;
  readonly #port: ReputationPort | undefined;

  constructor(capacity: number, nowMs: () => number, port?: ReputationPort) {
    this.#capacity = capacity;
    this.#nowMs = nowMs;
    this.#port = port;
  }

  /** Score of `account`: the ledger's merged reputation when available, else this table's (0.5 unseen). */
  score(account: AccountId): number {
    if (this.#port !== undefined) {
      try {
        const merged = this.#port.mergedReputation(account);
        if (Number.isFinite(merged)) return Math.min(1, Math.max(0, merged));
      } catch {
        // fall back to the local table
      }
    }
    return this.#entries.get(account)?.score ?? REPUTATION_INITIAL;
  }

  get(account: AccountId): ReputationEntry | undefined {
    const entry = this.#entries.get(account);
    return entry === undefined ? undefined : { ...entry };
  }

  /** Records a good outcome. */
  success(account: AccountId): void {
    this.#update(account, REPUTATION_STEP, true);
    this.#record(() => this.#port?.recordSuccess(account));
  }

  /** Records a bad outcome; `severity` multiplies the step (1 = ordinary failure). */
  failure(account: AccountId, severity = 1): void {
    this.#update(account, -REPUTATION_STEP * severity, false);
    for (let i = 0; i < Math.max(1, Math.round(severity)); i++)
      this.#record(() => this.#port?.recordFailure(account, "trade_failed"));
  }

  #record(write: () => unknown): void {
    try {
      write();
    } catch {
      // the ledger's reputation is best effort here; the local table still counts
    }
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
