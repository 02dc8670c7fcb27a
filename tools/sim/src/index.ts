/**
 * @tirami/sim — the deterministic simulator: N nodes running the real ledger and the market's gossip,
 * sync and proposal check on a simulated clock and network with faults and Byzantine nodes, every choice
 * drawn from one seed, every invariant of the economy checked (docs/simulator.md). Private: a tool, not
 * shipped in the node.
 * @packageDocumentation
 */
export { DEFAULT_CONFIG, resolveConfig, type SimConfig } from "./config.js";
export { runSimulation, type SimResult } from "./simulation.js";
export type { Violation } from "./referee.js";
export type { PlantedFault } from "./purchase.js";
export { Prng } from "./prng.js";
export { formatResult } from "./report.js";
