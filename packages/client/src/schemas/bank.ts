/**
 * Request schemas of the bank routes (`/v1/tirami/bank/*`, docs/bank.md) with their limits: the node
 * validates with them and the client checks against them.
 * @module
 */
import { z } from "zod";

/** Most decisions one history page returns. */
export const BANK_DECISIONS_LIMIT_MAX = 1_000;

/** `POST /v1/tirami/bank/tick`. */
export const bankTickBody = z.object({ dry_run: z.boolean().default(false) }).strict();

/**
 * `POST /v1/tirami/bank/strategy` (upstream's shape): the fraction is the conservative max commit, the
 * high-yield base commit or the balanced threshold, in (0, 1]; default: the strategy's own.
 */
export const bankStrategyBody = z
  .object({
    strategy: z.enum(["conservative", "high_yield", "highyield", "balanced"]),
    base_commit_fraction: z.number().gt(0).max(1).optional(),
  })
  .strict();

/** `POST /v1/tirami/bank/risk`. */
export const bankRiskBody = z
  .object({ tolerance: z.enum(["conservative", "balanced", "aggressive"]) })
  .strict();

/** `POST /v1/tirami/bank/optimize`: the VaR99 budget in TRM (a share of the portfolio value, clamped). */
export const bankOptimizeBody = z
  .object({
    max_var_99_trm: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    dry_run: z.boolean().default(false),
  })
  .strict();

/** `GET /v1/tirami/bank/decisions?limit=`. */
export const bankDecisionsQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(BANK_DECISIONS_LIMIT_MAX).default(100) })
  .strict();

/** `POST /v1/tirami/bank/insurance`: insure a loan this node lent with `insurer` (premium by formula). */
export const bankInsuranceBody = z
  .object({
    loan_id: z.string().regex(/^[0-9a-f]{64}$/, "expected a loan id (64 hex)"),
    insurer: z.string().regex(/^[0-9a-f]{64}$/, "expected an account (64 hex)"),
    coverage_trm: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    expires_ms: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict();

/** `GET /v1/tirami/bank/insurance?status=`. */
export const bankInsuranceQuery = z
  .object({ status: z.enum(["active", "paid", "expired"]).optional() })
  .strict();

/** `POST /v1/tirami/bank/futures`: open a future with `counterparty`, this node `side` (upstream: long). */
export const bankFutureBody = z
  .object({
    counterparty: z.string().regex(/^[0-9a-f]{64}$/, "expected an account (64 hex)"),
    side: z.enum(["long", "short"]).default("long"),
    notional_tokens: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    strike_micro_trm_per_token: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    margin_trm: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    expires_ms: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  })
  .strict();

/** `GET /v1/tirami/bank/futures?status=`. */
export const bankFuturesQuery = z.object({ status: z.enum(["open", "settled"]).optional() }).strict();
