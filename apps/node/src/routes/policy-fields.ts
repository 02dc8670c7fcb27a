/**
 * The fields of a spender's safety policy as the HTTP API accepts them, shared by `PUT /v1/tirami/policy`
 * and `POST /v1/tirami/agents` so both take the same fields with the same bounds: budget amounts in
 * integer TRM (a null approval threshold disables human approval) and the breaker settings as counts
 * within the ledger's configurable maxima. The gate re-validates (INVALID_POLICY).
 * @module
 */
import { SafetyLimits } from "@tirami/ledger";
import { z } from "zod";

const amount = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Every policy field, each optional. */
export const policyFields = {
  per_request_max_trm: amount.optional(),
  per_request_hard_max_trm: amount.optional(),
  hourly_max_trm: amount.optional(),
  lifetime_max_trm: amount.optional(),
  approval_threshold_trm: amount.nullable().optional(),
  velocity_spends_per_minute_max: z
    .int()
    .min(1)
    .max(SafetyLimits.VELOCITY_SPENDS_PER_MINUTE_CONFIG_MAX)
    .optional(),
  breaker_consecutive_errors_max: z
    .int()
    .min(1)
    .max(SafetyLimits.BREAKER_CONSECUTIVE_ERRORS_CONFIG_MAX)
    .optional(),
};
