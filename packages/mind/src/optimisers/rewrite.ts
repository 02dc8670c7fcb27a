/**
 * The rule-based rewrite optimiser (upstream's `PromptRewriteOptimizer`, which only ever appended "Be
 * concise and helpful."), driven by the baseline's failures. Rules, tried in order; the first that
 * changes the prompt wins:
 *
 * - `require_words`: the failed `contains`/`exact` checks name what the answers lacked; append
 *   `Use these words: w1, w2.` (at most `REWRITE_WORDS_MAX`, in task order, each once);
 * - `concise`: some answer ran out of tokens; append `Be concise and helpful.` (once).
 *
 * Free: no model is asked.
 * @module
 */
import { type Check, wantedText } from "../checks.js";
import { REWRITE_WORDS_MAX, SYSTEM_PROMPT_CHARS_MAX } from "../constants.js";
import { specOf } from "../harness.js";
import type { Optimiser } from "./optimiser.js";

/** The rules, by name. */
export const REWRITE_RULES = ["require_words", "concise"] as const;
export type RewriteRule = (typeof REWRITE_RULES)[number];

const CONCISE = "Be concise and helpful.";

function append(prompt: string, sentence: string): string {
  return prompt === "" ? sentence : `${prompt.trimEnd()} ${sentence}`;
}

/** Rewrites with `rules` (default: all, in order). */
export function rewriteOptimiser(rules: readonly RewriteRule[] = REWRITE_RULES): Optimiser {
  return {
    name: "rewrite",
    async propose({ harness, baseline, taskSet }) {
      const checks = new Map<string, Check>(taskSet.tasks.map((t) => [t.id, t.check]));
      const failed = baseline.details.filter((d) => !d.passed);
      for (const rule of rules) {
        let next = harness.system_prompt;
        if (rule === "require_words") {
          const words = [
            ...new Set(failed.flatMap((d) => wantedText(checks.get(d.id) as Check) ?? [])),
          ].slice(0, REWRITE_WORDS_MAX);
          if (words.length > 0) next = append(next, `Use these words: ${words.join(", ")}.`);
        } else if (baseline.details.some((d) => d.finish_reason === "length") && !next.includes(CONCISE)) {
          next = append(next, CONCISE);
        }
        if (next !== harness.system_prompt && next.length <= SYSTEM_PROMPT_CHARS_MAX)
          return {
            spec: { ...specOf(harness), system_prompt: next },
            proposer: `rewrite:${rule}`,
            rationale:
              rule === "require_words"
                ? `${failed.length} of ${baseline.sample_count} answers lacked required words`
                : "answers ran out of tokens",
          };
      }
      return { spec: specOf(harness), proposer: "rewrite:none", rationale: "no rule applies" };
    },
  };
}
