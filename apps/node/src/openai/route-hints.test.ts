/**
 * Proves the routing hints are read once at the boundary with the wire's own id rules: headers win over
 * the body, a route or provider makes the request explicit, and every hint that is present but malformed
 * (route, provider, request id, approval id, a non-object `x_tirami`) is refused with INVALID_ROUTE naming
 * its param instead of being ignored.
 */
import { describe, expect, it } from "vitest";
import { isTiramiError } from "@tirami/core";
import { NO_ROUTE_HINTS, routeHintsOf } from "./route-hints.js";

const account = "ab".repeat(32);
const headers = (entries: Record<string, string> = {}) => new Headers(entries);

function refusal(raw: unknown, h = headers()): string | undefined {
  try {
    routeHintsOf(raw, h);
  } catch (error) {
    if (isTiramiError(error, "INVALID_ROUTE")) return String(error.details?.param);
    throw error;
  }
  return undefined;
}

describe("routing hints", () => {
  it("defaults to balanced, nothing pinned, not explicit", () => {
    expect(routeHintsOf({ model: "m" }, headers())).toEqual(NO_ROUTE_HINTS);
  });

  it("reads headers first, then x_tirami, then tirami_route", () => {
    const hints = routeHintsOf(
      {
        x_tirami: {
          route: "quality",
          provider: account,
          request_id: "r-1",
          approval_id: `apr_${"0".repeat(32)}`,
        },
      },
      headers({ "x-tirami-route": "cost" }),
    );
    expect(hints).toEqual({
      preference: "cost",
      explicit: true,
      provider: account,
      requestId: "r-1",
      approvalId: `apr_${"0".repeat(32)}`,
    });
    expect(routeHintsOf({ tirami_route: "quality" }, headers()).preference).toBe("quality");
  });

  it("refuses each malformed hint, naming it", () => {
    expect(refusal({ x_tirami: { route: "fastest" } })).toBe("x_tirami.route");
    expect(refusal({}, headers({ "x-tirami-provider": "nope" }))).toBe("x_tirami.provider");
    expect(refusal({ x_tirami: { request_id: "has space" } })).toBe("x_tirami.request_id");
    expect(refusal({ x_tirami: { request_id: "x".repeat(129) } })).toBe("x_tirami.request_id");
    expect(refusal({ x_tirami: { approval_id: "apr_xyz" } })).toBe("x_tirami.approval_id");
    expect(refusal({ x_tirami: "cost" })).toBe("x_tirami");
  });
});
