/**
 * The echo optimiser (upstream `EchoMetaOptimizer`): proposes the harness unchanged. A control: its cycle
 * measures the benchmark's noise and, with delta 0, is always reverted.
 * @module
 */
import { specOf } from "../harness.js";
import type { Optimiser } from "./optimiser.js";

/** Proposes the same harness. */
export function echoOptimiser(): Optimiser {
  return {
    name: "echo",
    propose: async ({ harness }) => ({
      spec: specOf(harness),
      proposer: "echo",
      rationale: "unchanged (control)",
    }),
  };
}
