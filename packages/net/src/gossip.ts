/**
 * Gossip with validation before forwarding. Every message received on a subscribed topic goes through
 * gossipsub's topic validator, which runs here *before* gossipsub forwards it: per-neighbour rate limit → size cap → bounded
 * seen-cache (replays are ignored, not re-delivered) → the caller's validator (signature, freshness).
 * "accept" delivers and re-floods; "reject" drops, costs the sender gossipsub score (P4) and counts
 * toward our local hang-up limit; "ignore" drops without penalty.
 *
 * Messages are unsigned at the gossipsub layer (`StrictNoSign`): our payloads carry their authors'
 * Ed25519 signatures, so an envelope signature would only add 100+ bytes and a verify per hop, and its
 * per-publisher sequence number would give the same trade published by two nodes two different ids.
 * The message id is SHA-256(topic ‖ 0x00 ‖ payload): identical content is one message mesh-wide.
 * `fromAccount` is therefore the neighbour that delivered the message (the one penalised), not its author.
 * @module
 */
import "./polyfill.js";
import { type AccountId, sha256, toHex, utf8 } from "@tirami/core";
import type { GossipSub, GossipsubMessage, Message, TopicValidatorFn } from "@libp2p/gossipsub";
import { TopicValidatorResult } from "@libp2p/gossipsub";
import type { PeerId } from "@libp2p/interface";
import { NetError, NetErrorCode } from "./errors.js";
import { accountIdFromPeerId } from "./identity.js";
import { SeenCache } from "./seen-cache.js";

/** What a validator decides about one message. */
export type GossipVerdict = "accept" | "reject" | "ignore";

/** Callbacks of one topic subscription. */
export interface GossipHandlers {
  /**
   * Decides about a received message before it is forwarded. `fromAccount` is the delivering neighbour.
   * Return "reject" for invalid content (bad signature, malformed), "ignore" for valid-but-unwanted
   * (stale, already applied). A throw counts as "ignore".
   */
  validate(bytes: Uint8Array, fromAccount: AccountId): GossipVerdict | Promise<GossipVerdict>;
  /** Called once per accepted message. Exceptions are caught and counted (`handlerErrors`). */
  onMessage(bytes: Uint8Array, fromAccount: AccountId): void;
}

/** Counters for tests, metrics and the bench. */
export interface GossipStats {
  delivered: number;
  rejected: number;
  ignored: number;
  duplicates: number;
  oversized: number;
  handlerErrors: number;
  published: number;
  /** Messages dropped because their neighbour exceeded its ingest rate. */
  rateLimited: number;
}

/** The gossipsub message id of `payload` on `topic`: SHA-256(topic ‖ 0x00 ‖ payload). */
export function gossipMessageId(topic: string, payload: Uint8Array): Uint8Array {
  return sha256(utf8(topic), new Uint8Array([0]), payload);
}

export interface GossipRouterOptions {
  messageBytesMax: number;
  seenMax: number;
  /** Per-neighbour ingest budget; over it a message is ignored before validation. */
  rateLimiter: { take(account: AccountId): boolean };
  /** Called for each rejected message with the delivering account. */
  onReject(account: AccountId): void;
}

/** Binds topic subscriptions to a gossipsub instance. Internal; the mesh host exposes its methods. */
export class GossipRouter {
  readonly #pubsub: GossipSub;
  readonly #options: GossipRouterOptions;
  readonly #seen: SeenCache;
  readonly #handlers = new Map<string, GossipHandlers>();
  readonly stats: GossipStats = {
    delivered: 0,
    rejected: 0,
    ignored: 0,
    duplicates: 0,
    oversized: 0,
    handlerErrors: 0,
    published: 0,
    rateLimited: 0,
  };

  #listening = false;

  constructor(pubsub: GossipSub, options: GossipRouterOptions) {
    this.#pubsub = pubsub;
    this.#options = options;
    this.#seen = new SeenCache(options.seenMax);
    this.resume();
  }

  /** Listens to gossipsub's deliveries again after `stop()` (a restarted host); idempotent. */
  resume(): void {
    if (this.#listening) return;
    this.#listening = true;
    this.#pubsub.addEventListener("gossipsub:message", this.#onMessage);
  }

  subscribe(topic: string, handlers: GossipHandlers): () => void {
    if (typeof topic !== "string" || topic.length === 0)
      throw new TypeError(`"topic" expected a non-empty string`);
    if (this.#handlers.has(topic)) throw new RangeError(`topic ${topic} already has a subscriber`);
    this.#handlers.set(topic, handlers);
    this.#pubsub.topicValidators.set(topic, this.#validator(topic, handlers));
    this.#pubsub.subscribe(topic);
    return () => {
      if (this.#handlers.get(topic) !== handlers) return;
      this.#handlers.delete(topic);
      this.#pubsub.topicValidators.delete(topic);
      this.#pubsub.unsubscribe(topic);
    };
  }

  /** Publishes `payload`; returns how many peers it was sent to and whether it was already seen. */
  async publish(topic: string, payload: Uint8Array): Promise<{ recipients: number; duplicate: boolean }> {
    if (!(payload instanceof Uint8Array))
      throw new TypeError(`"payload" expected Uint8Array, got ${typeof payload}`);
    if (payload.length > this.#options.messageBytesMax) {
      throw new NetError(
        NetErrorCode.FRAME_TOO_LARGE,
        `gossip message of ${payload.length} bytes exceeds ${this.#options.messageBytesMax}`,
        {
          details: { payloadBytes: payload.length, payloadBytesMax: this.#options.messageBytesMax },
        },
      );
    }
    const id = toHex(gossipMessageId(topic, payload));
    if (this.#seen.has(id)) return { recipients: 0, duplicate: true };
    let result;
    try {
      result = await this.#pubsub.publish(topic, payload);
    } catch (error) {
      // Nobody subscribed yet: not remembered anywhere, so the caller may publish it again later.
      if (error instanceof Error && error.message.includes("NoPeersSubscribedToTopic"))
        return { recipients: 0, duplicate: false };
      throw error;
    }
    this.#seen.add(id);
    this.stats.published += 1;
    return { recipients: result.recipients.length, duplicate: false };
  }

  stop(): void {
    this.#listening = false;
    this.#pubsub.removeEventListener("gossipsub:message", this.#onMessage);
    this.#handlers.clear();
    this.#seen.clear();
  }

  #validator(topic: string, handlers: GossipHandlers): TopicValidatorFn {
    return async (peer: PeerId, message: Message): Promise<TopicValidatorResult> => {
      let from: AccountId;
      try {
        from = accountIdFromPeerId(peer);
      } catch {
        this.stats.rejected += 1;
        return TopicValidatorResult.Reject;
      }
      if (!this.#options.rateLimiter.take(from)) {
        this.stats.rateLimited += 1;
        return TopicValidatorResult.Ignore;
      }
      if (message.data.length > this.#options.messageBytesMax) {
        this.stats.oversized += 1;
        return this.#reject(from);
      }
      const id = toHex(gossipMessageId(topic, message.data));
      if (this.#seen.has(id)) {
        this.stats.duplicates += 1;
        return TopicValidatorResult.Ignore;
      }
      let verdict: GossipVerdict;
      try {
        verdict = await handlers.validate(message.data, from);
      } catch {
        verdict = "ignore";
      }
      // Remember the outcome either way, so a replay is dropped without re-validation.
      this.#seen.add(id);
      if (verdict === "accept") return TopicValidatorResult.Accept;
      if (verdict === "reject") return this.#reject(from);
      this.stats.ignored += 1;
      return TopicValidatorResult.Ignore;
    };
  }

  #reject(from: AccountId): TopicValidatorResult {
    this.stats.rejected += 1;
    this.#options.onReject(from);
    return TopicValidatorResult.Reject;
  }

  readonly #onMessage = (event: CustomEvent<GossipsubMessage>): void => {
    const { msg, propagationSource } = event.detail;
    const handlers = this.#handlers.get(msg.topic);
    if (handlers === undefined) return;
    let from: AccountId;
    try {
      from = accountIdFromPeerId(propagationSource);
    } catch {
      return;
    }
    this.stats.delivered += 1;
    try {
      handlers.onMessage(msg.data, from);
    } catch {
      this.stats.handlerErrors += 1;
    }
  };
}
