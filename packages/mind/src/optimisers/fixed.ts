/**
 * The fixed optimiser: proposes a system prompt the operator wrote, so a hand edit is measured and kept
 * or reverted by the same rule as any other proposal.
 * @module
 */
import { assertHarnessSpec, specOf } from "../harness.js";
import type { Optimiser } from "./optimiser.js";

/** Proposes `systemPrompt` in place of the current one. */
export function fixedOptimiser(systemPrompt: string): Optimiser {
  return {
    name: "fixed",
    async propose({ harness }) {
      const spec = { ...specOf(harness), system_prompt: systemPrompt };
      assertHarnessSpec(spec);
      return { spec, proposer: "fixed", rationale: "the operator's system prompt" };
    },
  };
}
