/**
 * A small Server-Sent Events parser for the node's streams (OpenAI style): events are separated by a
 * blank line, each `data:` line adds to the event's data, `event:` names it, comments (`:`) are
 * keep-alives, and the literal `[DONE]` ends the stream. Bounded: one event larger than
 * `SSE_EVENT_BYTES_MAX` is an error, never an unbounded buffer. Works on any byte stream (Node, browsers).
 * @module
 */
import { ClientErrorCode, TiramiClientError } from "./errors.js";
import { SSE_EVENT_BYTES_MAX } from "./limits.js";

/** One parsed event: its `event:` name (default "message") and its joined `data:` lines. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Yields the events of a byte stream; stops after `data: [DONE]`.
 * @throws {TiramiClientError} BAD_RESPONSE when one event exceeds the size bound.
 */
export async function* parseSse(
  body: AsyncIterable<Uint8Array>,
  eventBytesMax: number = SSE_EVENT_BYTES_MAX,
): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "message";
  let data: string[] = [];
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    if (buffer.length > eventBytesMax)
      throw new TiramiClientError(
        ClientErrorCode.BAD_RESPONSE,
        `a stream event exceeded ${eventBytesMax} bytes`,
      );
    let newline: number;
    while ((newline = buffer.search(/\r?\n|\r/)) !== -1) {
      // A CR at the end of the buffer may be the first half of a CRLF split across chunks: wait for more.
      if (newline === buffer.length - 1 && buffer.endsWith("\r")) break;
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
      if (line === "") {
        if (data.length > 0) {
          const joined = data.join("\n");
          if (joined === "[DONE]") return;
          yield { event, data: joined };
        }
        event = "message";
        data = [];
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "data") data.push(value);
        else if (field === "event") event = value;
      }
    }
  }
  if (data.length > 0 && data.join("\n") !== "[DONE]") yield { event, data: data.join("\n") };
}
