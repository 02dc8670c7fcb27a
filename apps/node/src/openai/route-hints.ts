/**
 * The routing hints of an OpenAI request, read once at the HTTP boundary (apps/node README, "Routing
 * preference"): header `X-Tirami-Route: cost|quality|balanced` or body `x_tirami.route` (alias
 * `tirami_route`), default `balanced`; header `X-Tirami-Provider: <account>` or `x_tirami.provider` pins a
 * provider; `x_tirami.request_id` (+ `x_tirami.approval_id`) redeems a safety approval on retry. A hint
 * that is present but malformed is refused (400 INVALID_ROUTE with its param), never ignored.
 * @module
 */
import { type AccountId, isAccountId } from "@tirami/core";
import { isApprovalId } from "@tirami/ledger";
import { isRoutePreference, MarketError, MarketErrorCode, type RoutePreference } from "@tirami/market";
import { isRequestId, REQUEST_ID_LENGTH_MAX } from "@tirami/proto";

/** Header that carries the routing preference of an OpenAI request. */
export const ROUTE_HEADER = "x-tirami-route";
/** Header that pins an OpenAI request to one provider account. */
export const PROVIDER_HEADER = "x-tirami-provider";

/** Routing hints of one request. */
export interface RouteHints {
  preference: RoutePreference;
  /** True when a route or a provider was asked for (then the mesh is used even if the model is local). */
  explicit: boolean;
  provider: AccountId | undefined;
  approvalId: string | undefined;
  requestId: string | undefined;
}

/** No hints: balanced routing, nothing pinned. */
export const NO_ROUTE_HINTS: RouteHints = {
  preference: "balanced",
  explicit: false,
  provider: undefined,
  approvalId: undefined,
  requestId: undefined,
};

function invalid(param: string, expected: string): never {
  throw new MarketError(MarketErrorCode.INVALID_ROUTE, `${param}: expected ${expected}`, {
    details: { param },
  });
}

function extensionOf(raw: unknown): Record<string, unknown> {
  if (raw === null || typeof raw !== "object") return {};
  const ext = (raw as Record<string, unknown>).x_tirami;
  if (ext === undefined || ext === null) return {};
  if (typeof ext !== "object" || Array.isArray(ext)) invalid("x_tirami", "an object");
  return ext as Record<string, unknown>;
}

function optionalId(
  value: unknown,
  param: string,
  valid: (value: unknown) => value is string,
  expected: string,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (!valid(value)) invalid(param, expected);
  return value;
}

/** Reads the routing hints from the headers and the raw JSON body. @throws {MarketError} INVALID_ROUTE */
export function routeHintsOf(raw: unknown, headers: Headers): RouteHints {
  const ext = extensionOf(raw);
  const route =
    headers.get(ROUTE_HEADER) ??
    ext.route ??
    (raw as Record<string, unknown> | null)?.tirami_route ??
    undefined;
  if (route !== undefined && route !== null && !isRoutePreference(route))
    invalid("x_tirami.route", "cost, quality or balanced");
  const provider = headers.get(PROVIDER_HEADER) ?? ext.provider ?? undefined;
  if (provider !== undefined && provider !== null && !isAccountId(provider))
    invalid("x_tirami.provider", "an account id (64 lowercase hex)");
  return {
    preference: (route as RoutePreference | null | undefined) ?? "balanced",
    explicit: (route !== undefined && route !== null) || (provider !== undefined && provider !== null),
    provider: (provider as AccountId | null | undefined) ?? undefined,
    approvalId: optionalId(
      ext.approval_id,
      "x_tirami.approval_id",
      isApprovalId,
      "an approval id (apr_<32 hex>)",
    ),
    requestId: optionalId(
      ext.request_id,
      "x_tirami.request_id",
      isRequestId,
      `1–${REQUEST_ID_LENGTH_MAX} printable ASCII characters without spaces`,
    ),
  };
}
