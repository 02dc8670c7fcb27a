/**
 * The mind as a spender the ledger's spend path knows: a spender directory that lets `mind` spend (its
 * budgets are the safety gate's policy for `mind` and the mind's own budget) and hands every other
 * spender to the node's directory. The node reserves the name so no agent can take it.
 * @module
 */
import type { SpenderDirectory } from "@tirami/ledger";
import { MIND_SPENDER } from "./constants.js";

/** `base` with the mind added; usage of the mind is metered through `base` like any spender's. */
export function withMindSpender(base?: SpenderDirectory): SpenderDirectory {
  return {
    refusal(spender) {
      if (spender === MIND_SPENDER) return undefined;
      if (base === undefined)
        return { code: "SPENDER_UNKNOWN", message: `no spender directory knows "${spender}"` };
      return base.refusal(spender);
    },
    recordUsage: (spender, usage) => base?.recordUsage(spender, usage),
  };
}
