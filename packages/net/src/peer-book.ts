/**
 * The peer book: what this node knows about other nodes — account, peer id, addresses, when it was last
 * seen, ping latency, and an opaque `offer` slot the node app fills from offer gossip. Bounded: when full,
 * the least recently seen disconnected peer is evicted (connected peers only when all are connected).
 * @module
 */
import type { AccountId } from "@tirami/core";

/** One peer-book entry. `offer` is owned by the caller (the node app); the mesh never reads it. */
export interface PeerRecord<Offer = unknown> {
  readonly account: AccountId;
  readonly peerId: string;
  /** Known multiaddrs, newest first, at most `PEER_ADDRS_MAX`. */
  multiaddrs: string[];
  /** Unix ms of the last connect, disconnect, ping or identify. */
  lastSeenMs: number;
  /** Round-trip time of the last successful ping, ms; undefined until one succeeds. */
  latencyMs: number | undefined;
  connected: boolean;
  offer: Offer | undefined;
}

export interface PeerBookOptions {
  capacity: number;
  addrsMax: number;
  nowMs: () => number;
}

/** A bounded map account → record, kept in least-recently-seen order. */
export class PeerBook<Offer = unknown> {
  readonly #options: PeerBookOptions;
  readonly #records = new Map<AccountId, PeerRecord<Offer>>();

  constructor(options: PeerBookOptions) {
    if (!Number.isSafeInteger(options.capacity) || options.capacity < 1) {
      throw new RangeError(`"capacity" expected a positive integer, got ${options.capacity}`);
    }
    this.#options = options;
  }

  get size(): number {
    return this.#records.size;
  }

  get(account: AccountId): PeerRecord<Offer> | undefined {
    return this.#records.get(account);
  }

  /** Snapshot of every record, least recently seen first. */
  list(): PeerRecord<Offer>[] {
    return [...this.#records.values()].map((record) => ({ ...record, multiaddrs: [...record.multiaddrs] }));
  }

  /** Creates or refreshes the record of `account` and marks it most recently seen. */
  touch(
    account: AccountId,
    peerId: string,
    update: { connected?: boolean; multiaddrs?: readonly string[]; latencyMs?: number } = {},
  ): PeerRecord<Offer> {
    let record = this.#records.get(account);
    if (record === undefined) {
      this.#makeRoom();
      record = {
        account,
        peerId,
        multiaddrs: [],
        lastSeenMs: 0,
        latencyMs: undefined,
        connected: false,
        offer: undefined,
      };
    } else {
      this.#records.delete(account);
    }
    record.lastSeenMs = this.#options.nowMs();
    if (update.connected !== undefined) record.connected = update.connected;
    if (update.latencyMs !== undefined) record.latencyMs = update.latencyMs;
    if (update.multiaddrs !== undefined)
      record.multiaddrs = mergeAddrs(update.multiaddrs, record.multiaddrs, this.#options.addrsMax);
    this.#records.set(account, record);
    return record;
  }

  /** Sets the caller-owned offer of a known peer; returns false when the peer is not in the book. */
  setOffer(account: AccountId, offer: Offer | undefined): boolean {
    const record = this.#records.get(account);
    if (record === undefined) return false;
    record.offer = offer;
    return true;
  }

  delete(account: AccountId): boolean {
    return this.#records.delete(account);
  }

  #makeRoom(): void {
    if (this.#records.size < this.#options.capacity) return;
    let victim: AccountId | undefined;
    for (const [account, record] of this.#records) {
      if (!record.connected) {
        victim = account;
        break;
      }
    }
    victim ??= this.#records.keys().next().value;
    if (victim !== undefined) this.#records.delete(victim);
  }
}

function mergeAddrs(fresh: readonly string[], old: readonly string[], max: number): string[] {
  const out: string[] = [];
  for (const addr of [...fresh, ...old]) {
    if (out.length >= max) break;
    if (!out.includes(addr)) out.push(addr);
  }
  return out;
}
