/**
 * Errors of the mesh integration. Each has a stable code and the HTTP status the node answers with;
 * `routes/mesh.ts` renders them OpenAI-shaped.
 * @module
 */
import { TiramiError, type TiramiErrorOptions } from "@tirami/core";

/** Codes thrown by the mesh service. */
export const MeshErrorCode = {
  /** No live offer in the book serves the model (404). */
  NO_PROVIDER: "NO_PROVIDER",
  /** The provider refused: the consumer's balance in its ledger view is too low (402). */
  INSUFFICIENT_BALANCE: "INSUFFICIENT_BALANCE",
  /** The provider refused to serve on credit (zero-history cap, credit cap, unsettled trade) (402). */
  PROVIDER_REFUSED_CREDIT: "PROVIDER_REFUSED_CREDIT",
  /** The provider is busy (503, Retry-After). */
  PROVIDER_BUSY: "PROVIDER_BUSY",
  /** The provider rejected the request as invalid (400). */
  PROVIDER_INVALID_REQUEST: "PROVIDER_INVALID_REQUEST",
  /** The provider failed, vanished or broke the protocol; nothing was charged (503). */
  PROVIDER_FAILED: "PROVIDER_FAILED",
  /** This node refused to sign the provider's trade (amount, price or tokens wrong); nothing moved (503). */
  TRADE_REJECTED: "TRADE_REJECTED",
  /** The mesh is not running on this node (503). */
  MESH_DISABLED: "MESH_DISABLED",
  /** A routing parameter is invalid (400). */
  INVALID_ROUTE: "INVALID_ROUTE",
} as const;
export type MeshErrorCode = (typeof MeshErrorCode)[keyof typeof MeshErrorCode];

/** HTTP status and OpenAI error type of each code. */
export const MESH_ERROR_STATUS: Readonly<
  Record<MeshErrorCode, { status: 400 | 402 | 404 | 503; type: string }>
> = {
  NO_PROVIDER: { status: 404, type: "invalid_request_error" },
  INSUFFICIENT_BALANCE: { status: 402, type: "insufficient_quota" },
  PROVIDER_REFUSED_CREDIT: { status: 402, type: "insufficient_quota" },
  PROVIDER_BUSY: { status: 503, type: "server_error" },
  PROVIDER_INVALID_REQUEST: { status: 400, type: "invalid_request_error" },
  PROVIDER_FAILED: { status: 503, type: "server_error" },
  TRADE_REJECTED: { status: 503, type: "server_error" },
  MESH_DISABLED: { status: 503, type: "server_error" },
  INVALID_ROUTE: { status: 400, type: "invalid_request_error" },
};

/** A failure of a mesh operation. */
export class MeshError extends TiramiError {
  override name = "MeshError";
  declare readonly code: MeshErrorCode;
  constructor(code: MeshErrorCode, message: string, options: TiramiErrorOptions = {}) {
    super(code, message, options);
  }
}

/** True for a `MeshError`. */
export function isMeshError(error: unknown): error is MeshError {
  return error instanceof MeshError;
}
