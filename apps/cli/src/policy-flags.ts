/**
 * Policy flags, declared once and shared by `tirami policy set`, `agent create` and `agent budget`: each
 * flag maps to one policy field of the ledger's safety gate (docs/architecture.md §6) — budgets in integer TRM,
 * the circuit breaker's settings as positive counts (the node checks their upper bounds).
 * `--approval-above none` turns human approval off.
 * @module
 */
import { type Command, InvalidArgumentError } from "commander";
import { integerArg, TRM_FLAG_MAX } from "./values.js";

/** The policy fields the gate stores, with their flag and description; `count` fields are not TRM. */
export const POLICY_FLAGS = {
  per_request_max_trm: {
    flag: "--per-request <trm>",
    doc: "most TRM one request may spend without approval",
  },
  per_request_hard_max_trm: {
    flag: "--per-request-hard <trm>",
    doc: "most TRM one request may spend, approved or not",
  },
  hourly_max_trm: { flag: "--hourly <trm>", doc: "most TRM spent in any sliding hour" },
  lifetime_max_trm: { flag: "--lifetime <trm>", doc: "most TRM spent ever" },
  approval_threshold_trm: {
    flag: "--approval-above <trm>",
    doc: 'spends above this wait for an operator ("none" = never)',
  },
  velocity_spends_per_minute_max: {
    flag: "--velocity-per-minute <n>",
    doc: "most spends in any minute; the next trips the circuit breaker",
    count: true,
  },
  breaker_consecutive_errors_max: {
    flag: "--breaker-errors <n>",
    doc: "failed spends in a row that trip the circuit breaker",
    count: true,
  },
} as const;

export type PolicyField = keyof typeof POLICY_FLAGS;

const trm = integerArg("amount", 0, TRM_FLAG_MAX);
const count = integerArg("count", 1, Number.MAX_SAFE_INTEGER);

function attribute(flag: string): string {
  const long = flag.split(" ")[0]?.replace(/^--/, "") ?? "";
  return long.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Adds the policy flags to `command`. */
export function addPolicyFlags(command: Command): Command {
  for (const [field, spec] of Object.entries(POLICY_FLAGS)) {
    const parse =
      field === "approval_threshold_trm"
        ? (raw: string): number | "none" => (raw === "none" ? "none" : trm(raw)) // commander turns null into ""
        : "count" in spec
          ? count
          : trm;
    command.option(spec.flag, spec.doc, parse);
  }
  return command;
}

/** The policy fields given on the command line (absent flags are left out). */
export function policyFromFlags(
  options: Record<string, unknown>,
): Partial<Record<PolicyField, number | null>> {
  const partial: Partial<Record<PolicyField, number | null>> = {};
  for (const [field, spec] of Object.entries(POLICY_FLAGS) as [
    PolicyField,
    (typeof POLICY_FLAGS)[PolicyField],
  ][]) {
    const value = options[attribute(spec.flag)];
    if (value !== undefined) partial[field] = value === "none" ? null : (value as number);
  }
  return partial;
}

/** Throws a usage error unless at least one policy flag was given. */
export function requireSomePolicy(partial: object): void {
  if (Object.keys(partial).length === 0)
    throw new InvalidArgumentError(
      `give at least one of ${Object.values(POLICY_FLAGS)
        .map((s) => s.flag.split(" ")[0])
        .join(", ")}`,
    );
}
