/**
 * The built-in model catalog (docs/upstream.md §8.3, SEED table): short names for instruct models on Hugging
 * Face. Sizes are the reference's approximate figures, for display only; downloads are verified against
 * the size the server reports.
 * @module
 */

/** One catalog model. */
export interface CatalogEntry {
  /** Short name, e.g. `qwen2.5:0.5b`. */
  name: string;
  /** Hugging Face repository (`owner/repo`). */
  repo: string;
  /** GGUF file in the repository. */
  file: string;
  /** Approximate download size in megabytes (display only). */
  approx_size_mb: number;
}

/** Catalog name used when none is given. */
export const DEFAULT_MODEL = "qwen2.5:0.5b";

/** The catalog. */
export const MODEL_CATALOG: readonly CatalogEntry[] = Object.freeze(
  [
    {
      name: "qwen2.5:0.5b",
      repo: "Qwen/Qwen2.5-0.5B-Instruct-GGUF",
      file: "qwen2.5-0.5b-instruct-q4_k_m.gguf",
      approx_size_mb: 491,
    },
    {
      name: "qwen2.5:1.5b",
      repo: "Qwen/Qwen2.5-1.5B-Instruct-GGUF",
      file: "qwen2.5-1.5b-instruct-q4_k_m.gguf",
      approx_size_mb: 1100,
    },
    {
      name: "qwen2.5:3b",
      repo: "Qwen/Qwen2.5-3B-Instruct-GGUF",
      file: "qwen2.5-3b-instruct-q4_k_m.gguf",
      approx_size_mb: 2000,
    },
    {
      name: "qwen2.5:7b",
      repo: "Qwen/Qwen2.5-7B-Instruct-GGUF",
      file: "qwen2.5-7b-instruct-q4_k_m.gguf",
      approx_size_mb: 4700,
    },
    {
      name: "smollm2:135m",
      repo: "bartowski/SmolLM2-135M-Instruct-GGUF",
      file: "SmolLM2-135M-Instruct-Q4_K_M.gguf",
      approx_size_mb: 100,
    },
  ].map((entry) => Object.freeze(entry)),
);

/** The catalog entry called `name` (case-insensitive), if any. */
export function findCatalogEntry(name: string): CatalogEntry | undefined {
  const wanted = name.trim().toLowerCase();
  return MODEL_CATALOG.find((entry) => entry.name === wanted);
}
