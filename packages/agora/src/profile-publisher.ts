/**
 * This node's own agent profiles: the agents registered here (`register`) and, when the node describes
 * itself (`self`), its own profile under agent id `node`. Each is signed with the node key — the key the
 * profile names — and re-signed with a fresh timestamp and re-published every `refreshMs`, so it stays
 * in every registry while the node lives and expires from them `PROFILE_TTL_MS_DEFAULT` after it stops.
 * A peer that connects gets them shortly after (once it has subscribed to the topic).
 * @module
 */
import type { Signer } from "@tirami/core";
import { type AgentProfile, type AgentProfileBody, signAgentProfile } from "@tirami/proto";
import { OWN_PROFILES_MAX } from "./constants.js";
import { AgoraError, AgoraErrorCode } from "./errors.js";
import type { ProfileRegistry } from "./registry.js";

/** What a caller says about an agent; the node key, timestamp and Nostr key are added here. */
export type ProfileSpec = Omit<AgentProfileBody, "node" | "timestamp_ms" | "nostr_pubkey">;

/** The agent id of a node's own profile. */
export const SELF_AGENT_ID = "node";

export interface ProfilePublisherDeps {
  signer: Signer;
  registry: ProfileRegistry;
  nowMs(): number;
  /** This node's Nostr public key (x-only hex), added to every profile when present. */
  nostrPubkey?: string | undefined;
  /** The node's description of itself (agent id `node`), re-read at every refresh; none when undefined. */
  self?: (() => Omit<ProfileSpec, "agent_id"> | undefined) | undefined;
  publish(profile: AgentProfile): Promise<number>;
}

/** The publisher of this node's own profiles. */
export interface ProfilePublisher {
  /**
   * Signs and stores a profile for one of this node's agents and publishes it now.
   * @throws {AgoraError} TOO_MANY_PROFILES; proto's `ProtoError` INVALID_MESSAGE naming a bad field.
   */
  register(spec: ProfileSpec): Promise<AgentProfile>;
  /** Stops publishing an agent's profile and drops it here. @throws {AgoraError} AGORA_AGENT_NOT_FOUND. */
  withdraw(agentId: string): void;
  /** The current signed profiles of this node. */
  own(): AgentProfile[];
  /** What was registered (the node's own profile excluded), in registration order. */
  specs(): ProfileSpec[];
  /** Re-signs every profile with a fresh timestamp and publishes it; resolves to the peers reached. */
  refresh(): Promise<number>;
}

/** Creates the publisher. */
export function createProfilePublisher(deps: ProfilePublisherDeps): ProfilePublisher {
  const specs = new Map<string, ProfileSpec>();
  const signed = new Map<string, AgentProfile>();
  let lastTimestampMs = 0;

  function sign(spec: ProfileSpec): AgentProfile {
    lastTimestampMs = Math.max(deps.nowMs(), lastTimestampMs + 1);
    const profile = signAgentProfile(
      {
        ...spec,
        node: deps.signer.accountId,
        ...(deps.nostrPubkey === undefined ? {} : { nostr_pubkey: deps.nostrPubkey }),
        timestamp_ms: lastTimestampMs,
      },
      deps.signer,
    );
    signed.set(profile.agent_id, profile);
    deps.registry.put(profile);
    return profile;
  }

  function current(): ProfileSpec[] {
    const self = deps.self?.();
    const all = [...specs.values()];
    return self === undefined ? all : [{ ...self, agent_id: SELF_AGENT_ID }, ...all];
  }

  return {
    async register(spec) {
      if (spec.agent_id === SELF_AGENT_ID && deps.self !== undefined)
        throw new AgoraError(
          AgoraErrorCode.INVALID_AGORA_REQUEST,
          `agent id "${SELF_AGENT_ID}" is this node's own profile`,
          { details: { param: "agent_id" } },
        );
      if (!specs.has(spec.agent_id) && specs.size >= OWN_PROFILES_MAX - (deps.self === undefined ? 0 : 1))
        throw new AgoraError(
          AgoraErrorCode.TOO_MANY_PROFILES,
          `this node already registers ${specs.size} agents (the most it may)`,
        );
      const profile = sign(spec);
      specs.set(spec.agent_id, spec);
      await deps.publish(profile);
      return profile;
    },
    withdraw(agentId) {
      if (!specs.delete(agentId))
        throw new AgoraError(
          AgoraErrorCode.AGORA_AGENT_NOT_FOUND,
          `no agent "${agentId}" is registered here`,
        );
      signed.delete(agentId);
      deps.registry.delete(deps.signer.accountId, agentId);
    },
    own: () => [...signed.values()],
    specs: () => [...specs.values()],
    async refresh() {
      let reached = 0;
      const self = deps.self?.();
      if (self === undefined && signed.delete(SELF_AGENT_ID))
        deps.registry.delete(deps.signer.accountId, SELF_AGENT_ID);
      for (const spec of current()) reached += await deps.publish(sign(spec));
      return reached;
    },
  };
}
