/**
 * The offer book: the latest verified `ProviderOffer` of every node in the mesh, bounded
 * (`OFFER_BOOK_MAX`, stalest evicted first) and expiring (`ttlMs`). Offers of nodes without models still
 * count: they carry the Merkle root and trade count every node compares with its own (convergence).
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { OfferedModel, ProviderOffer } from "@tirami/proto";

/** One entry: the offer and when this node received it. */
export interface OfferEntry {
  offer: ProviderOffer;
  receivedMs: number;
}

export interface OfferBookOptions {
  capacity: number;
  ttlMs: number;
  nowMs(): number;
}

/** The bounded, expiring book of offers keyed by account. */
export class OfferBook {
  readonly #entries = new Map<AccountId, OfferEntry>();
  readonly #options: OfferBookOptions;

  constructor(options: OfferBookOptions) {
    if (!Number.isSafeInteger(options.capacity) || options.capacity < 1)
      throw new RangeError(`"capacity" expected a positive integer`);
    if (!Number.isSafeInteger(options.ttlMs) || options.ttlMs < 1)
      throw new RangeError(`"ttlMs" expected a positive integer`);
    this.#options = options;
  }

  /**
   * Stores `offer` unless the book holds a newer or equally new one of the same account. Returns true
   * when stored.
   */
  put(offer: ProviderOffer): boolean {
    const current = this.#entries.get(offer.account);
    if (current !== undefined && current.offer.timestamp_ms >= offer.timestamp_ms) return false;
    this.#entries.delete(offer.account);
    this.#entries.set(offer.account, { offer, receivedMs: this.#options.nowMs() });
    while (this.#entries.size > this.#options.capacity) {
      const oldest = this.#entries.keys().next().value as AccountId;
      this.#entries.delete(oldest);
    }
    return true;
  }

  /** The newest offer timestamp known for `account`, if any (expired ones included until pruned). */
  timestampOf(account: AccountId): number | undefined {
    return this.#entries.get(account)?.offer.timestamp_ms;
  }

  /** The live offer of `account`. */
  get(account: AccountId): ProviderOffer | undefined {
    this.prune();
    return this.#entries.get(account)?.offer;
  }

  /** Drops expired offers; returns how many. */
  prune(): number {
    const cutoff = this.#options.nowMs() - this.#options.ttlMs;
    let dropped = 0;
    for (const [account, entry] of this.#entries) {
      if (entry.offer.timestamp_ms < cutoff && entry.receivedMs < cutoff) {
        this.#entries.delete(account);
        dropped += 1;
      }
    }
    return dropped;
  }

  /** Every live offer. */
  list(): ProviderOffer[] {
    this.prune();
    return [...this.#entries.values()].map((entry) => entry.offer);
  }

  /** Live offers that serve at least one model (the supply). */
  providers(): ProviderOffer[] {
    return this.list().filter((offer) => offer.models.length > 0);
  }

  /** Live offers serving `modelId`, each with its model entry. */
  serving(modelId: string): Array<{ offer: ProviderOffer; model: OfferedModel }> {
    const out: Array<{ offer: ProviderOffer; model: OfferedModel }> = [];
    for (const offer of this.list()) {
      const model = offer.models.find((m) => m.model_id === modelId);
      if (model !== undefined) out.push({ offer, model });
    }
    return out;
  }

  get size(): number {
    return this.#entries.size;
  }
}
