/**
 * The bench's HTTP client, run as its own process (forked by `stream.ts`, like any real client): on each
 * IPC request it POSTs one streaming chat completion with `fetch`, parses the SSE frames, and answers with
 * time-to-first-token and total time measured on its own clock, and the completion tokens of the usage
 * chunk. Keeping the client's parsing off the server's thread is what a deployment looks like; the
 * in-process variant in `stream.ts` shows the cost when they share one.
 */
import { performance } from "node:perf_hooks";

/** One request the parent asks for. */
export interface SseClientJob {
  url: string;
  token: string;
  body: string;
}

/** Streams one chat completion; `onChunk` runs at each non-empty `delta.content`; resolves with the tokens. */
export async function streamChat(job: SseClientJob, onChunk: () => void): Promise<number> {
  const response = await fetch(`${job.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${job.token}`, "content-type": "application/json" },
    body: job.body,
  });
  if (!response.ok || response.body === null)
    throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  const decoder = new TextDecoder();
  let buffer = "";
  let tokens = -1;
  for await (const bytes of response.body) {
    buffer += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (!frame.startsWith("data: ") || frame === "data: [DONE]") continue;
      const chunk = JSON.parse(frame.slice(6)) as {
        choices: Array<{ delta: { content?: string } }>;
        usage?: { completion_tokens: number };
      };
      if ((chunk.choices[0]?.delta.content ?? "") !== "") onChunk();
      if (chunk.usage !== undefined) tokens = chunk.usage.completion_tokens;
    }
  }
  if (tokens < 0) throw new Error("stream ended without a usage chunk");
  return tokens;
}

if (process.send !== undefined) {
  const send = process.send.bind(process);
  process.on("message", (job: SseClientJob) => {
    const start = performance.now();
    let first: number | undefined;
    streamChat(job, () => {
      first ??= performance.now();
    }).then(
      (tokens) => {
        const end = performance.now();
        send({ ttftMs: (first ?? end) - start, totalMs: end - start, tokens });
      },
      (error: unknown) => send({ error: String(error) }),
    );
  });
  process.on("disconnect", () => process.exit(0));
}
