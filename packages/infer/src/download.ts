/**
 * Resumable, verified, atomic file download over HTTP(S). Bytes go to `<dest>.part`; a later attempt
 * (in the same call or a later one) resumes it with an HTTP `Range` request. The finished file is
 * checked against the size the server announced (Content-Length / Content-Range), fsynced, and renamed
 * into place, so `<dest>` only ever exists complete.
 * @module
 */
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  DOWNLOAD_IDLE_TIMEOUT_MS,
  DOWNLOAD_RETRIES_DEFAULT,
  DOWNLOAD_RETRIES_MAX,
  DOWNLOAD_RETRY_DELAY_MS,
  DOWNLOAD_SIZE_MAX_BYTES,
  PART_SUFFIX,
} from "./constants.js";
import { ModelDownloadError } from "./errors.js";

/** Download progress, reported after every received chunk. */
export interface DownloadProgress {
  /** Bytes on disk so far, including a resumed `.part`. */
  downloadedBytes: number;
  /** Size of the whole file, as announced by the server. */
  totalBytes: number;
}

/** Options of `downloadFile`. */
export interface DownloadOptions {
  url: string;
  /** Final path. Its directory is created when missing. */
  dest: string;
  /** `fetch` implementation (default: the global one). */
  fetch?: typeof fetch;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** How many times a dropped transfer is resumed within this call (default 3, at most 20). */
  retries?: number;
  /** Abort an attempt that receives nothing for this long, in milliseconds (default 30,000). */
  idleTimeoutMs?: number;
  /** Size the file must have, in bytes, when the caller knows it. */
  expectedSizeBytes?: number;
}

/** Error codes meaning "no route to the server" rather than "the server misbehaved". */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENETDOWN",
  "EHOSTDOWN",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function errorCode(error: unknown): string | undefined {
  for (
    let e: unknown = error, depth = 0;
    e !== undefined && e !== null && depth < 5;
    e = (e as { cause?: unknown }).cause, depth += 1
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const inner = errorCode(errors[0]);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

function unreachableError(url: string, code: string, cause: unknown): ModelDownloadError {
  return new ModelDownloadError(
    `cannot download ${url}: the network is unreachable (${code}). Download the model on a connected machine and pass the local file instead: ` +
      `--model /path/to/model.gguf or TIRAMI_MODEL=/path/to/model.gguf`,
    { cause, details: { url, reason: "network_unreachable", code } },
  );
}

/** A failure worth resuming (dropped connection, short body, 5xx); anything else is final. */
class RetryableDownloadError extends Error {
  override name = "RetryableDownloadError";
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Parses `bytes start-end/total`. */
function parseContentRange(header: string | null): { start: number; total: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header?.trim() ?? "");
  if (match === null) return undefined;
  return { start: Number(match[1]), total: Number(match[3]) };
}

/**
 * Downloads `url` to `dest`, resuming a `.part` left by an earlier attempt.
 * @returns the final size in bytes.
 * @throws {ModelDownloadError} with `details.reason` `network_unreachable`, `http_status`, `size_mismatch`,
 *   `too_large` or `incomplete` (the `.part` is kept so the next call resumes).
 */
export async function downloadFile(options: DownloadOptions): Promise<number> {
  const retries = options.retries ?? DOWNLOAD_RETRIES_DEFAULT;
  if (!Number.isSafeInteger(retries) || retries < 0 || retries > DOWNLOAD_RETRIES_MAX)
    throw new RangeError(`retries must be an integer in [0, ${DOWNLOAD_RETRIES_MAX}]`);
  const partPath = options.dest + PART_SUFFIX;
  await mkdir(dirname(options.dest), { recursive: true });
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt += 1) {
    if (attempt > 0)
      await sleep(
        DOWNLOAD_RETRY_DELAY_MS,
        undefined,
        options.signal === undefined ? {} : { signal: options.signal },
      ).catch(() => undefined);
    options.signal?.throwIfAborted();
    try {
      const size = await downloadAttempt(options, partPath);
      await rename(partPath, options.dest);
      await syncDirectory(dirname(options.dest));
      return size;
    } catch (error) {
      if (!(error instanceof RetryableDownloadError)) throw error;
      lastError = error;
    }
  }
  const haveBytes = await fileSize(partPath);
  throw new ModelDownloadError(
    `download of ${options.url} stopped before the end after ${retries + 1} attempt(s) (${haveBytes} bytes kept in ${partPath}; run again to resume): ${(lastError as Error).message}`,
    {
      cause: lastError,
      details: { url: options.url, reason: "incomplete", part_path: partPath, downloaded_bytes: haveBytes },
    },
  );
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is still atomic.
  } finally {
    await handle.close();
  }
}

async function downloadAttempt(options: DownloadOptions, partPath: string): Promise<number> {
  const fetchImpl = options.fetch ?? fetch;
  const idleTimeoutMs = options.idleTimeoutMs ?? DOWNLOAD_IDLE_TIMEOUT_MS;
  let offset = await fileSize(partPath);
  const idle = new AbortController();
  let idleTimer = setTimeout(() => idle.abort(new Error(`no data for ${idleTimeoutMs} ms`)), idleTimeoutMs);
  const resetIdle = (): void => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => idle.abort(new Error(`no data for ${idleTimeoutMs} ms`)), idleTimeoutMs);
  };
  const signal = options.signal === undefined ? idle.signal : AbortSignal.any([idle.signal, options.signal]);
  try {
    let response: Response;
    try {
      response = await fetchImpl(options.url, {
        headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
        signal,
        redirect: "follow",
      });
    } catch (error) {
      options.signal?.throwIfAborted();
      const code = errorCode(error);
      if (code !== undefined && UNREACHABLE_CODES.has(code)) throw unreachableError(options.url, code, error);
      throw new RetryableDownloadError(
        `request failed: ${(error as Error).message}${code === undefined ? "" : ` (${code})`}`,
      );
    }
    if (response.status === 416 && offset > 0) {
      // The server refuses our range: the part is stale or complete-but-unverified. Start over.
      await response.body?.cancel();
      await rm(partPath, { force: true });
      throw new RetryableDownloadError("server rejected the resume range; restarting from zero");
    }
    if (response.status >= 500) {
      await response.body?.cancel();
      throw new RetryableDownloadError(`HTTP ${response.status}`);
    }
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      const hint =
        response.status === 401 || response.status === 403
          ? " (the repository may be gated or private)"
          : response.status === 404
            ? " (no such file)"
            : "";
      throw new ModelDownloadError(`cannot download ${options.url}: HTTP ${response.status}${hint}`, {
        details: { url: options.url, reason: "http_status", status: response.status },
      });
    }
    let total: number;
    if (response.status === 206) {
      const range = parseContentRange(response.headers.get("content-range"));
      if (range === undefined || range.start !== offset) {
        await response.body?.cancel();
        await rm(partPath, { force: true });
        throw new RetryableDownloadError(
          `unusable Content-Range ${response.headers.get("content-range")}; restarting from zero`,
        );
      }
      total = range.total;
    } else {
      offset = 0; // The server ignored the range: start the part over.
      const length = response.headers.get("content-length");
      if (length === null || !/^\d+$/.test(length)) {
        await response.body?.cancel();
        throw new ModelDownloadError(
          `cannot download ${options.url}: the server sent no Content-Length, so the file cannot be verified`,
          {
            details: { url: options.url, reason: "size_unknown" },
          },
        );
      }
      total = Number(length);
    }
    if (!Number.isSafeInteger(total) || total > DOWNLOAD_SIZE_MAX_BYTES) {
      await response.body?.cancel();
      throw new ModelDownloadError(
        `refusing to download ${options.url}: ${total} bytes exceeds the ${DOWNLOAD_SIZE_MAX_BYTES}-byte limit`,
        {
          details: { url: options.url, reason: "too_large", total_bytes: total },
        },
      );
    }
    if (options.expectedSizeBytes !== undefined && total !== options.expectedSizeBytes) {
      await response.body?.cancel();
      throw new ModelDownloadError(
        `cannot download ${options.url}: server announces ${total} bytes, expected ${options.expectedSizeBytes}`,
        {
          details: {
            url: options.url,
            reason: "size_mismatch",
            total_bytes: total,
            expected_bytes: options.expectedSizeBytes,
          },
        },
      );
    }
    return await writeBody(response, partPath, offset, total, options, resetIdle);
  } finally {
    clearTimeout(idleTimer);
  }
}

async function writeBody(
  response: Response,
  partPath: string,
  offset: number,
  total: number,
  options: DownloadOptions,
  resetIdle: () => void,
): Promise<number> {
  const handle = await open(partPath, offset > 0 ? "a" : "w");
  let downloaded = offset;
  try {
    options.onProgress?.({ downloadedBytes: downloaded, totalBytes: total });
    if (response.body === null) throw new RetryableDownloadError("response has no body");
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        resetIdle();
        if (downloaded + chunk.byteLength > total) {
          throw new ModelDownloadError(`download of ${options.url} exceeds the announced ${total} bytes`, {
            details: { url: options.url, reason: "size_mismatch", total_bytes: total },
          });
        }
        await handle.write(chunk);
        downloaded += chunk.byteLength;
        options.onProgress?.({ downloadedBytes: downloaded, totalBytes: total });
      }
    } catch (error) {
      if (error instanceof ModelDownloadError) {
        await handle.close().catch(() => undefined);
        await rm(partPath, { force: true }); // the bytes cannot be trusted: start over next time
        throw error;
      }
      options.signal?.throwIfAborted();
      throw new RetryableDownloadError(
        `transfer interrupted at ${downloaded} of ${total} bytes: ${(error as Error).message}`,
      );
    }
    if (downloaded !== total)
      throw new RetryableDownloadError(`transfer ended at ${downloaded} of ${total} bytes`);
    await handle.sync();
  } finally {
    await handle.close().catch(() => undefined); // may already be closed by the size-mismatch path
  }
  const onDisk = await fileSize(partPath);
  if (onDisk !== total) {
    await rm(partPath, { force: true });
    throw new ModelDownloadError(`downloaded file has ${onDisk} bytes, expected ${total}`, {
      details: { url: options.url, reason: "size_mismatch" },
    });
  }
  return total;
}
