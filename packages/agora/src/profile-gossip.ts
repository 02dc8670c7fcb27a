/**
 * Profile gossip (`TOPIC_AGORA`, docs/agora.md): every signed agent profile is checked in the topic
 * validator, before anything is forwarded.
 *
 * - decode fails (size, shape, bounds) or the signature is not `node`'s (a forged or altered profile) →
 *   `reject`: not stored, not forwarded, and the neighbour that sent it loses standing with the mesh host;
 * - this node's own profiles, profiles dated more than `PROFILE_CLOCK_SKEW_MS` ahead or older than the
 *   registry's TTL, ones not newer than the profile held, and new agents of a node already at
 *   `PROFILES_PER_NODE_MAX` → `ignore` (not forwarded, no penalty: an honest relay may send them);
 * - otherwise the profile enters the registry and is `accept`ed (forwarded).
 * @module
 */
import type { AccountId } from "@tirami/core";
import { type GossipVerdict, type MeshHost, TOPIC_AGORA } from "@tirami/net";
import { type AgentProfile, decodeMessage, encodeMessage, verifyAgentProfile } from "@tirami/proto";
import { PROFILE_CLOCK_SKEW_MS } from "./constants.js";
import type { ProfileRegistry } from "./registry.js";

/** Counters for the stats route and tests. */
export interface ProfileGossipCounters {
  profiles_accepted: number;
  profiles_rejected: number;
  profiles_ignored: number;
  profiles_published: number;
}

export interface ProfileGossipDeps {
  host: Pick<MeshHost, "account" | "subscribe" | "publish">;
  registry: ProfileRegistry;
  ttlMs: number;
  nowMs(): number;
  /** A new profile entered the registry from the mesh. */
  onProfile?: ((profile: AgentProfile, from: AccountId) => void) | undefined;
}

/** The profile topic of one node; `validate` works before `start` (it needs no network). */
export interface ProfileGossip {
  readonly counters: ProfileGossipCounters;
  validate(bytes: Uint8Array, from: AccountId): GossipVerdict;
  /** Publishes a profile this node signed; resolves to the peers it reached (0 when none). */
  publish(profile: AgentProfile): Promise<number>;
  start(): void;
  stop(): void;
}

/** Creates the profile gossip (not subscribed until `start`). */
export function createProfileGossip(deps: ProfileGossipDeps): ProfileGossip {
  const counters: ProfileGossipCounters = {
    profiles_accepted: 0,
    profiles_rejected: 0,
    profiles_ignored: 0,
    profiles_published: 0,
  };
  let unsubscribe: (() => void) | undefined;

  function verdict(bytes: Uint8Array, from: AccountId): GossipVerdict {
    let profile: AgentProfile;
    try {
      profile = decodeMessage(bytes, ["agent_profile"]);
    } catch {
      return "reject";
    }
    if (!verifyAgentProfile(profile)) return "reject";
    const nowMs = deps.nowMs();
    if (
      profile.node === deps.host.account ||
      profile.timestamp_ms > nowMs + PROFILE_CLOCK_SKEW_MS ||
      profile.timestamp_ms < nowMs - deps.ttlMs ||
      (deps.registry.timestampOf(profile.node, profile.agent_id) ?? -1) >= profile.timestamp_ms
    )
      return "ignore";
    if (deps.registry.put(profile) !== true) return "ignore";
    deps.onProfile?.(profile, from);
    return "accept";
  }

  function validate(bytes: Uint8Array, from: AccountId): GossipVerdict {
    const result = verdict(bytes, from);
    if (result === "accept") counters.profiles_accepted += 1;
    else if (result === "reject") counters.profiles_rejected += 1;
    else counters.profiles_ignored += 1;
    return result;
  }

  return {
    counters,
    validate,
    async publish(profile) {
      if (unsubscribe === undefined) return 0;
      try {
        const { recipients } = await deps.host.publish(TOPIC_AGORA, encodeMessage(profile));
        if (recipients > 0) counters.profiles_published += 1;
        return recipients;
      } catch {
        // nobody subscribed yet: the next refresh or connection publishes again
        return 0;
      }
    },
    start() {
      unsubscribe ??= deps.host.subscribe(TOPIC_AGORA, {
        validate,
        onMessage: () => {
          // stored by the validator, before forwarding
        },
      });
    },
    stop() {
      unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}
