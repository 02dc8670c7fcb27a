/**
 * Proves the policy flags cannot drift from the safety gate's policy: every field of the ledger's real
 * `DEFAULT_SAFETY_POLICY` has a flag and no flag names anything else; flags parsed by commander come back
 * under their field names (breaker settings as positive counts, `none` as a null threshold) and bad
 * values are usage errors before any request is made.
 */
import { DEFAULT_SAFETY_POLICY } from "@tirami/ledger";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { addPolicyFlags, POLICY_FLAGS, policyFromFlags } from "./policy-flags.js";

const parse = (argv: string[]) => {
  const command = addPolicyFlags(new Command("set").exitOverride().configureOutput({ writeErr: () => {} }));
  command.parse(argv, { from: "user" });
  return policyFromFlags(command.opts());
};

describe("policy flags", () => {
  it("cover exactly the gate's policy fields", () => {
    expect(Object.keys(POLICY_FLAGS).sort()).toEqual(Object.keys(DEFAULT_SAFETY_POLICY).sort());
  });

  it("parse back to policy fields, absent flags left out", () => {
    expect(
      parse([
        "--hourly",
        "5000",
        "--velocity-per-minute",
        "600",
        "--breaker-errors",
        "20",
        "--approval-above",
        "none",
      ]),
    ).toEqual({
      hourly_max_trm: 5_000,
      velocity_spends_per_minute_max: 600,
      breaker_consecutive_errors_max: 20,
      approval_threshold_trm: null,
    });
    expect(parse(["--per-request", "0"])).toEqual({ per_request_max_trm: 0 });
  });

  it("refuse a breaker setting below 1 and non-integers", () => {
    expect(() => parse(["--velocity-per-minute", "0"])).toThrow(/count must be an integer from 1/);
    expect(() => parse(["--breaker-errors", "2.5"])).toThrow(/count must be an integer/);
    expect(() => parse(["--hourly", "-1"])).toThrow(/amount must be an integer from 0/);
  });
});
