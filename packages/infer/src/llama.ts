/**
 * The one `Llama` (llama.cpp binding) instance of the process. `getLlama()` probes the native binary and
 * costs ~0.5 s, and several instances would fight over threads, so every engine shares this one.
 * @module
 */
import { getLlama, type Llama, LlamaLogLevel } from "node-llama-cpp";

let shared: { gpu: boolean; llama: Promise<Llama> } | undefined;

/**
 * Returns the process-wide `Llama`, creating it on first use with the prebuilt binary (`build: "never"`),
 * warnings-only logging and no global thread cap (`maxThreads: 0`, so each context gets exactly the
 * `threads` it asks for). The first caller's `gpu` choice wins; asking for the other one throws.
 * @throws {TypeError} when a later call asks for a different `gpu` setting.
 */
export function getSharedLlama(options: { gpu?: boolean } = {}): Promise<Llama> {
  const gpu = options.gpu ?? false;
  if (shared !== undefined) {
    if (shared.gpu !== gpu)
      throw new TypeError(
        `the shared Llama instance was created with gpu=${shared.gpu}; cannot switch to gpu=${gpu}`,
      );
    return shared.llama;
  }
  const llama = getLlama({
    build: "never",
    gpu: gpu ? "auto" : false,
    logLevel: LlamaLogLevel.warn,
    maxThreads: 0,
  });
  shared = { gpu, llama };
  // A failed probe must not poison the process: the next caller tries again.
  llama.catch(() => {
    if (shared?.llama === llama) shared = undefined;
  });
  return llama;
}
