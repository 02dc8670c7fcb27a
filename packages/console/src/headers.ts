/**
 * How the console's files are served: their content types, their caching (content-hashed assets are
 * immutable for a year; the page itself is revalidated on every load, so a new build is picked up at
 * once) and the page's Content-Security-Policy, which allows nothing from anywhere but the node itself.
 * @module
 */

/** Content types by file extension; a file with another extension is not served. */
export const CONSOLE_CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json; charset=utf-8",
});

/** `Cache-Control` of a content-hashed asset: its name changes whenever its bytes do. */
export const CACHE_IMMUTABLE = "public, max-age=31536000, immutable";
/** `Cache-Control` of the page: always revalidated (it names the current build's assets). */
export const CACHE_REVALIDATE = "no-cache";

/**
 * The console's Content-Security-Policy: scripts, styles and requests from the node's own origin only
 * (no inline script, no CDN, no `eval`), no framing, no plugins, forms post nowhere (every action is a
 * `fetch` with the bearer header).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Security headers sent with every console file. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Content-Security-Policy": CONSOLE_CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
});

/** The content type of `path` by its extension, or undefined when the console never serves such a file. */
export function contentTypeOf(path: string): string | undefined {
  const dot = path.lastIndexOf(".");
  return dot < 0 ? undefined : CONSOLE_CONTENT_TYPES[path.slice(dot)];
}
