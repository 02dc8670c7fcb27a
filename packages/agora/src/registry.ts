/**
 * The registry: the latest verified profile of every agent in the mesh, keyed by (node, agent id). Only
 * profiles whose signature verified enter it (the gossip validator and the publisher check first); it is
 * bounded (`REGISTRY_PROFILES_MAX` in all, stalest evicted first; `PROFILES_PER_NODE_MAX` per node) and
 * expiring (`ttlMs` after the profile's own timestamp and its arrival here, like the market's offer book).
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { AgentProfile } from "@tirami/proto";

/** A profile and when this node received it. */
export interface RegistryEntry {
  profile: AgentProfile;
  receivedMs: number;
}

export interface RegistryOptions {
  capacity: number;
  perNodeMax: number;
  ttlMs: number;
  nowMs(): number;
}

/** Why `put` did not store a profile. */
export type RegistryRefusal = "not_newer" | "node_full";

const keyOf = (node: string, agentId: string): string => `${node}/${agentId}`;

/** The bounded, expiring registry of agent profiles. */
export class ProfileRegistry {
  readonly #entries = new Map<string, RegistryEntry>();
  readonly #perNode = new Map<string, number>();
  readonly #options: RegistryOptions;

  constructor(options: RegistryOptions) {
    for (const name of ["capacity", "perNodeMax", "ttlMs"] as const) {
      const value = options[name];
      if (!Number.isSafeInteger(value) || value < 1)
        throw new RangeError(`"${name}" expected a positive integer, got ${value}`);
    }
    this.#options = options;
  }

  /** Stores a verified profile unless a newer or equal one of the same agent is held or its node is full. */
  put(profile: AgentProfile): true | RegistryRefusal {
    const key = keyOf(profile.node, profile.agent_id);
    const current = this.#entries.get(key);
    if (current !== undefined && current.profile.timestamp_ms >= profile.timestamp_ms) return "not_newer";
    if (current === undefined && (this.#perNode.get(profile.node) ?? 0) >= this.#options.perNodeMax) {
      this.prune();
      if ((this.#perNode.get(profile.node) ?? 0) >= this.#options.perNodeMax) return "node_full";
    }
    if (current === undefined) this.#perNode.set(profile.node, (this.#perNode.get(profile.node) ?? 0) + 1);
    this.#entries.delete(key);
    this.#entries.set(key, { profile, receivedMs: this.#options.nowMs() });
    while (this.#entries.size > this.#options.capacity)
      this.#remove(this.#entries.keys().next().value as string);
    return true;
  }

  /** The newest timestamp held for the agent (expired ones included until pruned). */
  timestampOf(node: string, agentId: string): number | undefined {
    return this.#entries.get(keyOf(node, agentId))?.profile.timestamp_ms;
  }

  /** The live profile of an agent. */
  get(node: string, agentId: string): AgentProfile | undefined {
    this.prune();
    return this.#entries.get(keyOf(node, agentId))?.profile;
  }

  /** Removes an agent's profile (this node withdrawing its own); true when one was held. */
  delete(node: string, agentId: string): boolean {
    const key = keyOf(node, agentId);
    if (!this.#entries.has(key)) return false;
    this.#remove(key);
    return true;
  }

  /** Every live profile, oldest arrival first. */
  list(): AgentProfile[] {
    this.prune();
    return [...this.#entries.values()].map((entry) => entry.profile);
  }

  /** Live profiles of one node. */
  ofNode(node: AccountId): AgentProfile[] {
    return this.list().filter((profile) => profile.node === node);
  }

  /** Drops expired profiles; returns how many. */
  prune(): number {
    const cutoff = this.#options.nowMs() - this.#options.ttlMs;
    let dropped = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.profile.timestamp_ms < cutoff && entry.receivedMs < cutoff) {
        this.#remove(key);
        dropped += 1;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.#entries.size;
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    const left = (this.#perNode.get(entry.profile.node) ?? 1) - 1;
    if (left <= 0) this.#perNode.delete(entry.profile.node);
    else this.#perNode.set(entry.profile.node, left);
  }
}
