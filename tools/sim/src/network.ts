/**
 * The simulated network between nodes: per-message latency drawn from a shifted exponential (a long tail,
 * capped), drops and duplicates of gossip datagrams, reordering (each copy draws its own latency),
 * partitions that split the nodes into two sides until they heal, and delivery only to a node that is up in
 * the same incarnation it was in when the message was sent to it... or a later one for datagrams, which
 * carry no connection. Streams get no drops (a connection is reliable) but die when their link does.
 * @module
 */
import type { Prng } from "./prng.js";
import type { SimKernel } from "./kernel.js";

/** Fault rates and latency shape of the network (all ms). */
export interface NetworkProfile {
  latencyMsMin: number;
  latencyMsMean: number;
  latencyMsMax: number;
  /** Probability a gossip datagram is lost. */
  dropRate: number;
  /** Probability a gossip datagram is delivered twice. */
  duplicateRate: number;
}

/** Whether a node can currently take messages. */
export interface NetworkEndpoint {
  readonly up: boolean;
}

/** Counters of the network. */
export interface NetworkCounters {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  cut: number;
}

export class SimNetwork {
  readonly counters: NetworkCounters = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, cut: 0 };
  profile: NetworkProfile;
  /** Side of each node while a partition lasts (0 or 1), or null when the network is whole. */
  #sides: Uint8Array | null = null;

  constructor(
    private readonly kernel: SimKernel,
    private readonly rng: Prng,
    private readonly endpoints: readonly NetworkEndpoint[],
    profile: NetworkProfile,
  ) {
    this.profile = profile;
  }

  /** One latency sample. */
  latencyMs(): number {
    const { latencyMsMin, latencyMsMean, latencyMsMax } = this.profile;
    return Math.min(latencyMsMax, latencyMsMin + this.rng.exponential(latencyMsMean - latencyMsMin));
  }

  /** True when `a` and `b` are up and on the same side. */
  reachable(a: number, b: number): boolean {
    if (!this.endpoints[a]!.up || !this.endpoints[b]!.up) return false;
    return this.#sides === null || this.#sides[a] === this.#sides[b];
  }

  get partitioned(): boolean {
    return this.#sides !== null;
  }

  /** Splits the nodes: each goes to side 1 with probability `fraction`. */
  partition(fraction: number): number {
    const sides = new Uint8Array(this.endpoints.length);
    let minority = 0;
    for (let i = 0; i < sides.length; i += 1) {
      sides[i] = this.rng.chance(fraction) ? 1 : 0;
      minority += sides[i]!;
    }
    this.#sides = sides;
    return minority;
  }

  heal(): void {
    this.#sides = null;
  }

  /**
   * Sends a datagram (gossip): maybe dropped, maybe duplicated, each copy with its own latency; delivered
   * only if the two nodes can reach each other both when it leaves and when it arrives.
   */
  datagram(from: number, to: number, label: string, deliver: () => void): boolean {
    this.counters.sent += 1;
    if (!this.reachable(from, to)) {
      this.counters.cut += 1;
      return false;
    }
    if (this.rng.chance(this.profile.dropRate)) {
      this.counters.dropped += 1;
      return true;
    }
    const copies = this.rng.chance(this.profile.duplicateRate) ? 2 : 1;
    if (copies === 2) this.counters.duplicated += 1;
    for (let copy = 0; copy < copies; copy += 1) {
      this.kernel.at(this.latencyMs(), label, () => {
        if (!this.reachable(from, to)) {
          this.counters.cut += 1;
          return;
        }
        this.counters.delivered += 1;
        deliver();
      });
    }
    return true;
  }
}
