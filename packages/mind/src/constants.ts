/**
 * Defaults and limits of the mind. The budget and decision defaults are upstream's (docs/upstream.md
 * §10.2), in TRM instead of CU; every limit on outside input (task sets, prompts, harness fields) is
 * named here with its unit.
 * @module
 */

/** The spender every TRM the mind spends is attributed to in the safety gate and the spend path. */
export const MIND_SPENDER = "mind";

/** Default most TRM one improvement cycle may spend (upstream `max_cu_per_cycle`). */
export const MAX_TRM_PER_CYCLE_DEFAULT = 5_000;
/** Default most TRM the mind may spend in one day window (upstream `max_cu_per_day`). */
export const MAX_TRM_PER_DAY_DEFAULT = 50_000;
/** Default most improvement cycles in one day window (upstream `max_cycles_per_day`). */
export const MAX_CYCLES_PER_DAY_DEFAULT = 20;
/** Default smallest score gain worth keeping (upstream `min_score_delta`). */
export const MIN_SCORE_DELTA_DEFAULT = 0.01;
/** Default smallest return per TRM invested worth keeping (upstream `min_roi_threshold`). */
export const MIN_ROI_DEFAULT = 1;
/** TRM a whole score unit (0 → 1) is worth when a cycle's return is computed (upstream `ROI_CU_PER_SCORE_UNIT`). */
export const ROI_TRM_PER_SCORE_UNIT = 100_000;
/** The day window: its counters restart this long after the window began (upstream: 24 h). */
export const DAY_WINDOW_MS = 86_400_000;
/** Scores and deltas are rounded to this many decimals, so equal pass counts give equal scores. */
export const SCORE_DECIMALS = 6;

/** Most cycles one `improve` call runs (upstream: 1..=100). */
export const IMPROVE_CYCLES_MAX = 100;
/** Most tasks in a task set; each costs one inference per benchmark run. */
export const TASKS_MAX = 200;
/** Most characters of a task's prompt. */
export const TASK_PROMPT_CHARS_MAX = 4_000;
/** Most characters of a check's expected value or pattern. */
export const CHECK_VALUE_CHARS_MAX = 1_000;
/** Most bytes of a JSONL task set as text. */
export const TASK_SET_BYTES_MAX = 1_000_000;
/** Most tokens a task may ask to generate; the worst-case cost of one task is this × the price. */
export const TASK_MAX_TOKENS_MAX = 1_024;
/** Tokens a task generates when it does not say. */
export const TASK_MAX_TOKENS_DEFAULT = 48;
/** Sampling seed of every benchmark and proposal request: with temperature 0 the runs are reproducible. */
export const SAMPLING_SEED = 42;
/** Characters of an answer kept in a benchmark's per-task details. */
export const OUTPUT_PREVIEW_CHARS = 160;

/** Most characters of a harness's system prompt. */
export const SYSTEM_PROMPT_CHARS_MAX = 8_000;
/** Most characters of a harness's description. */
export const DESCRIPTION_CHARS_MAX = 500;
/** Most tool definitions in a harness. */
export const TOOLS_MAX = 32;
/** Most model routes in a harness. */
export const ROUTES_MAX = 16;
/** Most sub-agents of a harness (each a harness, one level deep). */
export const SUB_AGENTS_MAX = 8;
/** Most bytes of a harness as JSON. */
export const HARNESS_BYTES_MAX = 64_000;

/** Tokens a paid proposal may generate (its worst case is this × the price). */
export const PROPOSAL_MAX_TOKENS_DEFAULT = 96;
/** Failures shown to a proposing model. */
export const PROPOSAL_FAILURES_MAX = 8;
/** Words the rule-based rewrite adds from failed checks in one proposal. */
export const REWRITE_WORDS_MAX = 8;

/** Rows listed at most by one history query. */
export const LIST_LIMIT_MAX = 500;
