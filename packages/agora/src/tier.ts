/**
 * Tiers of models (docs/upstream.md §10.3): a profile states its tier; an offer does not, so the tier of
 * an offered model is inferred from its id with the reference's rule — `frontier`, `opus`, `gpt-4`,
 * `claude-3`, `claude-opus` → frontier; `70b`, `large` → large; `13b`, `medium`, `8b` → medium; else small.
 * @module
 */
import type { AgentTier } from "@tirami/proto";

const FRONTIER = ["frontier", "opus", "gpt-4", "claude-3", "claude-opus"];
const LARGE = ["70b", "large"];
const MEDIUM = ["13b", "medium", "8b"];

/** The tier of a model from its id (case-insensitive). */
export function tierOfModel(modelId: string): AgentTier {
  const id = modelId.toLowerCase();
  if (FRONTIER.some((word) => id.includes(word))) return "frontier";
  if (LARGE.some((word) => id.includes(word))) return "large";
  if (MEDIUM.some((word) => id.includes(word))) return "medium";
  return "small";
}
