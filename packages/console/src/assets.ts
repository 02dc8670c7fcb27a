/**
 * The built console, loaded once into memory: every file under `dist/www` (written by
 * `build/assemble.ts` at `pnpm run build`) keyed by its URL path, with its content type, cache policy and
 * a strong ETag. The page is served at `/`; its assets live under `/assets/<build hash>/`.
 * @module
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { TiramiError } from "@tirami/core";
import { CACHE_IMMUTABLE, CACHE_REVALIDATE, contentTypeOf } from "./headers.js";

/** Files the console may consist of: far more than it has, few enough to hold in memory. */
export const CONSOLE_FILES_MAX = 200;
/** Total bytes of the console: it is about 100 KB; anything near this cap is a packaging mistake. */
export const CONSOLE_BYTES_MAX = 4 * 1024 * 1024;

/** Codes of `ConsoleError`. */
export const ConsoleErrorCode = {
  CONSOLE_NOT_BUILT: "CONSOLE_NOT_BUILT",
  CONSOLE_INVALID: "CONSOLE_INVALID",
} as const;

/** Thrown when the console's built files are missing (`pnpm run build` not run) or break its limits. */
export class ConsoleError extends TiramiError {
  override name = "ConsoleError";
}

/** One file of the console, ready to send. */
export interface ConsoleAsset {
  body: Uint8Array;
  contentType: string;
  cacheControl: string;
  /** A strong ETag: the quoted SHA-256 prefix of the body. */
  etag: string;
}

/** The console's files by URL path (`/` is the page). */
export interface ConsoleAssets {
  /** The file served at `path`, or undefined. `/` and `/index.html` are the page. */
  get(path: string): ConsoleAsset | undefined;
  /** Every URL path served, sorted. */
  paths(): string[];
}

/** Where the build writes the console: the package's `dist/www` (the same from `src/` and from `dist/`). */
export function consoleRoot(): string {
  return fileURLToPath(new URL("../dist/www/", import.meta.url));
}

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(path);
      if (out.length > CONSOLE_FILES_MAX)
        throw new ConsoleError(
          ConsoleErrorCode.CONSOLE_INVALID,
          `more than ${CONSOLE_FILES_MAX} files in ${root}`,
        );
    }
  };
  walk(root);
  return out;
}

/**
 * Loads the built console from `root` (default: this package's `dist/www`).
 * @throws {ConsoleError} CONSOLE_NOT_BUILT when there is no page; CONSOLE_INVALID past the limits or for a
 *   file of a type the console never serves.
 * @example
 * const page = loadConsole().get("/"); // { body, contentType: "text/html; charset=utf-8", ... }
 */
export function loadConsole(root: string = consoleRoot()): ConsoleAssets {
  let exists = false;
  try {
    exists = statSync(join(root, "index.html")).isFile();
  } catch {
    exists = false;
  }
  if (!exists)
    throw new ConsoleError(
      ConsoleErrorCode.CONSOLE_NOT_BUILT,
      `the console is not built (no ${join(root, "index.html")}); run pnpm run build`,
    );
  const files = new Map<string, ConsoleAsset>();
  let bytes = 0;
  for (const file of listFiles(root)) {
    const path = `/${relative(root, file).split(sep).join("/")}`;
    const contentType = contentTypeOf(path);
    if (contentType === undefined)
      throw new ConsoleError(ConsoleErrorCode.CONSOLE_INVALID, `unexpected file in the console: ${path}`);
    const body = new Uint8Array(readFileSync(file));
    bytes += body.byteLength;
    if (bytes > CONSOLE_BYTES_MAX)
      throw new ConsoleError(
        ConsoleErrorCode.CONSOLE_INVALID,
        `the console exceeds ${CONSOLE_BYTES_MAX} bytes`,
      );
    const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"`;
    const cacheControl = path.startsWith("/assets/") ? CACHE_IMMUTABLE : CACHE_REVALIDATE;
    files.set(path, { body, contentType, cacheControl, etag });
  }
  const page = files.get("/index.html");
  if (page !== undefined) files.set("/", page);
  return {
    get: (path) => files.get(path),
    paths: () => [...files.keys()].sort(),
  };
}
