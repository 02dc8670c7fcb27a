/**
 * Turns a callback-streaming generation into an async iterable of text chunks. Chunks are buffered
 * (at most `max_tokens` of them), so a slow consumer never stalls llama.cpp; leaving the loop early
 * (`break`, `return`, a thrown error) aborts the generation.
 * @module
 */
import type { GenerationResult } from "./engine.js";

/** Text chunks as they are generated, plus the final result. */
export interface TextStream extends AsyncIterable<string> {
  /** Settles when the generation ends (also after an early `break`, then with `finish_reason: "abort"`). */
  readonly result: Promise<GenerationResult>;
  /** Aborts the generation. */
  abort(): void;
}

/** Runs `run` and exposes its `onText` chunks as an async iterable. */
export function streamText(
  outerSignal: AbortSignal | undefined,
  run: (signal: AbortSignal, onText: (chunk: string) => void) => Promise<GenerationResult>,
): TextStream {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outerSignal?.reason);
  if (outerSignal?.aborted) controller.abort(outerSignal.reason);
  else outerSignal?.addEventListener("abort", onOuterAbort, { once: true });
  const chunks: string[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const result = run(controller.signal, (chunk) => {
    chunks.push(chunk);
    notify();
  });
  void result.finally(() => outerSignal?.removeEventListener("abort", onOuterAbort)).catch(() => undefined);
  result.then(
    () => {
      ended = true;
      notify();
    },
    (error: unknown) => {
      ended = true;
      failure = { error };
      notify();
    },
  );
  // The caller may only iterate; keep an unobserved rejection from crashing the process (it is rethrown by the iterator).
  result.catch(() => undefined);

  async function* iterate(): AsyncGenerator<string, void, undefined> {
    try {
      while (true) {
        const chunk = chunks.shift();
        if (chunk !== undefined) {
          yield chunk;
          continue;
        }
        if (ended) {
          if (failure !== undefined) throw failure.error;
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      if (!ended) controller.abort(new Error("stream consumer stopped"));
    }
  }

  return {
    result,
    abort: () => controller.abort(new Error("stream aborted")),
    [Symbol.asyncIterator]: () => iterate(),
  };
}
