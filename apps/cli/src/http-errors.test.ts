/**
 * Proves every kind of node failure becomes the documented exit code with a hint that says what to do:
 * the statuses and OpenAI-shaped bodies here are the ones apps/node answers with.
 */
import { type AddressInfo, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { ExitCode } from "./errors.js";
import { ClientErrorCode, createTransport, TiramiClientError } from "@tirami/client";
import { errorFromClientFailure, errorFromResponse, errorFromStreamFrame } from "./http-errors.js";
import type { ResolvedToken } from "./token.js";

const noToken: ResolvedToken = { value: undefined, source: "none", filePath: "/home/u/.tirami/api.token" };
const flagToken: ResolvedToken = { value: "secret", source: "flag", filePath: "/home/u/.tirami/api.token" };
const url = "http://127.0.0.1:3000";

function body(
  code: string,
  message: string,
  type = "invalid_request_error",
  details?: Record<string, unknown>,
): string {
  return JSON.stringify({
    error: { message, type, code, param: null, ...(details === undefined ? {} : { details }) },
  });
}

describe("errorFromResponse", () => {
  it("401 without a token names the token file", () => {
    const error = errorFromResponse({
      status: 401,
      text: body("MISSING_TOKEN", "missing bearer token", "authentication_error"),
      token: noToken,
      retryAfter: null,
      url,
    });
    expect(error.exitCode).toBe(ExitCode.AUTH);
    expect(error.hint).toContain("/home/u/.tirami/api.token");
  });

  it("401 with a token says which token was refused", () => {
    const error = errorFromResponse({
      status: 401,
      text: body("INVALID_TOKEN", "invalid bearer token", "authentication_error"),
      token: flagToken,
      retryAfter: null,
      url,
    });
    expect(error.exitCode).toBe(ExitCode.AUTH);
    expect(error.message).toContain("--api-token");
  });

  it("402 and 403 are denials carrying the node's reason code and the way out", () => {
    const poor = errorFromResponse({
      status: 402,
      text: body("INSUFFICIENT_BALANCE", "balance 3 < 12", "insufficient_quota"),
      token: flagToken,
      retryAfter: null,
      url,
    });
    expect(poor).toMatchObject({ exitCode: ExitCode.DENIED, code: "INSUFFICIENT_BALANCE" });
    const killed = errorFromResponse({
      status: 403,
      text: body("KILL_SWITCH_ACTIVE", "kill switch active", "permission_error"),
      token: flagToken,
      retryAfter: null,
      url,
    });
    expect(killed).toMatchObject({ exitCode: ExitCode.DENIED, code: "KILL_SWITCH_ACTIVE" });
    expect(killed.hint).toContain("tirami resume");
    const approval = errorFromResponse({
      status: 403,
      text: body("APPROVAL_REQUIRED", "needs a human", "permission_error", {
        approval_id: "apr_0123456789abcdef0123456789abcdef",
      }),
      token: flagToken,
      retryAfter: null,
      url,
    });
    expect(approval.hint).toContain("tirami approvals approve apr_0123456789abcdef0123456789abcdef");
  });

  it("404, 429/503 and 400 map to not found, unavailable and usage", () => {
    const cases: [number, string, ExitCode][] = [
      [404, "TRADE_NOT_FOUND", ExitCode.NOT_FOUND],
      [429, "RATE_LIMITED", ExitCode.UNAVAILABLE],
      [503, "MODEL_NOT_LOADED", ExitCode.UNAVAILABLE],
      [400, "INVALID_REQUEST", ExitCode.USAGE],
      [500, "INTERNAL", ExitCode.FAILURE],
    ];
    for (const [status, code, exit] of cases) {
      const error = errorFromResponse({
        status,
        text: body(code, "x"),
        token: flagToken,
        retryAfter: "2",
        url,
      });
      expect({ status, exit: error.exitCode, code: error.code, hinted: error.hint !== undefined }).toEqual({
        status,
        exit,
        code,
        hinted: true,
      });
    }
  });

  it("keeps a body that is not JSON as the message", () => {
    const error = errorFromResponse({
      status: 502,
      text: "Bad Gateway",
      token: flagToken,
      retryAfter: null,
      url,
    });
    expect(error.message).toContain("Bad Gateway");
    expect(error.exitCode).toBe(ExitCode.FAILURE);
  });

  it("maps an error frame inside a stream by its OpenAI type", () => {
    const error = errorFromStreamFrame(
      JSON.parse(body("KILL_SWITCH_ACTIVE", "stop", "permission_error")),
      flagToken,
      url,
    );
    expect(error).toMatchObject({ exitCode: ExitCode.DENIED, code: "KILL_SWITCH_ACTIVE" });
  });
});

describe("errorFromClientFailure", () => {
  it("connection refused says how to start a node", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const failure = await createTransport({ baseUrl: `http://127.0.0.1:${port}` })
      .json({ method: "GET", path: "/health" })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TiramiClientError);
    const error = errorFromClientFailure(failure as TiramiClientError, `http://127.0.0.1:${port}`, 1_000);
    expect(error.exitCode).toBe(ExitCode.UNREACHABLE);
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.hint).toContain("tirami node");
  });

  it("a timeout is unreachable too, with its duration", () => {
    const timeout = new TiramiClientError(ClientErrorCode.TIMEOUT, "no answer within 1234 ms");
    const error = errorFromClientFailure(timeout, url, 1_234);
    expect(error).toMatchObject({ exitCode: ExitCode.UNREACHABLE, code: "NODE_TIMEOUT" });
    expect(error.message).toContain("1234 ms");
  });

  it("input the node's schema refuses is a usage error", () => {
    const invalid = new TiramiClientError(ClientErrorCode.INVALID_INPUT, "limit: too big", {
      param: "limit",
    });
    expect(errorFromClientFailure(invalid, url, 1_000)).toMatchObject({ exitCode: ExitCode.USAGE });
  });
});
