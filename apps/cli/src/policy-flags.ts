/**
 * Budget-policy flags, declared once and shared by `tirami policy set`, `agent create` and
 * `agent budget`: each flag maps to one policy field of the ledger's safety gate (integer TRM;
 * ARCHITECTURE §6). `--approval-above none` turns human approval off.
 * @module
 */
import { type Command, InvalidArgumentError } from "commander";
import { integerArg, TRM_FLAG_MAX } from "./values.js";

/** The policy fields the gate stores, with their flag and description. */
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
} as const;

export type PolicyField = keyof typeof POLICY_FLAGS;

const trm = integerArg("amount", 0, TRM_FLAG_MAX);

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
        : (raw: string): number => trm(raw);
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
