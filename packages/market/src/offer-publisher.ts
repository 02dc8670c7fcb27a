/**
 * This node's signed offer (docs/architecture.md §7): models served with their price, free capacity,
 * protocol version, Merkle root, trade count and multiaddrs. Every node publishes one — providers with
 * their model, others with none — because the root and count in offers are how nodes notice missing trades.
 *
 * Nodes that know their capacity for a stage of a split model (`@tirami/shard`) add it (`capacity`),
 * clamped to the wire's limits; it rides along with the next publication.
 *
 * Published every `intervalMs` (by the market's tick), at once on start, and after a change: model, price
 * or free capacity within `OFFER_CHANGE_DEBOUNCE_MS`, the root alone within `OFFER_ROOT_DEBOUNCE_MS` (an
 * earlier pending publication wins). The last offered price is remembered, so a provider honours it while
 * its live price moves (`acceptablePrice`).
 * @module
 */
import type { Signer } from "@tirami/core";
import type { Ledger } from "@tirami/ledger";
import type { MeshHost } from "@tirami/net";
import {
  FREE_CAPACITY_MAX,
  MULTIADDR_LENGTH_MAX,
  type OfferCapacity,
  OFFER_MEMORY_BYTES_MAX,
  OFFER_MULTIADDRS_MAX,
  OFFER_THROUGHPUT_BYTES_PER_S_MAX,
  PROTOCOL_VERSION,
  type ProviderOffer,
  signProviderOffer,
} from "@tirami/proto";
import { OFFER_CHANGE_DEBOUNCE_MS } from "./constants.js";
import type { MarketEngine } from "./engine.js";

export interface OfferPublisherDeps {
  host: Pick<MeshHost, "account" | "multiaddrs">;
  ledger: Pick<Ledger, "merkleRoot" | "tradeCount">;
  signer: Signer;
  engine(): MarketEngine | undefined;
  priceTrmPerToken(): number;
  /** This node's capacity for a stage of a split model, when it advertises one. */
  capacity?: (() => OfferCapacity | undefined) | undefined;
  nowMs(): number;
  /** Sends the offer to the mesh; resolves to the number of peers it reached. */
  send(offer: ProviderOffer): Promise<number>;
  log(message: string, fields?: Record<string, unknown>): void;
}

/** The publisher of this node's offer. */
export interface OfferPublisher {
  start(): void;
  stop(): void;
  /** The last published offer, or a fresh one before the first publication. */
  current(): ProviderOffer;
  /** Builds, signs and publishes the offer now (0 when stopped or when sending failed). */
  publish(): Promise<number>;
  /** Re-publishes within `debounceMs` (default `OFFER_CHANGE_DEBOUNCE_MS`). */
  changed(debounceMs?: number): void;
  /** Lowest price this node accepts for `modelId` now: its current and its last offered price. */
  acceptablePrice(modelId: string): number | undefined;
}

/** `capacity` within the wire's limits: whole bytes, memory capped, a throughput below 1 left out. */
export function clampCapacity(capacity: OfferCapacity): OfferCapacity {
  const memoryBytes = Math.min(OFFER_MEMORY_BYTES_MAX, Math.max(0, Math.floor(capacity.memory_bytes) || 0));
  const throughput = Math.min(
    OFFER_THROUGHPUT_BYTES_PER_S_MAX,
    Math.floor(capacity.throughput_bytes_per_s ?? 0) || 0,
  );
  return throughput >= 1
    ? { memory_bytes: memoryBytes, throughput_bytes_per_s: throughput }
    : { memory_bytes: memoryBytes };
}

/** Creates the publisher (stopped). */
export function createOfferPublisher(deps: OfferPublisherDeps): OfferPublisher {
  let lastOffer: ProviderOffer | undefined;
  let lastOfferedPrice: number | undefined;
  let changeTimer: NodeJS.Timeout | undefined;
  let changeDueMs = 0;
  let running = false;

  function build(): ProviderOffer {
    const engine = deps.engine();
    const models =
      engine === undefined
        ? []
        : [
            {
              model_id: engine.manifest.id,
              price_trm_per_token: deps.priceTrmPerToken(),
              ...(engine.manifest.context_length_tokens > 0
                ? { context_length: engine.manifest.context_length_tokens }
                : {}),
            },
          ];
    const multiaddrs = deps.host
      .multiaddrs()
      .filter((addr) => addr.length <= MULTIADDR_LENGTH_MAX)
      .slice(0, OFFER_MULTIADDRS_MAX);
    const capacity = deps.capacity?.();
    return signProviderOffer(
      {
        account: deps.host.account,
        models,
        free_capacity: Math.min(FREE_CAPACITY_MAX, Math.max(0, engine?.stats().free ?? 0)),
        protocol_version: PROTOCOL_VERSION,
        merkle_root: deps.ledger.merkleRoot(),
        trade_count: deps.ledger.tradeCount(),
        ...(multiaddrs.length > 0 ? { multiaddrs } : {}),
        timestamp_ms: Math.max(deps.nowMs(), (lastOffer?.timestamp_ms ?? 0) + 1),
        ...(capacity !== undefined ? { capacity: clampCapacity(capacity) } : {}),
      },
      deps.signer,
    );
  }

  async function publish(): Promise<number> {
    if (!running) return 0;
    const offer = build();
    lastOffer = offer;
    lastOfferedPrice = offer.models[0]?.price_trm_per_token ?? lastOfferedPrice;
    try {
      return await deps.send(offer);
    } catch (error) {
      deps.log("offer publish failed", { err: (error as Error).message });
      return 0;
    }
  }

  return {
    start() {
      running = true;
    },
    stop() {
      running = false;
      clearTimeout(changeTimer);
      changeTimer = undefined;
    },
    current: () => lastOffer ?? build(),
    publish,
    changed(debounceMs = OFFER_CHANGE_DEBOUNCE_MS) {
      if (!running) return;
      const dueMs = deps.nowMs() + debounceMs;
      if (changeTimer !== undefined && changeDueMs <= dueMs) return;
      clearTimeout(changeTimer);
      changeDueMs = dueMs;
      changeTimer = setTimeout(() => {
        changeTimer = undefined;
        void publish();
      }, debounceMs);
      changeTimer.unref();
    },
    acceptablePrice(modelId) {
      const engine = deps.engine();
      if (engine === undefined || engine.manifest.id !== modelId) return undefined;
      const current = deps.priceTrmPerToken();
      return lastOfferedPrice === undefined ? current : Math.min(current, lastOfferedPrice);
    },
  };
}
