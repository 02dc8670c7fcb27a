/**
 * Request schemas of the mind routes (`/v1/tirami/mind/*`), with their numeric limits: the node validates
 * with them and the client checks against them. The limits match `@tirami/mind`'s (its `constants.ts`),
 * which validates everything again (the node's tests assert they agree); these refuse what is malformed
 * at the boundary, before the mind sees it.
 * @module
 */
import { z } from "zod";
import { hex64 } from "./tirami.js";

/** Most cycles one improve request runs (the mind's `IMPROVE_CYCLES_MAX`). */
export const MIND_IMPROVE_CYCLES_MAX = 100;
/** Most tasks in a task set (the mind's `TASKS_MAX`). */
export const MIND_TASKS_MAX = 200;
/** Most characters of a JSONL task set (the mind's `TASK_SET_BYTES_MAX`, counted in characters here). */
export const MIND_TASKS_JSONL_CHARS_MAX = 1_000_000;
/** Most characters of a system prompt (the mind's `SYSTEM_PROMPT_CHARS_MAX`). */
export const MIND_SYSTEM_PROMPT_CHARS_MAX = 8_000;
/** Most characters of a harness description (the mind's `DESCRIPTION_CHARS_MAX`). */
export const MIND_DESCRIPTION_CHARS_MAX = 500;
/** Most tools, routes and sub-agents of a harness (the mind's `TOOLS_MAX`, `ROUTES_MAX`, `SUB_AGENTS_MAX`). */
export const MIND_TOOLS_MAX = 32;
export const MIND_ROUTES_MAX = 16;
export const MIND_SUB_AGENTS_MAX = 8;
/** Most tokens of a task or a paid proposal (the mind's `TASK_MAX_TOKENS_MAX`). */
export const MIND_MAX_TOKENS_MAX = 1_024;
/** Task set names (built-in or the name a custom set is stored under). */
export const MIND_TASK_SET_NAME_RE = /^[a-z0-9_-]{1,64}$/;

const account = hex64;
const preference = z.enum(["cost", "quality", "balanced"]);
const trm = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/** An optimiser and its settings. */
export const mindOptimiserSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("echo") }),
  z.strictObject({
    kind: z.literal("rewrite"),
    rules: z
      .array(z.enum(["require_words", "concise"]))
      .min(1)
      .max(2)
      .optional(),
  }),
  z.strictObject({ kind: z.literal("fixed"), system_prompt: z.string().max(MIND_SYSTEM_PROMPT_CHARS_MAX) }),
  z.strictObject({
    kind: z.literal("paid"),
    model: z.string().min(1).max(256).optional(),
    preference: preference.optional(),
    provider: account.optional(),
    max_tokens: z.int().min(1).max(MIND_MAX_TOKENS_MAX).optional(),
  }),
]);

/** A task set: inline tasks, JSONL text, or a built-in set's name (at most one). */
const taskSetFields = {
  tasks: z.array(z.unknown()).min(1).max(MIND_TASKS_MAX).optional(),
  tasks_jsonl: z.string().min(1).max(MIND_TASKS_JSONL_CHARS_MAX).optional(),
  task_set: z.string().regex(MIND_TASK_SET_NAME_RE).optional(),
};

/** `POST /v1/tirami/mind/budget`. */
export const mindBudgetBody = z.strictObject({
  max_trm_per_cycle: trm.optional(),
  max_trm_per_day: trm.optional(),
  max_cycles_per_day: z.int().min(0).max(1_000_000).optional(),
  min_score_delta: z.number().min(0).max(1).optional(),
  min_roi: z.number().min(0).max(1_000_000).optional(),
});

/** `POST /v1/tirami/mind/init`. */
export const mindInitBody = z.strictObject({
  system_prompt: z.string().max(MIND_SYSTEM_PROMPT_CHARS_MAX),
  /** Default: `{ default: <this node's model> }`. */
  model_routes: z.record(z.string().regex(/^[a-z0-9_-]{1,64}$/), z.string().min(1).max(256)).optional(),
  tools: z.array(z.unknown()).max(MIND_TOOLS_MAX).optional(),
  sub_agents: z.array(z.unknown()).max(MIND_SUB_AGENTS_MAX).optional(),
  description: z.string().max(MIND_DESCRIPTION_CHARS_MAX).optional(),
  optimiser: mindOptimiserSchema.optional(),
  budget: mindBudgetBody.optional(),
  routing: z.strictObject({ preference: preference.optional(), provider: account.optional() }).optional(),
  replace: z.boolean().optional(),
  ...taskSetFields,
});

/** `POST /v1/tirami/mind/improve`. */
export const mindImproveBody = z.strictObject({
  n_cycles: z.int().min(1).max(MIND_IMPROVE_CYCLES_MAX),
  optimiser: mindOptimiserSchema.optional(),
});

/** `POST /v1/tirami/mind/optimiser`. */
export const mindOptimiserBody = z.strictObject({ optimiser: mindOptimiserSchema });

/** `POST /v1/tirami/mind/bench`. */
export const mindBenchBody = z.strictObject({
  version: z.int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  ...taskSetFields,
});

/** Most rows of a page of harness versions or cycles. */
export const MIND_LIST_LIMIT_MAX = 500;

/** `GET /v1/tirami/mind/harness/versions` and `GET /v1/tirami/mind/cycles`: newest first, paged by `before`. */
export const mindListQuery = z.strictObject({
  limit: z.int().min(1).max(MIND_LIST_LIMIT_MAX).optional(),
  before: z.int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

/** A harness version named in the path. */
export const mindVersionParam = z.strictObject({ version: z.int().min(1).max(Number.MAX_SAFE_INTEGER) });

/** `GET /v1/tirami/mind/harness/:version/diff`: against its parent, or another version. */
export const mindDiffQuery = z.strictObject({
  version: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  against: z.int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

/** A cycle named in the path. */
export const mindCycleParam = z.strictObject({ id: z.int().min(1).max(Number.MAX_SAFE_INTEGER) });
