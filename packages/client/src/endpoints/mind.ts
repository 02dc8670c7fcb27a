/**
 * Rows of the mind's routes (`/v1/tirami/mind/*`, docs/mind.md): the node's self-improving agent,
 * whose harness versions, benchmarks and paid improvement cycles spend as the `mind` spender.
 * @module
 */
import { endpoint } from "../endpoint.js";
import {
  mindBenchBody,
  mindBudgetBody,
  mindCycleParam,
  mindDiffQuery,
  mindImproveBody,
  mindInitBody,
  mindListQuery,
  mindOptimiserBody,
  mindVersionParam,
} from "../schemas/mind.js";

type Json = Record<string, unknown>;

export const mindEndpoints = {
  mindInit: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/mind/init",
    summary:
      "Start the node's mind: a first harness (system prompt, model routes), its task set and budget (operator).",
    access: "operator",
    input: mindInitBody,
    mcp: "tirami_mind_init",
  }),
  mindState: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/mind/state",
    summary: "The mind's current harness version, score, budget use and whether a run is in progress.",
    access: "token",
    mcp: "tirami_mind_state",
  }),
  mindStats: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/mind/stats",
    summary: "Cycles run, kept, reverted and deferred; TRM invested; first and latest score.",
    access: "token",
    mcp: "tirami_mind_stats",
  }),
  mindBudget: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/mind/budget",
    summary: "The mind's budget: TRM per cycle and per day, cycles per day, the keep thresholds.",
    access: "token",
    mcp: "tirami_mind_budget",
  }),
  setMindBudget: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/mind/budget",
    summary: "Change the mind's budget (operator).",
    access: "operator",
    input: mindBudgetBody,
    destructive: true,
    mcp: "tirami_mind_set_budget",
  }),
  setMindOptimiser: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/mind/optimiser",
    summary:
      "Choose how the mind proposes harnesses: echo, rule-based rewrite, fixed, or paid from the mesh (operator).",
    access: "operator",
    input: mindOptimiserBody,
    mcp: "tirami_mind_set_optimiser",
  }),
  mindImprove: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/mind/improve",
    summary:
      "Run improvement cycles now: benchmark, propose, keep or revert; paid in TRM within the budget (operator).",
    access: "operator",
    input: mindImproveBody,
    destructive: true,
    mcp: "tirami_mind_improve",
  }),
  mindBench: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/mind/bench",
    summary: "Score a harness version on a task set (paid when answers are bought from the mesh) (operator).",
    access: "operator",
    input: mindBenchBody,
    destructive: true,
    mcp: "tirami_mind_bench",
  }),
  mindHarness: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/mind/harness",
    summary: "The current harness.",
    access: "token",
    mcp: "tirami_mind_harness",
  }),
  mindVersions: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/mind/harness/versions",
    summary: "Harness versions with their lineage, newest first.",
    access: "token",
    input: mindListQuery.optional(),
    mcp: "tirami_mind_versions",
  }),
  mindVersion: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/mind/harness/:version",
    summary: "One harness version.",
    access: "token",
    input: mindVersionParam,
    mcp: "tirami_mind_version",
  }),
  mindDiff: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/mind/harness/:version/diff",
    summary: "What changed in a harness version against its parent (or another version).",
    access: "token",
    input: mindDiffQuery,
    mcp: "tirami_mind_diff",
  }),
  mindCycles: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/mind/cycles",
    summary: "Improvement cycles with their scores, decisions and TRM spent, newest first.",
    access: "token",
    input: mindListQuery.optional(),
    mcp: "tirami_mind_cycles",
  }),
  mindCycle: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/mind/cycles/:id",
    summary: "One improvement cycle with its trades.",
    access: "token",
    input: mindCycleParam,
    mcp: "tirami_mind_cycle",
  }),
} as const;
