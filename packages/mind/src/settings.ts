/**
 * The mind's settings in its store: budget, default optimiser, task set and routing of purchases, each
 * read with its default and validated before it is written.
 * @module
 */
import { type AccountId, isAccountId } from "@tirami/core";
import { isRoutePreference, type RoutePreference } from "@tirami/market";
import { DEFAULT_MIND_BUDGET, type MindBudget, mergeBudget } from "./budget.js";
import { BUILTIN_TASK_SETS, DEFAULT_TASK_SET } from "./builtin-tasks.js";
import { MindError, MindErrorCode } from "./errors.js";
import { type OptimiserConfig, parseOptimiserConfig } from "./optimisers/config.js";
import type { MindStore } from "./store.js";
import type { TaskSet } from "./tasks.js";

/** How purchases are routed. */
export interface MindRouting {
  preference: RoutePreference;
  provider: AccountId | null;
}

/** The optimiser a mind uses unless told otherwise. */
export const DEFAULT_OPTIMISER: OptimiserConfig = { kind: "rewrite" };

const KEY = { budget: "budget", optimiser: "optimiser", tasks: "task_set", routing: "routing" } as const;

function invalid(message: string, param: string): never {
  throw new MindError(MindErrorCode.INVALID_MIND_REQUEST, message, { details: { param } });
}

/** A task set given inline, or a built-in one by name (default `stories`). @throws {MindError} INVALID_MIND_REQUEST. */
export function taskSetOf(tasks: TaskSet | string | undefined): TaskSet {
  if (tasks !== undefined && typeof tasks !== "string") return tasks;
  const set = BUILTIN_TASK_SETS[tasks ?? DEFAULT_TASK_SET];
  if (set === undefined)
    invalid(`no built-in task set "${tasks}" (${Object.keys(BUILTIN_TASK_SETS).join(", ")})`, "tasks");
  return set;
}

/** Routing with defaults (balanced, any provider), checked. @throws {MindError} INVALID_MIND_REQUEST. */
export function routingOf(partial: Partial<MindRouting> | undefined): MindRouting {
  const preference = partial?.preference ?? "balanced";
  const provider = partial?.provider ?? null;
  if (!isRoutePreference(preference)) invalid("routing.preference: cost, quality or balanced", "preference");
  if (provider !== null && !isAccountId(provider))
    invalid("routing.provider: 64 lowercase hex characters", "provider");
  return { preference, provider };
}

/** The settings of one mind. */
export interface MindSettings {
  budget(): MindBudget;
  optimiser(): OptimiserConfig;
  taskSet(): TaskSet;
  routing(): MindRouting;
  /** Validates and stores `partial` over the current budget. */
  setBudget(partial: Partial<MindBudget>): MindBudget;
  setOptimiser(config: unknown): OptimiserConfig;
  /** Validates every given setting, then writes them all (nothing is written when one is invalid). */
  validated(input: {
    optimiser?: unknown;
    budget?: Partial<MindBudget> | undefined;
    tasks?: TaskSet | string | undefined;
    routing?: Partial<MindRouting> | undefined;
  }): { write(): void };
}

/** The settings over `store`. */
export function mindSettings(store: Pick<MindStore, "getSetting" | "setSetting">): MindSettings {
  const settings: MindSettings = {
    budget: () => store.getSetting<MindBudget>(KEY.budget) ?? DEFAULT_MIND_BUDGET,
    optimiser: () => store.getSetting<OptimiserConfig>(KEY.optimiser) ?? DEFAULT_OPTIMISER,
    taskSet: () => store.getSetting<TaskSet>(KEY.tasks) ?? taskSetOf(undefined),
    routing: () => store.getSetting<MindRouting>(KEY.routing) ?? routingOf(undefined),
    setBudget(partial) {
      const next = mergeBudget(settings.budget(), partial);
      store.setSetting(KEY.budget, next);
      return next;
    },
    setOptimiser(config) {
      const parsed = parseOptimiserConfig(config);
      store.setSetting(KEY.optimiser, parsed);
      return parsed;
    },
    validated(input) {
      const optimiser = parseOptimiserConfig(input.optimiser ?? DEFAULT_OPTIMISER);
      const budget = mergeBudget(settings.budget(), input.budget ?? {});
      const taskSet = taskSetOf(input.tasks);
      const routing = routingOf(input.routing);
      return {
        write() {
          store.setSetting(KEY.optimiser, optimiser);
          store.setSetting(KEY.budget, budget);
          store.setSetting(KEY.tasks, taskSet);
          store.setSetting(KEY.routing, routing);
        },
      };
    },
  };
  return settings;
}
