/**
 * A run's configuration: everything but the seed has a default, and every default is chosen so a small run
 * exercises every fault. `steps` is the number of purchases attempted; faults and Byzantine acts are
 * spread over the same window of simulated time.
 * @module
 */
import type { PlantedFault } from "./purchase.js";
import type { NetworkProfile } from "./network.js";

export interface SimConfig {
  seed: number;
  nodes: number;
  /** Purchases attempted during the workload. */
  steps: number;
  /** Simulated ms between two purchase starts. */
  stepMs: number;
  /** False runs a fault-free network (no drops, partitions, crashes, skew or Byzantine nodes). */
  faults: boolean;
  network: NetworkProfile;
  /** Random extra edges per node on top of the ring of honest nodes. */
  extraEdgesPerNode: number;
  providerFraction: number;
  byzantineFraction: number;
  /** Nodes that may crash keep their ledger in a file (restart from it); the rest use `:memory:`. */
  crashableFraction: number;
  crashes: number;
  partitions: number;
  clockSkewMsMax: number;
  /** Honest nodes that turn their kill switch on during the run. */
  killFraction: number;
  /** Honest nodes with a tight budget policy. */
  budgetFraction: number;
  /** Probability that a workload step is a loan (borrow from the pool) instead of a purchase. */
  loanRate: number;
  /** Honest nodes that offer to lend (at least one when `loanRate` > 0). */
  lenderFraction: number;
  /** Probability an honest borrower repays (Byzantine borrowers never do: their loans default). */
  repayRate: number;
  /**
   * Every node publishes its offer (root and trade count), as the market does; false: only providers do.
   * Offers are O(nodes²) signature checks per interval, which dominates runs of 1,000 nodes.
   */
  consumerOffers: boolean;
  /** Simulated ms between two offers of one node. */
  offerIntervalMs: number;
  /** Simulated ms between two acts of one Byzantine node. */
  byzantineActMs: number;
  /** Simulated ms between continuous checks, and nodes checked each time. */
  checkIntervalMs: number;
  checkSample: number;
  /** Honest nodes whose full `verify()` runs at the end (the rest get every other check). */
  verifyNodesMax: number;
  /** Longest simulated wait for quiescence after the workload. */
  quiescenceMsMax: number;
  plant: PlantedFault | undefined;
  /** Called with a progress line every `progressMs` of simulated time (long runs). */
  onProgress?: ((line: string) => void) | undefined;
  /** Directory for crashable nodes' ledger files (a fresh temp dir when absent). */
  dir: string | undefined;
}

export const DEFAULT_CONFIG: Omit<SimConfig, "seed"> = {
  nodes: 12,
  steps: 200,
  stepMs: 50,
  faults: true,
  network: { latencyMsMin: 2, latencyMsMean: 40, latencyMsMax: 2_000, dropRate: 0.02, duplicateRate: 0.02 },
  extraEdgesPerNode: 2,
  providerFraction: 0.4,
  byzantineFraction: 0.1,
  crashableFraction: 0.2,
  crashes: 3,
  partitions: 2,
  clockSkewMsMax: 2_000,
  killFraction: 0.05,
  budgetFraction: 0.1,
  loanRate: 0.05,
  lenderFraction: 0.3,
  repayRate: 0.8,
  consumerOffers: true,
  offerIntervalMs: 30_000,
  byzantineActMs: 1_000,
  checkIntervalMs: 5_000,
  checkSample: 4,
  verifyNodesMax: 64,
  // Past a loan's term (1 h), the default grace (1 h) and the sweeper's settle time, with room to spare.
  quiescenceMsMax: 4 * 3_600_000,
  plant: undefined,
  dir: undefined,
};

/** The configuration with defaults filled in; `faults: false` zeroes every fault. */
export function resolveConfig(partial: Partial<SimConfig> & { seed: number }): SimConfig {
  const config: SimConfig = {
    ...DEFAULT_CONFIG,
    ...partial,
    network: { ...DEFAULT_CONFIG.network, ...partial.network },
  };
  if (!Number.isSafeInteger(config.nodes) || config.nodes < 3) throw new RangeError(`"nodes" expected ≥ 3`);
  if (!Number.isSafeInteger(config.steps) || config.steps < 0) throw new RangeError(`"steps" expected ≥ 0`);
  if (!config.faults)
    return {
      ...config,
      network: { ...config.network, dropRate: 0, duplicateRate: 0 },
      byzantineFraction: 0,
      crashes: 0,
      partitions: 0,
      clockSkewMsMax: 0,
    };
  return config;
}
