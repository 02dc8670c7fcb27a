/**
 * Request schemas of the OpenAI-compatible endpoints: defined once in @tirami/client (the node validates
 * with the same schemas its clients check against), with explicit caps on every size and count.
 * Unknown fields are ignored (clients send many optional ones), but every field that would change the
 * answer and that this node does not implement (`n > 1`, logprobs, penalties) is refused with 400
 * rather than silently ignored. Tools and structured output (`response_format`) are enforced by grammar
 * (@tirami/infer `planToolCalls`, `checkOutputFormat`); their schemas are checked there.
 * @module
 */
import type { z } from "zod";
import type { ChatCompletionRequest } from "@tirami/client";
import { NodeError, NodeErrorCode } from "../errors.js";

export {
  type ChatCompletionRequest,
  chatCompletionRequest,
  type CompletionRequest,
  completionRequest,
} from "@tirami/client";

/**
 * Parses `body` with `schema`; on failure throws INVALID_REQUEST naming the first bad field (as `param`).
 * @throws {NodeError} INVALID_REQUEST
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue === undefined || issue.path.length === 0 ? undefined : issue.path.map(String).join(".");
  const message =
    issue === undefined
      ? "invalid request body"
      : param === undefined
        ? issue.message
        : `${param}: ${issue.message}`;
  throw new NodeError(NodeErrorCode.INVALID_REQUEST, message, param === undefined ? {} : { param });
}

/** The text of a validated message's content. */
export function contentText(value: ChatCompletionRequest["messages"][number]["content"]): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : value.map((part) => part.text).join("");
}
