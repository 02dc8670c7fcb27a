/**
 * The bench's HTTP client, run as its own process (forked by `stream.ts` and `remote.ts`, like any real
 * client): on each IPC job it POSTs one streaming chat completion, parses the SSE frames, and answers with
 * its own clock's timings — request start, first and last text, end — and the completion tokens of the
 * usage chunk. A batch job (`{ batch: [...] }`) runs its requests concurrently and answers all timings
 * at once, on the same clock.
 * Two clients: `http` (node:http with a keep-alive agent, the lightest a Node client can be, as wrk or
 * curl would be) and `fetch` (undici with web streams, what most JS applications and the openai SDK use;
 * it costs the client more CPU per chunk, which on a 2-core machine the server feels).
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";

/** One request the parent asks for. */
export interface SseClientJob {
  url: string;
  token: string;
  body: string;
  client: "http" | "fetch";
}

/** Several requests sent at once (concurrently); answered with one `SseClientBatchTimings`. */
export interface SseClientBatch {
  batch: SseClientJob[];
}

/** What the client measured, in milliseconds of its own `performance.now()`. */
export interface SseClientTimings {
  startMs: number;
  firstTextMs: number;
  lastTextMs: number;
  endMs: number;
  /** `usage.completion_tokens` of the stream. */
  tokens: number;
}

/** The timings of a batch, in the order of its jobs. */
export interface SseClientBatchTimings {
  timings: SseClientTimings[];
}

/** Feeds SSE text in; calls `onText` per non-empty `delta.content` and remembers the usage tokens. */
function sseParser(onText: () => void) {
  let buffer = "";
  let tokens = -1;
  return {
    push(text: string): void {
      buffer += text;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!frame.startsWith("data: ") || frame === "data: [DONE]") continue;
        const chunk = JSON.parse(frame.slice(6)) as {
          choices?: Array<{ delta: { content?: string } }>;
          usage?: { completion_tokens: number };
          error?: unknown;
        };
        // A failure after the stream started comes as an OpenAI error object in place of a chunk.
        if (chunk.choices === undefined)
          throw new Error(`error in the stream: ${JSON.stringify(chunk.error ?? chunk)}`);
        if ((chunk.choices[0]?.delta.content ?? "") !== "") onText();
        if (chunk.usage !== undefined) tokens = chunk.usage.completion_tokens;
      }
    },
    tokens(): number {
      if (tokens < 0) throw new Error("stream ended without a usage chunk");
      return tokens;
    },
  };
}

const agent = new Agent({ keepAlive: true });

function viaHttp(job: SseClientJob, onText: () => void): Promise<number> {
  const url = new URL("/v1/chat/completions", job.url);
  const parser = sseParser(onText);
  return new Promise((done, failed) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${job.token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(job.body),
        },
      },
      (res) => {
        res.setEncoding("utf8");
        let error = "";
        res.on("data", (text: string) => {
          if (res.statusCode !== 200) return void (error += text);
          try {
            parser.push(text);
          } catch (cause) {
            failed(cause as Error);
            res.destroy();
          }
        });
        res.on("end", () => {
          if (res.statusCode !== 200) return failed(new Error(`HTTP ${res.statusCode}: ${error}`));
          try {
            done(parser.tokens());
          } catch (cause) {
            failed(cause as Error);
          }
        });
        res.on("error", failed);
      },
    );
    req.on("error", failed);
    req.end(job.body);
  });
}

async function viaFetch(job: SseClientJob, onText: () => void): Promise<number> {
  const response = await fetch(new URL("/v1/chat/completions", job.url), {
    method: "POST",
    headers: { authorization: `Bearer ${job.token}`, "content-type": "application/json" },
    body: job.body,
  });
  if (!response.ok || response.body === null)
    throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  const parser = sseParser(onText);
  const decoder = new TextDecoder();
  for await (const bytes of response.body) parser.push(decoder.decode(bytes, { stream: true }));
  return parser.tokens();
}

/** Streams one chat completion and times it. */
export async function timeStream(job: SseClientJob): Promise<SseClientTimings> {
  const startMs = performance.now();
  let firstTextMs = -1;
  let lastTextMs = -1;
  const onText = (): void => {
    lastTextMs = performance.now();
    if (firstTextMs < 0) firstTextMs = lastTextMs;
  };
  const tokens = await (job.client === "http" ? viaHttp(job, onText) : viaFetch(job, onText));
  const endMs = performance.now();
  if (firstTextMs < 0) throw new Error("stream carried no text");
  return { startMs, firstTextMs, lastTextMs, endMs, tokens };
}

if (process.send !== undefined) {
  const send = process.send.bind(process);
  process.on("message", (job: SseClientJob | SseClientBatch) => {
    const work =
      "batch" in job
        ? Promise.all(job.batch.map(timeStream)).then((timings): SseClientBatchTimings => ({ timings }))
        : timeStream(job);
    work.then(send, (error: unknown) => send({ error: String(error) }));
  });
  process.on("disconnect", () => process.exit(0));
}
