/**
 * Reads a JSON request body — the one way every JSON route reads its body. The request must say it is
 * JSON (`Content-Type: application/json`, parameters such as `charset` allowed), else 415
 * UNSUPPORTED_MEDIA_TYPE before the body is read or anything is done (a form or `text/plain` post, which a
 * browser sends cross-site without asking, never reaches a route). Malformed JSON is 400
 * INVALID_REQUEST, never a 500. The body size was already bounded by the body-limit middleware.
 * @module
 */
import type { Context } from "hono";
import { NodeError, NodeErrorCode } from "../errors.js";

const JSON_MEDIA_TYPE = "application/json";
const CONTENT_TYPE_SHOWN_MAX = 64;

/** @throws {NodeError} UNSUPPORTED_MEDIA_TYPE unless the request's media type is `application/json`. */
export function assertJsonContentType(c: Context): void {
  const header = c.req.header("content-type");
  const mediaType = header?.split(";", 1)[0]?.trim().toLowerCase();
  if (mediaType === JSON_MEDIA_TYPE) return;
  const shown = header === undefined ? "none" : `"${header.slice(0, CONTENT_TYPE_SHOWN_MAX)}"`;
  throw new NodeError(
    NodeErrorCode.UNSUPPORTED_MEDIA_TYPE,
    `Content-Type must be application/json (got ${shown})`,
    { param: "content-type" },
  );
}

/**
 * The parsed JSON body.
 * @throws {NodeError} UNSUPPORTED_MEDIA_TYPE (415) when it is not declared JSON, INVALID_REQUEST when it
 *   is not JSON.
 */
export async function readJsonBody(c: Context): Promise<unknown> {
  assertJsonContentType(c);
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
