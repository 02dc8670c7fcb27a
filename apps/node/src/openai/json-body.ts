/**
 * Reads a JSON request body: malformed JSON is 400 INVALID_REQUEST, never a 500. The body size was
 * already bounded by the body-limit middleware.
 * @module
 */
import type { Context } from "hono";
import { NodeError, NodeErrorCode } from "../errors.js";

/** The parsed JSON body. @throws {NodeError} INVALID_REQUEST when it is not JSON. */
export async function readJsonBody(c: Context): Promise<unknown> {
  let text: string;
  try {
    text = await c.req.text();
  } catch (cause) {
    throw new NodeError(NodeErrorCode.INVALID_REQUEST, "could not read the request body", { cause });
  }
  if (text.trim() === "")
    throw new NodeError(NodeErrorCode.INVALID_REQUEST, "request body is empty; expected JSON");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new NodeError(NodeErrorCode.INVALID_REQUEST, "request body is not valid JSON");
  }
}
