/**
 * @tirami/console — the node's web console (docs/architecture.md §8: "the web console at `/`"). The page
 * and its scripts are built into this package at `pnpm run build` (plain TypeScript and DOM compiled by
 * tsc, content-hashed, no CDN: it works offline); the node serves them with the content types, caching
 * and Content-Security-Policy exported here. The page talks to the node's own HTTP API with the bearer
 * token typed into its sign-in form. Layer: above agora, below the node (layers.json).
 * @packageDocumentation
 */

/** The built files. */
export {
  type ConsoleAsset,
  type ConsoleAssets,
  CONSOLE_BYTES_MAX,
  CONSOLE_FILES_MAX,
  ConsoleError,
  ConsoleErrorCode,
  consoleRoot,
  loadConsole,
} from "./assets.js";

/** How to serve them. */
export {
  CACHE_IMMUTABLE,
  CACHE_REVALIDATE,
  CONSOLE_CONTENT_TYPES,
  CONSOLE_CSP,
  CONSOLE_SECURITY_HEADERS,
  contentTypeOf,
} from "./headers.js";
