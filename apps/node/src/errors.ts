/**
 * The node's error codes and the one table that maps every known code — the node's own and those of the
 * packages it composes — to an HTTP status and an OpenAI error `type`. `middleware/on-error.ts`
 * is the only place that renders errors.
 * @module
 */
import { TiramiError, type TiramiErrorOptions } from "@tirami/core";
import { MarketErrorCode } from "@tirami/market";
import { BankErrorCode } from "@tirami/bank";
import { AgoraErrorCode } from "@tirami/agora";
import { SpendErrorCode } from "@tirami/ledger";
import { MindErrorCode } from "@tirami/mind";
import { LightningErrorCode } from "@tirami/lightning";

/** Codes thrown by the node daemon. */
export const NodeErrorCode = {
  INVALID_REQUEST: "INVALID_REQUEST",
  BODY_TOO_LARGE: "BODY_TOO_LARGE",
  /** A JSON route got a body that is not declared `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  MISSING_TOKEN: "MISSING_TOKEN",
  INVALID_TOKEN: "INVALID_TOKEN",
  AGENT_REVOKED: "AGENT_REVOKED",
  AGENT_FROZEN: "AGENT_FROZEN",
  OPERATOR_ONLY: "OPERATOR_ONLY",
  NOT_FOUND: "NOT_FOUND",
  MODEL_NOT_FOUND: "MODEL_NOT_FOUND",
  AGENT_NOT_FOUND: "AGENT_NOT_FOUND",
  AGENT_EXISTS: "AGENT_EXISTS",
  AGENTS_FULL: "AGENTS_FULL",
  RATE_LIMITED: "RATE_LIMITED",
  MODEL_NOT_LOADED: "MODEL_NOT_LOADED",
  SHUTTING_DOWN: "SHUTTING_DOWN",
  STREAMS_FULL: "STREAMS_FULL",
  UNSAFE_BIND: "UNSAFE_BIND",
  /** The request's `Host` is not one this node answers to (DNS rebinding guard). */
  HOST_NOT_ALLOWED: "HOST_NOT_ALLOWED",
  INTERNAL: "INTERNAL",
} as const;
export type NodeErrorCode = (typeof NodeErrorCode)[keyof typeof NodeErrorCode];

/** Thrown for every failure the node itself detects; `code` is one of `NodeErrorCode`. */
export class NodeError extends TiramiError {
  override name = "NodeError";
  constructor(
    code: NodeErrorCode,
    message: string,
    options: TiramiErrorOptions & { param?: string; retryAfterS?: number } = {},
  ) {
    const details = { ...options.details, ...(options.param === undefined ? {} : { param: options.param }) };
    super(code, message, {
      cause: options.cause,
      details:
        options.retryAfterS === undefined ? details : { ...details, retry_after_s: options.retryAfterS },
    });
  }
}

/** An OpenAI error `type` and an HTTP status for one code. */
export interface ErrorMapping {
  status: 400 | 401 | 402 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 502 | 503 | 504;
  type: string;
}

const invalid: ErrorMapping = { status: 400, type: "invalid_request_error" };
const denied: ErrorMapping = { status: 403, type: "permission_error" };
const busy: ErrorMapping = { status: 503, type: "server_error" };

/**
 * Status and type by code. Safety-gate denial codes (whatever their name) are mapped by
 * `SpendDeniedError` to 403 before this table is consulted; codes not listed become a logged 500.
 */
export const ERROR_MAPPINGS: Readonly<Record<string, ErrorMapping>> = {
  // The agora (docs/agora.md).
  [AgoraErrorCode.INVALID_AGORA_REQUEST]: invalid,
  [AgoraErrorCode.TOO_MANY_PROFILES]: { status: 409, type: "invalid_request_error" },
  [AgoraErrorCode.AGORA_AGENT_NOT_FOUND]: { status: 404, type: "invalid_request_error" },
  [AgoraErrorCode.NOSTR_RELAY_FAILED]: busy,
  [AgoraErrorCode.A2A_PAYMENT_INVALID]: { status: 402, type: "insufficient_quota" },
  [AgoraErrorCode.A2A_PEER_FAILED]: busy,
  // The market: provider refusals, routing and protocol failures.
  [MarketErrorCode.NO_PROVIDER]: { status: 404, type: "invalid_request_error" },
  [MarketErrorCode.PROVIDER_REFUSED_CREDIT]: { status: 402, type: "insufficient_quota" },
  [MarketErrorCode.PROVIDER_BUSY]: busy,
  [MarketErrorCode.PROVIDER_INVALID_REQUEST]: invalid,
  [MarketErrorCode.PROVIDER_FAILED]: busy,
  [MarketErrorCode.TRADE_REJECTED]: busy,
  [MarketErrorCode.MESH_DISABLED]: busy,
  [MarketErrorCode.INVALID_ROUTE]: invalid,
  [MarketErrorCode.NO_LENDER]: { status: 404, type: "invalid_request_error" },
  [MarketErrorCode.LOAN_REJECTED]: { status: 409, type: "invalid_request_error" },
  [MarketErrorCode.LOAN_DENIED]: { status: 403, type: "permission_error" },
  [MarketErrorCode.INVALID_LOAN_REQUEST]: invalid,
  [BankErrorCode.INVALID_BANK_SETTING]: invalid,
  [BankErrorCode.INVALID_BANK_REQUEST]: invalid,
  [BankErrorCode.INSURANCE_REFUSED]: { status: 409, type: "invalid_request_error" },
  [BankErrorCode.FUTURE_REFUSED]: { status: 409, type: "invalid_request_error" },
  FUTURE_INVALID: invalid,
  FUTURE_SIGNATURE_INVALID: invalid,
  FUTURE_STALE: invalid,
  FUTURE_CONFLICT: { status: 409, type: "invalid_request_error" },
  POLICY_INVALID: invalid,
  POLICY_SIGNATURE_INVALID: invalid,
  POLICY_STALE: invalid,
  POLICY_CONFLICT: { status: 409, type: "invalid_request_error" },
  LOAN_NOT_FOUND: { status: 404, type: "invalid_request_error" },
  LOAN_NOT_ACTIVE: { status: 409, type: "invalid_request_error" },
  LOAN_INVALID: invalid,
  LOAN_SIGNATURE_INVALID: invalid,
  LOAN_STALE: invalid,
  LOAN_CONFLICT: { status: 409, type: "invalid_request_error" },
  REPAYMENT_INVALID: invalid,
  REPAYMENT_LATE: { status: 409, type: "invalid_request_error" },
  // The mind (docs/mind.md).
  [MindErrorCode.MIND_NOT_INITIALISED]: { status: 409, type: "invalid_request_error" },
  [MindErrorCode.MIND_ALREADY_INITIALISED]: { status: 409, type: "invalid_request_error" },
  [MindErrorCode.MIND_BUSY]: { status: 409, type: "invalid_request_error" },
  [MindErrorCode.INVALID_MIND_REQUEST]: invalid,
  [MindErrorCode.HARNESS_VERSION_NOT_FOUND]: { status: 404, type: "invalid_request_error" },
  [MindErrorCode.NO_MODEL_FOR_ROUTE]: { status: 404, type: "invalid_request_error" },
  [MindErrorCode.BENCHMARK_STOPPED]: { status: 409, type: "invalid_request_error" },
  // The spend path: a counterparty that never signed (nothing moved).
  [SpendErrorCode.COUNTERPARTY_TIMEOUT]: busy,
  [NodeErrorCode.INVALID_REQUEST]: invalid,
  [NodeErrorCode.BODY_TOO_LARGE]: { status: 413, type: "invalid_request_error" },
  [NodeErrorCode.UNSUPPORTED_MEDIA_TYPE]: { status: 415, type: "invalid_request_error" },
  [NodeErrorCode.MISSING_TOKEN]: { status: 401, type: "authentication_error" },
  [NodeErrorCode.INVALID_TOKEN]: { status: 401, type: "authentication_error" },
  [NodeErrorCode.AGENT_REVOKED]: { status: 401, type: "authentication_error" },
  [NodeErrorCode.AGENT_FROZEN]: denied,
  [NodeErrorCode.OPERATOR_ONLY]: denied,
  [NodeErrorCode.HOST_NOT_ALLOWED]: denied,
  [NodeErrorCode.NOT_FOUND]: { status: 404, type: "invalid_request_error" },
  [NodeErrorCode.MODEL_NOT_FOUND]: { status: 404, type: "invalid_request_error" },
  [NodeErrorCode.AGENT_NOT_FOUND]: { status: 404, type: "invalid_request_error" },
  [NodeErrorCode.AGENT_EXISTS]: { status: 409, type: "invalid_request_error" },
  [NodeErrorCode.AGENTS_FULL]: { status: 409, type: "invalid_request_error" },
  [NodeErrorCode.RATE_LIMITED]: { status: 429, type: "rate_limit_error" },
  [NodeErrorCode.MODEL_NOT_LOADED]: busy,
  [NodeErrorCode.SHUTTING_DOWN]: busy,
  [NodeErrorCode.STREAMS_FULL]: busy,
  // Codes of the composed packages.
  INSUFFICIENT_BALANCE: { status: 402, type: "insufficient_quota" },
  ENGINE_BUSY: busy,
  TRADE_NOT_FOUND: { status: 404, type: "invalid_request_error" },
  APPROVAL_NOT_FOUND: { status: 404, type: "invalid_request_error" },
  APPROVAL_NOT_PENDING: { status: 409, type: "invalid_request_error" },
  INVALID_AMOUNT: invalid,
  INVALID_ACCOUNT_ID: invalid,
  INVALID_POLICY: invalid,
  INVALID_SPENDER: invalid,
  INVALID_ARGUMENT: invalid,
  POLICIES_FULL: { status: 409, type: "invalid_request_error" },
  CONFIG_INVALID: invalid,
  WINDOW_TOO_LARGE: invalid,
  HOLD_LIMIT: { status: 429, type: "rate_limit_error" },
  CONSUMER_NOT_ADMITTED: denied,
  INVALID_GENERATION_OPTIONS: invalid,
  CONTEXT_LENGTH_EXCEEDED: invalid,
  ENGINE_CLOSED: busy,
  CONSOLE_NOT_BUILT: busy,
  CONSOLE_INVALID: { status: 500, type: "server_error" },
  // Lightning (docs/lightning.md): no wallet is a 409, never a fake invoice.
  [LightningErrorCode.NO_WALLET]: { status: 409, type: "invalid_request_error" },
  [LightningErrorCode.INVOICE_INVALID]: invalid,
  [LightningErrorCode.INVOICE_MISMATCH]: { status: 409, type: "invalid_request_error" },
  [LightningErrorCode.INVOICE_EXPIRED]: { status: 409, type: "invalid_request_error" },
  [LightningErrorCode.WALLET_ERROR]: { status: 502, type: "server_error" },
  [LightningErrorCode.WALLET_TIMEOUT]: { status: 504, type: "server_error" },
  [LightningErrorCode.PAYMENT_FAILED]: { status: 502, type: "server_error" },
  [LightningErrorCode.PAYMENT_DENIED]: denied,
  [LightningErrorCode.AMOUNT_INVALID]: invalid,
  [LightningErrorCode.NETWORK_UNKNOWN]: invalid,
  [LightningErrorCode.EXCHANGE_REFUSED]: { status: 409, type: "invalid_request_error" },
  [LightningErrorCode.NOTHING_TO_SETTLE]: { status: 409, type: "invalid_request_error" },
  [LightningErrorCode.WALLET_CONFIG_INVALID]: invalid,
  [LightningErrorCode.ANCHOR_NOT_FOUND]: { status: 404, type: "invalid_request_error" },
};
