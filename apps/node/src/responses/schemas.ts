/**
 * The `POST /v1/responses` body, defined once in @tirami/client, with the same caps as chat completions. What the Responses API
 * offers beyond chat and this node does not implement (built-in tools, reasoning, images, background
 * runs, `truncation: "auto"`) is refused with 400, never silently ignored.
 * @module
 */
export { type InputItem, inputItem, type ResponsesRequest, responsesRequest } from "@tirami/client";
