/**
 * The paid optimiser: asks a model — in the mesh by route preference or a named provider, or this node's
 * own — to propose a better system prompt from the current one and the tasks it failed. The request is
 * bought like any other answer of the run (budget check, spend path as the `mind` spender, a dual-signed
 * trade), so the proposal's cost is that trade. The answer, trimmed, is the new system prompt; an empty
 * answer proposes the prompt unchanged. Upstream posted to a hard-coded cloud API and booked a made-up
 * trade (docs/upstream.md §10.2); nothing here is booked that was not bought.
 * @module
 */
import { wantedText } from "../checks.js";
import { PROPOSAL_FAILURES_MAX, SYSTEM_PROMPT_CHARS_MAX } from "../constants.js";
import { DEFAULT_ROUTE, specOf } from "../harness.js";
import type { MindInference } from "../inference.js";
import type { Optimiser, ProposalContext } from "./optimiser.js";

export interface PaidOptimiserOptions {
  /** The proposing model (default: the harness's default route). */
  model?: string | undefined;
  /** Tokens the proposal may take (its worst-case cost is this × the price). */
  maxTokens: number;
  /** How to reach the model (its own route preference or provider); default the mind's inference. */
  via?: MindInference | undefined;
}

const INSTRUCTION =
  "You improve the system prompt of an AI assistant so that its answers pass the checks below. " +
  "Reply with the new system prompt only.";

/** The request a proposing model gets: the current prompt, the score and the failures. */
export function proposalPrompt(context: Pick<ProposalContext, "harness" | "baseline" | "taskSet">): string {
  const { harness, baseline, taskSet } = context;
  const byId = new Map(taskSet.tasks.map((t) => [t.id, t]));
  const failures = baseline.details
    .filter((d) => !d.passed)
    .slice(0, PROPOSAL_FAILURES_MAX)
    .map((d) => {
      const task = byId.get(d.id);
      const wanted = task === undefined ? undefined : wantedText(task.check);
      return `- ${task?.prompt ?? d.id} → ${wanted === undefined ? `check ${task?.check.type}` : `should contain "${wanted}"`}; answered: ${d.output_preview}`;
    });
  return [
    `Current system prompt: ${harness.system_prompt === "" ? "(none)" : harness.system_prompt}`,
    `Score: ${baseline.passed} of ${baseline.sample_count} tasks passed.`,
    failures.length === 0 ? "No task failed." : `Failed tasks:\n${failures.join("\n")}`,
    "New system prompt:",
  ].join("\n");
}

/** Proposes through a model, paid through the run's meter. */
export function paidOptimiser(options: PaidOptimiserOptions): Optimiser {
  return {
    name: "paid",
    async propose(context) {
      const model = options.model ?? context.harness.model_routes[DEFAULT_ROUTE] ?? "";
      const answer = await context.answer(
        {
          modelId: model,
          messages: [
            { role: "system", content: INSTRUCTION },
            { role: "user", content: proposalPrompt(context) },
          ],
          maxTokens: options.maxTokens,
          requestId: context.requestId(1),
          signal: context.signal,
        },
        "proposal",
        options.via,
      );
      const proposed = answer.text.trim().slice(0, SYSTEM_PROMPT_CHARS_MAX);
      return {
        spec: {
          ...specOf(context.harness),
          system_prompt: proposed === "" ? context.harness.system_prompt : proposed,
        },
        proposer: `model:${model}`,
        rationale:
          proposed === ""
            ? "the model proposed nothing; the prompt is unchanged"
            : `proposed by ${model}${answer.provider === null ? " (local)" : ` from ${answer.provider}`} for ${answer.amountTrm} TRM`,
      };
    },
  };
}
