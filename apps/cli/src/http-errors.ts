/**
 * Turns a failed HTTP exchange with the node into a `CliError` with the right exit code and a one-line
 * hint: connection refused → "start it with `tirami node`", 401 → where the token is, 402/403 → the
 * node's reason code and the command that lifts it. The node's errors are OpenAI-shaped
 * `{ error: { message, type, code } }` (docs/architecture.md §8); anything else is reported as received.
 * @module
 */
import { ClientErrorCode, type TiramiClientError } from "@tirami/client";
import { CliError, CliErrorCode, ExitCode } from "./errors.js";
import { describeTokenSource, type ResolvedToken } from "./token.js";
import { TOKEN_ENV } from "./constants.js";

/** The fields of an OpenAI-shaped error body, when present. */
export interface NodeErrorBody {
  message: string;
  type: string | undefined;
  code: string | undefined;
  details: Record<string, unknown> | undefined;
}

/** Reads `{ error: { message, type, code } }` (or a plain string) defensively. */
export function parseErrorBody(text: string): NodeErrorBody {
  try {
    const parsed: unknown = JSON.parse(text);
    const error = (parsed as { error?: unknown } | null)?.error;
    if (error !== null && typeof error === "object") {
      const fields = error as Record<string, unknown>;
      const code = fields["code"];
      return {
        message: typeof fields["message"] === "string" ? fields["message"] : text.slice(0, 500),
        type: typeof fields["type"] === "string" ? fields["type"] : undefined,
        code: typeof code === "string" ? code : typeof code === "number" ? String(code) : undefined,
        details: fields,
      };
    }
    if (typeof error === "string")
      return { message: error, type: undefined, code: undefined, details: undefined };
  } catch {
    // not JSON: fall through to the raw text
  }
  return {
    message: text.trim().slice(0, 500) || "(empty body)",
    type: undefined,
    code: undefined,
    details: undefined,
  };
}

/** The approval id a denial carries (`error.details.approval_id`), if any. */
function approvalIdOf(body: NodeErrorBody): string | undefined {
  const nested = body.details?.["details"];
  const id =
    (nested !== null && typeof nested === "object"
      ? (nested as Record<string, unknown>)["approval_id"]
      : undefined) ?? body.details?.["approval_id"];
  return typeof id === "string" ? id : undefined;
}

/** The command that undoes a safety denial, by the gate's reason code (as far as the code says). */
function denialHint(code: string | undefined, body: NodeErrorBody): string {
  const upper = (code ?? "").toUpperCase();
  const approvalId = approvalIdOf(body);
  if (upper.includes("KILL")) return "the kill switch is on; lift it with `tirami resume`";
  if (upper.includes("APPROVAL"))
    return typeof approvalId === "string"
      ? `an operator must approve it: \`tirami approvals approve ${approvalId}\``
      : "an operator must approve it: see `tirami approvals list`";
  if (upper.includes("FROZEN")) return "the agent is frozen; `tirami agent unfreeze <name>` lifts it";
  if (upper.includes("CIRCUIT")) return "the circuit breaker tripped; it resets after 5 minutes";
  if (upper.includes("BUDGET") || upper.includes("LIMIT") || upper.includes("POLICY"))
    return "over budget; see `tirami policy show` or raise it with `tirami agent budget` / `tirami policy set`";
  if (upper.includes("OPERATOR")) return "this needs the operator token (from $TIRAMI_HOME/api.token)";
  return "see `tirami status` for the safety state";
}

/** Maps an HTTP error response to a CliError. */
export function errorFromResponse(options: {
  status: number;
  text: string;
  token: ResolvedToken;
  retryAfter: string | null;
  url: string;
}): CliError {
  const { status, token } = options;
  const body = parseErrorBody(options.text);
  const code = body.code;
  const approvalId = approvalIdOf(body);
  const common = {
    status,
    details: {
      status,
      code,
      type: body.type,
      ...(approvalId === undefined ? {} : { approval_id: approvalId }),
    },
  };
  const where = `${status}${code === undefined ? "" : ` ${code}`}`;
  if (status === 401) {
    if (token.value === undefined)
      return new CliError(
        CliErrorCode.TOKEN_MISSING,
        ExitCode.AUTH,
        `the node wants a token and none was found (${body.message})`,
        {
          ...common,
          hint: `pass --api-token, set $${TOKEN_ENV}, or run on the node's machine where the token is ${token.filePath}`,
        },
      );
    return new CliError(
      CliErrorCode.TOKEN_REJECTED,
      ExitCode.AUTH,
      `the node refused the token from ${describeTokenSource(token)} (${body.message})`,
      {
        ...common,
        hint: `use the operator token in ${token.filePath} of the node at ${options.url}, or an agent token`,
      },
    );
  }
  if (status === 402)
    return new CliError(
      code ?? CliErrorCode.INSUFFICIENT_BALANCE,
      ExitCode.DENIED,
      `insufficient balance: ${body.message}`,
      {
        ...common,
        hint: "earn TRM by serving a model (`tirami node --model …`) or lower --max-tokens",
      },
    );
  if (status === 403)
    return new CliError(
      code ?? CliErrorCode.SPEND_DENIED,
      ExitCode.DENIED,
      `denied (${code ?? "403"}): ${body.message}`,
      {
        ...common,
        hint: denialHint(code, body),
      },
    );
  if (status === 404 && /no such route/i.test(body.message))
    return new CliError(
      CliErrorCode.NOT_FOUND,
      ExitCode.NOT_FOUND,
      `the node at ${options.url} has no such endpoint (${body.message})`,
      {
        ...common,
        hint: "the node is an older build or runs without the mesh; update it or check --url",
      },
    );
  if (status === 404)
    return new CliError(
      code ?? CliErrorCode.NOT_FOUND,
      ExitCode.NOT_FOUND,
      `not found (${where}): ${body.message}`,
      {
        ...common,
        hint: "check the id or name (list them with `tirami trades`, `tirami agent list`, `tirami approvals list`)",
      },
    );
  if (status === 429 || status === 503) {
    const wait = options.retryAfter === null ? "" : ` after ${options.retryAfter} s`;
    return new CliError(
      code ?? CliErrorCode.NODE_UNAVAILABLE,
      ExitCode.UNAVAILABLE,
      `node unavailable (${where}): ${body.message}`,
      {
        ...common,
        hint:
          code === "MODEL_NOT_LOADED"
            ? "start the node with --model, or join a mesh that offers one"
            : `retry${wait}`,
      },
    );
  }
  if (status === 400 || status === 409 || status === 413 || status === 415 || status === 422)
    return new CliError(
      code ?? CliErrorCode.USAGE,
      ExitCode.USAGE,
      `rejected by the node (${where}): ${body.message}`,
      {
        ...common,
        hint: "check the arguments (`tirami <command> --help`)",
      },
    );
  return new CliError(
    code ?? CliErrorCode.NODE_ERROR,
    ExitCode.FAILURE,
    `the node failed (${where}): ${body.message}`,
    {
      ...common,
      hint: "see the node's log (stderr of `tirami node`)",
    },
  );
}

/**
 * Maps a failure without a usable answer (@tirami/client's `TiramiClientError`) to a CliError: no node
 * reachable or no answer in time (exit 3), input the node's schema refuses (usage), a body that is not
 * what a node sends.
 */
export function errorFromClientFailure(error: TiramiClientError, url: string, timeoutMs: number): CliError {
  switch (error.code) {
    case ClientErrorCode.TIMEOUT:
      return new CliError(
        CliErrorCode.NODE_TIMEOUT,
        ExitCode.UNREACHABLE,
        `the node at ${url} did not answer within ${timeoutMs} ms`,
        { cause: error, hint: "is it overloaded? raise --timeout-ms or check `tirami status`" },
      );
    case ClientErrorCode.NETWORK:
      return new CliError(
        CliErrorCode.NODE_UNREACHABLE,
        ExitCode.UNREACHABLE,
        `no node is reachable at ${url} (${String(error.details.reason ?? error.message)})`,
        {
          cause: error,
          hint: "start it with `tirami node` (or `tirami start`), or point --url at a running node",
        },
      );
    case ClientErrorCode.INVALID_INPUT:
      return new CliError(CliErrorCode.USAGE, ExitCode.USAGE, `invalid arguments: ${error.message}`, {
        cause: error,
        hint: "check the arguments (`tirami <command> --help`)",
      });
    case ClientErrorCode.ABORTED:
      return new CliError(CliErrorCode.ABORTED, ExitCode.FAILURE, "aborted", { cause: error });
    default:
      return new CliError(CliErrorCode.BAD_RESPONSE, ExitCode.FAILURE, `${error.message} (from ${url})`, {
        cause: error,
        hint: "is --url pointing at a Tirami node?",
      });
  }
}
const STATUS_BY_TYPE: Record<string, number> = {
  insufficient_quota: 402,
  permission_error: 403,
  authentication_error: 401,
  rate_limit_error: 429,
  invalid_request_error: 400,
};

/** Maps an error frame received in the middle of an SSE stream (no HTTP status left to read). */
export function errorFromStreamFrame(frame: unknown, token: ResolvedToken, url: string): CliError {
  const text = JSON.stringify(frame);
  const body = parseErrorBody(text);
  const status = (body.type === undefined ? undefined : STATUS_BY_TYPE[body.type]) ?? 500;
  return errorFromResponse({ status, text, token, retryAfter: null, url });
}
