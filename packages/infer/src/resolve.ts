/**
 * Model resolution (docs/upstream.md §8.4, docs/architecture.md §9): turns what the operator typed into a local GGUF
 * path, in this order: an existing local `.gguf` path → a Hugging Face reference (`hf:owner/repo/file.gguf`,
 * `owner/repo/file.gguf`, or a `https://huggingface.co/owner/repo/resolve|blob/<rev>/file.gguf` URL) →
 * a catalog name (`qwen2.5:0.5b`, …) → a `.gguf` in the models directory whose name contains the input.
 * Hugging Face files already in the models directory are used without touching the network.
 * @module
 */
import { existsSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { isAbsolute, join, posix, resolve as resolvePath } from "node:path";
import { findCatalogEntry, MODEL_CATALOG } from "./catalog.js";
import { HF_BASE_URL_DEFAULT, MODELS_DIR_SCAN_MAX } from "./constants.js";
import { type DownloadProgress, downloadFile } from "./download.js";
import { ModelNotFoundError } from "./errors.js";

/** Options of `resolveModel`. */
export interface ResolveModelOptions {
  /** Where downloaded models live and where names are looked up. */
  modelsDir: string;
  /** `fetch` implementation (default: the global one). */
  fetch?: typeof fetch;
  /** Download progress (see `createProgressBar` for a terminal bar). */
  onProgress?: (progress: DownloadProgress) => void;
  /** Hugging Face base URL (default `https://huggingface.co`); tests point it at a local server. */
  hfBaseUrl?: string;
  signal?: AbortSignal;
  /** Resumes per download call (default 3). */
  retries?: number;
  /** Per-attempt idle timeout in milliseconds (default 30,000). */
  idleTimeoutMs?: number;
}

/** Where a model was found. */
export interface ResolvedModel {
  /** Absolute path of the GGUF file. */
  path: string;
  /** `local` = the input was a path; `models_dir` = found in the models directory; `downloaded` = fetched now. */
  source: "local" | "models_dir" | "downloaded";
  /** The catalog entry name when the input was one. */
  catalog_name: string | null;
  /** The download URL for Hugging Face inputs and catalog names. */
  url: string | null;
}

/** A file in a Hugging Face repository. */
export interface HfReference {
  owner: string;
  repo: string;
  /** Git revision (default `main`). */
  revision: string;
  /** Path of the file inside the repository. */
  file: string;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkedReference(
  owner: string,
  repo: string,
  revision: string,
  fileParts: string[],
): HfReference | undefined {
  if (!NAME_RE.test(owner) || !NAME_RE.test(repo) || !NAME_RE.test(revision) || fileParts.length === 0)
    return undefined;
  if (fileParts.some((part) => part === "" || part === "." || part === ".." || part.includes("\\")))
    return undefined;
  const file = fileParts.join("/");
  if (!file.toLowerCase().endsWith(".gguf")) return undefined;
  return { owner, repo, revision, file };
}

/**
 * Parses `hf:owner/repo/file.gguf`, `owner/repo/file.gguf` and Hugging Face `resolve`/`blob` URLs
 * (under `hfBaseUrl` too). Returns undefined for anything else.
 */
export function parseHfReference(
  input: string,
  hfBaseUrl: string = HF_BASE_URL_DEFAULT,
): HfReference | undefined {
  const trimmed = input.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      return undefined;
    }
    const bases = [new URL(HF_BASE_URL_DEFAULT), new URL(hfBaseUrl)];
    if (!bases.some((base) => base.host === url.host)) return undefined;
    const parts = url.pathname
      .split("/")
      .filter((p) => p !== "")
      .map(decodeURIComponent);
    const [owner, repo, kind, revision, ...file] = parts;
    if (
      owner === undefined ||
      repo === undefined ||
      (kind !== "resolve" && kind !== "blob") ||
      revision === undefined
    )
      return undefined;
    return checkedReference(owner, repo, revision, file);
  }
  const body = trimmed.startsWith("hf:") ? trimmed.slice(3) : trimmed;
  if (!trimmed.startsWith("hf:") && (isAbsolute(body) || body.startsWith("."))) return undefined;
  const [owner, repo, ...file] = body.split("/");
  if (owner === undefined || repo === undefined) return undefined;
  return checkedReference(owner, repo, "main", file);
}

function hfUrl(ref: HfReference, hfBaseUrl: string): string {
  const path = [ref.owner, ref.repo, "resolve", ref.revision, ...ref.file.split("/")]
    .map(encodeURIComponent)
    .join("/");
  return `${hfBaseUrl.replace(/\/+$/, "")}/${path}`;
}

async function fetchInto(
  ref: HfReference,
  options: ResolveModelOptions,
  catalogName: string | null,
): Promise<ResolvedModel> {
  const hfBaseUrl = options.hfBaseUrl ?? HF_BASE_URL_DEFAULT;
  const url = hfUrl(ref, hfBaseUrl);
  const dest = resolvePath(options.modelsDir, posix.basename(ref.file));
  if (existsSync(dest)) return { path: dest, source: "models_dir", catalog_name: catalogName, url };
  await downloadFile({
    url,
    dest,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
  });
  return { path: dest, source: "downloaded", catalog_name: catalogName, url };
}

async function findInModelsDir(input: string, modelsDir: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = (await readdir(modelsDir)).slice(0, MODELS_DIR_SCAN_MAX);
  } catch {
    return undefined;
  }
  const wanted = input.toLowerCase();
  const ggufs = names.filter((name) => name.toLowerCase().endsWith(".gguf")).sort();
  const exact = ggufs.find(
    (name) => name.toLowerCase() === wanted || name.toLowerCase() === `${wanted}.gguf`,
  );
  if (exact !== undefined) return join(modelsDir, exact);
  const partial = ggufs.filter((name) => name.toLowerCase().includes(wanted));
  if (partial.length > 1) {
    throw new ModelNotFoundError(
      `"${input}" matches several models in ${modelsDir}: ${partial.join(", ")}; give the full file name`,
      {
        details: { input, candidates: partial },
      },
    );
  }
  return partial[0] === undefined ? undefined : join(modelsDir, partial[0]);
}

/**
 * Resolves a model name, path, Hugging Face reference or catalog name to a local GGUF file,
 * downloading it into `modelsDir` when needed.
 * @throws {ModelNotFoundError} when nothing matches.
 * @throws {ModelDownloadError} when a needed download fails (message says how to pass a local file).
 */
export async function resolveModel(input: string, options: ResolveModelOptions): Promise<ResolvedModel> {
  if (typeof input !== "string" || input.trim() === "")
    throw new TypeError("model input must be a non-empty string");
  if (typeof options?.modelsDir !== "string" || options.modelsDir === "")
    throw new TypeError("modelsDir must be a non-empty string");
  const trimmed = input.trim();
  const looksLikePath = isAbsolute(trimmed) || trimmed.startsWith(".") || trimmed.startsWith("~");
  if (trimmed.toLowerCase().endsWith(".gguf") && existsSync(trimmed) && statSync(trimmed).isFile()) {
    return { path: resolvePath(trimmed), source: "local", catalog_name: null, url: null };
  }
  if (looksLikePath)
    throw new ModelNotFoundError(`model file not found: ${trimmed}`, { details: { input: trimmed } });

  const ref = parseHfReference(trimmed, options.hfBaseUrl ?? HF_BASE_URL_DEFAULT);
  if (ref !== undefined) return fetchInto(ref, options, null);

  const entry = findCatalogEntry(trimmed);
  if (entry !== undefined) {
    const [owner = "", repo = ""] = entry.repo.split("/");
    return fetchInto({ owner, repo, revision: "main", file: entry.file }, options, entry.name);
  }

  const found = await findInModelsDir(trimmed, options.modelsDir);
  if (found !== undefined)
    return { path: resolvePath(found), source: "models_dir", catalog_name: null, url: null };

  throw new ModelNotFoundError(
    `unknown model "${trimmed}": not a local .gguf file, a Hugging Face reference (hf:owner/repo/file.gguf), a catalog name ` +
      `(${MODEL_CATALOG.map((e) => e.name).join(", ")}) or a model in ${options.modelsDir}`,
    { details: { input: trimmed, models_dir: options.modelsDir } },
  );
}
