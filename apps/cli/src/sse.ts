/**
 * A small Server-Sent Events parser for OpenAI-style streams: events are separated by a blank line, each
 * `data:` line adds to the event's data, and the literal `[DONE]` ends the stream. Bounded: an event larger
 * than `SSE_EVENT_BYTES_MAX` is an error, never an unbounded buffer.
 * @module
 */
import { SSE_EVENT_BYTES_MAX } from "./constants.js";
import { CliError, CliErrorCode, ExitCode } from "./errors.js";

/** One parsed event: its `event:` name (default "message") and its joined `data:` lines. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Yields the events of a byte stream. Stops after `data: [DONE]`.
 * @throws {CliError} BAD_RESPONSE when one event exceeds the size bound.
 */
export async function* parseSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "message";
  let data: string[] = [];
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    if (buffer.length > SSE_EVENT_BYTES_MAX)
      throw new CliError(
        CliErrorCode.BAD_RESPONSE,
        ExitCode.FAILURE,
        `a stream event exceeded ${SSE_EVENT_BYTES_MAX} bytes`,
      );
    let newline: number;
    while ((newline = buffer.search(/\r?\n|\r/)) !== -1) {
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
      } else if (line.startsWith(":")) {
        continue; // a comment (keep-alive)
      } else {
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
