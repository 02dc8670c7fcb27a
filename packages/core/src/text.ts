/**
 * The one rule for text that may cross the wire or be signed: well-formed Unicode, i.e. no lone UTF-16
 * surrogate (a high surrogate not followed by a low one, or a low one not preceded by a high one). Such a
 * string has no UTF-8 encoding (`TextEncoder` would silently turn it into U+FFFD, so two different
 * strings would share bytes), so the canonical encoder refuses it, and so do proto's message checks and
 * the node's HTTP boundary — all through this function, so they can never disagree.
 * @module
 */

const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * True when `value` is well-formed Unicode (has a UTF-8 encoding): no lone surrogate.
 * @example isWellFormedText("a\u{1F600}b") // true; isWellFormedText("a\ud800b") // false
 */
export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE_RE.test(value);
}
