/**
 * Optimiser settings as stored and sent over the API (`kind` names the optimiser), their validation, and
 * building the optimiser they describe.
 * @module
 */
import { isAccountId, type AccountId } from "@tirami/core";
import { isRoutePreference, type RoutePreference } from "@tirami/market";
import { PROPOSAL_MAX_TOKENS_DEFAULT, SYSTEM_PROMPT_CHARS_MAX, TASK_MAX_TOKENS_MAX } from "../constants.js";
import { MindError, MindErrorCode } from "../errors.js";
import type { MindInference, MindInferenceOptions } from "../inference.js";
import { echoOptimiser } from "./echo.js";
import { fixedOptimiser } from "./fixed.js";
import type { Optimiser } from "./optimiser.js";
import { paidOptimiser } from "./paid.js";
import { REWRITE_RULES, type RewriteRule, rewriteOptimiser } from "./rewrite.js";

/** Which optimiser, with its settings. */
export type OptimiserConfig =
  | { kind: "echo" }
  | { kind: "rewrite"; rules?: RewriteRule[] }
  | { kind: "fixed"; system_prompt: string }
  | {
      kind: "paid";
      model?: string;
      preference?: RoutePreference;
      provider?: AccountId;
      max_tokens?: number;
    };

function invalid(message: string): never {
  throw new MindError(MindErrorCode.INVALID_MIND_REQUEST, `optimiser: ${message}`, {
    details: { param: "optimiser" },
  });
}

/**
 * Validates optimiser settings.
 * @throws {MindError} INVALID_MIND_REQUEST.
 */
export function parseOptimiserConfig(value: unknown): OptimiserConfig {
  if (typeof value !== "object" || value === null) invalid("expected an object with a kind");
  const v = value as Record<string, unknown>;
  switch (v.kind) {
    case "echo":
      return { kind: "echo" };
    case "rewrite": {
      if (v.rules === undefined) return { kind: "rewrite" };
      if (
        !Array.isArray(v.rules) ||
        v.rules.length < 1 ||
        !v.rules.every((r) => REWRITE_RULES.includes(r as RewriteRule))
      )
        invalid(`rules: a non-empty list of ${REWRITE_RULES.join(", ")}`);
      return { kind: "rewrite", rules: [...new Set(v.rules as RewriteRule[])] };
    }
    case "fixed":
      if (typeof v.system_prompt !== "string" || v.system_prompt.length > SYSTEM_PROMPT_CHARS_MAX)
        invalid(`system_prompt: a string of at most ${SYSTEM_PROMPT_CHARS_MAX} characters`);
      return { kind: "fixed", system_prompt: v.system_prompt };
    case "paid": {
      const out: OptimiserConfig = { kind: "paid" };
      if (v.model !== undefined) {
        if (typeof v.model !== "string" || v.model.length < 1 || v.model.length > 256)
          invalid("model: 1–256 characters");
        out.model = v.model;
      }
      if (v.preference !== undefined) {
        if (!isRoutePreference(v.preference)) invalid("preference: cost, quality or balanced");
        out.preference = v.preference;
      }
      if (v.provider !== undefined) {
        if (!isAccountId(v.provider)) invalid("provider: 64 lowercase hex characters");
        out.provider = v.provider;
      }
      if (v.max_tokens !== undefined) {
        if (
          !Number.isSafeInteger(v.max_tokens) ||
          (v.max_tokens as number) < 1 ||
          (v.max_tokens as number) > TASK_MAX_TOKENS_MAX
        )
          invalid(`max_tokens: an integer from 1 to ${TASK_MAX_TOKENS_MAX}`);
        out.max_tokens = v.max_tokens as number;
      }
      return out;
    }
    default:
      return invalid('kind must be "echo", "rewrite", "fixed" or "paid"');
  }
}

/** Builds the optimiser `config` describes; a paid one reaches its model through `inference(route)`. */
export function buildOptimiser(
  config: OptimiserConfig,
  inference: (route: Pick<MindInferenceOptions, "preference" | "provider">) => MindInference,
): Optimiser {
  switch (config.kind) {
    case "echo":
      return echoOptimiser();
    case "rewrite":
      return rewriteOptimiser(config.rules);
    case "fixed":
      return fixedOptimiser(config.system_prompt);
    case "paid":
      return paidOptimiser({
        model: config.model,
        maxTokens: config.max_tokens ?? PROPOSAL_MAX_TOKENS_DEFAULT,
        via:
          config.preference === undefined && config.provider === undefined
            ? undefined
            : inference({ preference: config.preference, provider: config.provider }),
      });
  }
}
