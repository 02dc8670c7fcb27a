/**
 * Proves the SSE parser yields the same events however the byte stream is cut into chunks (fast-check
 * splits it at random points, including inside multi-byte characters and CRLF pairs), stops at
 * `[DONE]`, skips comments, and refuses an event larger than its bound.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SSE_EVENT_BYTES_MAX } from "./constants.js";
import { CliError } from "./errors.js";
import { parseSse, type SseEvent } from "./sse.js";

async function collect(chunks: Uint8Array[]): Promise<SseEvent[]> {
  async function* source() {
    for (const chunk of chunks) yield chunk;
  }
  const events: SseEvent[] = [];
  for await (const event of parseSse(source())) events.push(event);
  return events;
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.slice(last, point));
    last = point;
  }
  return chunks;
}

describe("parseSse", () => {
  it("parses OpenAI-style frames and stops at [DONE]", async () => {
    const text =
      'data: {"a":1}\n\n: keep-alive\n\nevent: note\ndata: two\ndata: lines\n\ndata: [DONE]\n\ndata: after\n\n';
    expect(await collect([new TextEncoder().encode(text)])).toEqual([
      { event: "message", data: '{"a":1}' },
      { event: "note", data: "two\nlines" },
    ]);
  });

  it("yields the same events for any chunking of the stream", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: "grapheme", maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, " ")),
          { maxLength: 8 },
        ),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.boolean(),
        async (payloads, cuts, crlf) => {
          const eol = crlf ? "\r\n" : "\n";
          const body =
            payloads.map((p) => `data: ${JSON.stringify(p)}${eol}${eol}`).join("") +
            `data: [DONE]${eol}${eol}`;
          const events = await collect(split(new TextEncoder().encode(body), cuts));
          expect(events.map((e) => JSON.parse(e.data) as string)).toEqual(payloads);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses an event larger than its bound", async () => {
    const huge = new TextEncoder().encode(`data: ${"x".repeat(SSE_EVENT_BYTES_MAX + 1)}`);
    await expect(collect([huge])).rejects.toBeInstanceOf(CliError);
  });
});
