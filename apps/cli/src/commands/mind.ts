/**
 * `tirami mind init|improve|state|stats|budget|bench|versions|diff`: the node's self-improving agent
 * (docs/mind.md). `improve` asks the node for one cycle at a time and prints each as it closes (scores,
 * decision, TRM and trades), stopping where the node's run would: at the first deferred cycle or when no
 * cycle may start. Amounts are integer TRM.
 * @module
 */
import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { defineAction } from "../command-kit.js";
import type { CommandContext } from "../context.js";
import type { CliDeps } from "../deps.js";
import { integerArg, list, numberArg, pick, record, TRM_FLAG_MAX } from "../values.js";

/** A mind route's path (the rows of @tirami/client's `mindEndpoints`). */
const mindPath = (path: string): string => `/v1/tirami/mind/${path}`;

/** Longest wait for one cycle or one benchmark (each may buy dozens of answers). */
const MIND_RUN_TIMEOUT_MS = 1_800_000;
const OPTIMISERS = ["echo", "rewrite", "fixed", "paid"] as const;
const PREFERENCES = ["cost", "quality", "balanced"] as const;

function oneOf<T extends string>(name: string, values: readonly T[]): (raw: string) => T {
  return (raw) => {
    if (!(values as readonly string[]).includes(raw))
      throw new InvalidArgumentError(`${name} must be one of ${values.join(", ")}, got "${raw}"`);
    return raw as T;
  };
}

/** The optimiser settings the flags name, or undefined when `--optimiser` is absent. */
function optimiserOf(options: Record<string, unknown>): Record<string, unknown> | undefined {
  const kind = options["optimiser"] as string | undefined;
  if (kind === undefined) return undefined;
  if (kind === "fixed") {
    if (typeof options["prompt"] !== "string")
      throw new InvalidArgumentError("--optimiser fixed needs --prompt <text>: the system prompt to try");
    return { kind, system_prompt: options["prompt"] };
  }
  if (kind !== "paid") return { kind };
  return {
    kind,
    ...(options["proposerModel"] === undefined ? {} : { model: options["proposerModel"] }),
    ...(options["preference"] === undefined ? {} : { preference: options["preference"] }),
    ...(options["provider"] === undefined ? {} : { provider: options["provider"] }),
    ...(options["proposalTokens"] === undefined ? {} : { max_tokens: options["proposalTokens"] }),
  };
}

/** `tasks_jsonl` from `--tasks <file>` or `task_set` from `--task-set <name>`. */
function tasksOf(options: Record<string, unknown>): Record<string, unknown> {
  if (options["tasks"] !== undefined && options["taskSet"] !== undefined)
    throw new InvalidArgumentError("give --tasks or --task-set, not both");
  if (typeof options["tasks"] === "string") return { tasks_jsonl: readFileSync(options["tasks"], "utf8") };
  if (typeof options["taskSet"] === "string") return { task_set: options["taskSet"] };
  return {};
}

const score = (value: unknown) => (typeof value === "number" ? value.toFixed(3) : "–");

/** One line for a closed cycle. */
export function cycleLine(cycle: Record<string, unknown>): string {
  const delta = pick(cycle, "delta");
  const trades = (pick(cycle, "trade_ids") as unknown[] | undefined)?.length ?? 0;
  const stop = pick(cycle, "stop_code");
  return [
    `cycle ${String(pick(cycle, "cycle_id"))}: ${String(pick(cycle, "decision"))}`,
    `baseline ${score(pick(cycle, "baseline_score"))} → candidate ${score(pick(cycle, "candidate_score"))}`,
    typeof delta === "number" ? `(Δ ${delta >= 0 ? "+" : ""}${delta.toFixed(3)})` : "",
    `v${String(pick(cycle, "baseline_version"))}→v${String(pick(cycle, "candidate_version") ?? "–")}`,
    `${String(pick(cycle, "invested_trm"))} TRM in ${trades} trade${trades === 1 ? "" : "s"}`,
    stop === null || stop === undefined ? "" : `stopped: ${String(stop)}`,
  ]
    .filter((part) => part !== "")
    .join("  ");
}

async function improve(ctx: CommandContext, options: Record<string, unknown>): Promise<void> {
  const count = options["cycles"] as number;
  const optimiser = optimiserOf(options);
  const cycles: Record<string, unknown>[] = [];
  let stopped: unknown = null;
  let version: unknown;
  for (let i = 0; i < count; i += 1) {
    const response = record(
      await ctx
        .client()
        .post(
          mindPath("improve"),
          { n_cycles: 1, ...(optimiser === undefined ? {} : { optimiser }) },
          { timeoutMs: MIND_RUN_TIMEOUT_MS },
        ),
    );
    version = pick(response, "harness_version");
    for (const cycle of list(response, "cycles")) {
      cycles.push(cycle);
      if (!ctx.out.json) ctx.out.line(cycleLine(cycle));
    }
    stopped = pick(response, "stopped") ?? null;
    if (stopped !== null) break;
  }
  ctx.out.result({ cycles_executed: cycles.length, cycles, harness_version: version, stopped }, () => {
    const why =
      stopped === null
        ? ""
        : `; stopped: ${String(pick(record(stopped), "code"))} ${String(pick(record(stopped), "message"))}`;
    ctx.out.line(
      `${cycles.length} cycle${cycles.length === 1 ? "" : "s"}, harness v${String(version)}${why}`,
    );
  });
}

function optimiserFlags(command: Command): Command {
  return command
    .option("--optimiser <kind>", `echo, rewrite, fixed or paid`, oneOf("--optimiser", OPTIMISERS))
    .option("--prompt <text>", "with --optimiser fixed: the system prompt to try")
    .option(
      "--proposer-model <id>",
      "with --optimiser paid: the model that proposes (default: the harness's)",
    )
    .option(
      "--preference <p>",
      "with --optimiser paid: cost, quality or balanced",
      oneOf("--preference", PREFERENCES),
    )
    .option("--provider <account>", "with --optimiser paid: buy the proposal from this provider")
    .option(
      "--proposal-tokens <n>",
      "with --optimiser paid: most tokens of a proposal",
      integerArg("--proposal-tokens", 1, 1_024),
    );
}

function budgetFlags(command: Command): Command {
  return command
    .option(
      "--max-trm-per-cycle <trm>",
      "most TRM one cycle may spend",
      integerArg("--max-trm-per-cycle", 0, TRM_FLAG_MAX),
    )
    .option(
      "--max-trm-per-day <trm>",
      "most TRM a day window may spend",
      integerArg("--max-trm-per-day", 0, TRM_FLAG_MAX),
    )
    .option(
      "--max-cycles-per-day <n>",
      "most cycles in a day window",
      integerArg("--max-cycles-per-day", 0, 1_000_000),
    )
    .option("--min-score-delta <x>", "smallest score gain kept (0–1)", numberArg("--min-score-delta", 0, 1))
    .option("--min-roi <x>", "smallest return per TRM invested kept", numberArg("--min-roi", 0, 1_000_000));
}

function budgetOf(options: Record<string, unknown>): Record<string, unknown> {
  const fields: Array<[string, string]> = [
    ["maxTrmPerCycle", "max_trm_per_cycle"],
    ["maxTrmPerDay", "max_trm_per_day"],
    ["maxCyclesPerDay", "max_cycles_per_day"],
    ["minScoreDelta", "min_score_delta"],
    ["minRoi", "min_roi"],
  ];
  return Object.fromEntries(
    fields.filter(([flag]) => options[flag] !== undefined).map(([flag, key]) => [key, options[flag]]),
  );
}

export function mindCommand(deps: CliDeps): Command {
  const mind = new Command("mind").description(
    "the node's self-improving agent: harness, benchmarks, cycles paid in TRM",
  );
  budgetFlags(
    optimiserFlags(
      mind
        .command("init")
        .description("start the mind from a system prompt (its default model: this node's, or --model)")
        .requiredOption("--system-prompt <text>", "the harness's system prompt")
        .option("--model <id>", "the model of the default route (needed on a node without a model)")
        .option("--description <text>", "what this harness is for")
        .option("--tasks <file>", "a JSONL task set (one {prompt, check} a line)")
        .option("--task-set <name>", "a built-in task set (default stories)")
        .option("--replace", "start over from this harness when a mind exists (history is kept)"),
    ),
  ).action(
    defineAction(deps, async (ctx, _args, options) => {
      const budget = budgetOf(options);
      const optimiser = optimiserOf(options);
      const response = record(
        await ctx.client().post(mindPath("init"), {
          system_prompt: options["systemPrompt"],
          ...(options["model"] === undefined ? {} : { model_routes: { default: options["model"] } }),
          ...(options["description"] === undefined ? {} : { description: options["description"] }),
          ...(optimiser === undefined ? {} : { optimiser }),
          ...(Object.keys(budget).length === 0 ? {} : { budget }),
          ...tasksOf(options),
          ...(options["replace"] === true ? { replace: true } : {}),
        }),
      );
      ctx.out.result(response, () => ctx.out.fields(Object.entries(response)));
    }),
  );
  optimiserFlags(
    mind
      .command("improve")
      .description("run improvement cycles, printing each as it closes")
      .option("-n, --cycles <n>", "cycles to run (1–100)", integerArg("--cycles", 1, 100), 1),
  ).action(defineAction(deps, async (ctx, _args, options) => improve(ctx, options)));
  for (const [name, what] of [
    ["state", "the current harness version, optimiser, task set and today's budget use"],
    ["stats", "cycles kept, reverted and deferred, TRM invested, first and latest score"],
  ] as const)
    mind
      .command(name)
      .description(what)
      .action(
        defineAction(deps, async (ctx) => {
          const response = record(await ctx.client().get(mindPath(name)));
          ctx.out.result(response, () => ctx.out.fields(Object.entries(response)));
        }),
      );
  budgetFlags(mind.command("budget").description("show the mind's budget, or change it with flags")).action(
    defineAction(deps, async (ctx, _args, options) => {
      const budget = budgetOf(options);
      const response = record(
        Object.keys(budget).length === 0
          ? await ctx.client().get(mindPath("budget"))
          : await ctx.client().post(mindPath("budget"), budget),
      );
      ctx.out.result(response, () => ctx.out.fields(Object.entries(response)));
    }),
  );
  mind
    .command("bench")
    .description("measure a harness version (default: the current one) on the mind's or a given task set")
    .option("--version <n>", "the harness version", integerArg("--version", 1, Number.MAX_SAFE_INTEGER))
    .option("--tasks <file>", "a JSONL task set")
    .option("--task-set <name>", "a built-in task set")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const response = record(
          await ctx.client().post(
            mindPath("bench"),
            {
              ...(options["version"] === undefined ? {} : { version: options["version"] }),
              ...tasksOf(options),
            },
            { timeoutMs: MIND_RUN_TIMEOUT_MS },
          ),
        );
        ctx.out.result(response, () => {
          ctx.out.table(list(response, "details"), [
            { header: "task", value: (d) => pick(d, "id") },
            { header: "pass", value: (d) => (pick(d, "passed") === true ? "yes" : "no") },
            { header: "TRM", value: (d) => pick(d, "amount_trm"), align: "right" },
            {
              header: "answer",
              value: (d) => String(pick(d, "output_preview")).replace(/\s+/g, " ").slice(0, 60),
            },
          ]);
          ctx.out.line(
            `score ${score(pick(response, "score"))} (${String(pick(response, "passed"))} of ${String(pick(response, "sample_count"))}) on v${String(pick(response, "harness_version"))}, ${String(pick(response, "cost_trm"))} TRM, ${String(pick(response, "duration_ms"))} ms`,
          );
        });
      }),
    );
  mind
    .command("versions")
    .description("harness versions, newest first, with their parents")
    .option("--limit <n>", "how many", integerArg("--limit", 1, 500), 20)
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const response = await ctx
          .client()
          .get(mindPath("harness/versions"), { limit: String(options["limit"]) });
        ctx.out.result(response, () =>
          ctx.out.table(list(response, "versions"), [
            { header: "version", value: (v) => pick(v, "version"), align: "right" },
            { header: "parent", value: (v) => pick(v, "parent_version") ?? "–", align: "right" },
            { header: "created", value: (v) => new Date(Number(pick(v, "created_ms"))).toISOString() },
            { header: "system prompt", value: (v) => String(pick(v, "system_prompt")).slice(0, 60) },
          ]),
        );
      }),
    );
  mind
    .command("diff <version>")
    .description("what changed in a harness version (against its parent, or --against)")
    .option(
      "--against <n>",
      "the version to compare with",
      integerArg("--against", 1, Number.MAX_SAFE_INTEGER),
    )
    .action(
      defineAction(deps, async (ctx, args, options) => {
        const path = `harness/${encodeURIComponent(String(args[0]))}/diff`;
        const response = record(
          await ctx
            .client()
            .get(
              mindPath(path),
              options["against"] === undefined ? {} : { against: String(options["against"]) },
            ),
        );
        ctx.out.result(response, () => {
          ctx.out.line(`v${String(pick(response, "from"))} → v${String(pick(response, "to"))}`);
          for (const change of list(response, "changes"))
            ctx.out.line(
              `${String(pick(change, "field"))}: ${JSON.stringify(pick(change, "before"))} → ${JSON.stringify(pick(change, "after"))}`,
            );
        });
      }),
    );
  return mind;
}
