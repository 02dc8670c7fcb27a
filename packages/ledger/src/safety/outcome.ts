/**
 * The internal result of one gate rule: allowed (possibly redeeming an approval) or a denial with its
 * code. `gate.ts` turns it into the public `SpendDecision` and logs it. Also the gate's random ids.
 * @module
 */
import { randomBytes } from "node:crypto";
import { isLowerHex } from "@tirami/core";
import type { SafetyDenyCode } from "./errors.js";

/** What the evaluation of steps 1–6 concluded. */
export type Outcome =
  | { allowed: true; approvalId?: string }
  | {
      allowed: false;
      code: SafetyDenyCode;
      message: string;
      approvalId?: string;
      deadlineMs?: number;
      retryAfterMs?: number;
    };

/** A denial outcome; `extra` carries the approval id, deadline or retry hint where the code has one. */
export function deny(code: SafetyDenyCode, message: string, extra: Partial<Outcome> = {}): Outcome {
  return { ...extra, allowed: false, code, message } as Outcome;
}

/** Random bytes in an id made by `newId`. */
const ID_RANDOM_BYTES = 16;

/** A fresh random id such as `grt_<32 hex>` (grants) or `apr_<32 hex>` (approvals). */
export function newId(prefix: "grt" | "apr"): string {
  return `${prefix}_${randomBytes(ID_RANDOM_BYTES).toString("hex")}`;
}

/** True for an approval id as `newId("apr")` makes them. */
export function isApprovalId(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("apr_") && isLowerHex(value.slice(4), ID_RANDOM_BYTES);
}
