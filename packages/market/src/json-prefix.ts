/**
 * Whether a text is a prefix of some JSON text (RFC 8259 grammar): what a grammar-constrained answer
 * cut by `max_tokens` must still be. Structure only (brackets, strings, escapes, numbers, literals),
 * not a schema; linear in the text, with an explicit stack.
 * @module
 */

const WS = new Set([" ", "\t", "\n", "\r"]);
const NUMBER_PREFIX_RE = /^-?(0|[1-9]\d*)?(\.\d*)?([eE][+-]?\d*)?$/;
const NUMBER_RE = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const LITERALS = ["true", "false", "null"];

type Expect = "value" | "key_or_close" | "key" | "colon" | "value_or_close" | "after";

/** Index after the string opening at `start` (a `"`), `text.length` if it is cut, or -1 if invalid. */
function scanString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -1;
    if (c !== 0x5c) {
      i += 1;
      continue;
    }
    const kind = text[i + 1];
    if (kind === undefined) return text.length;
    if (kind === "u") {
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]*$/.test(hex)) return -1;
      i += 6;
    } else if ('"\\/bfnrt'.includes(kind)) i += 2;
    else return -1;
  }
  return text.length;
}

/** Index after the number or literal at `start`, or -1 if invalid. */
function scanAtom(text: string, start: number): number {
  let end = start;
  while (end < text.length && /[-+.0-9eEa-z]/.test(text[end] as string)) end += 1;
  const atom = text.slice(start, end);
  if (atom === "") return -1;
  if (end === text.length)
    return LITERALS.some((l) => l.startsWith(atom)) || NUMBER_PREFIX_RE.test(atom) ? end : -1;
  return LITERALS.includes(atom) || NUMBER_RE.test(atom) ? end : -1;
}

/** True when some text could follow `text` to make it valid JSON (`"{"` yes, `"}"` no). */
export function isJsonPrefix(text: string): boolean {
  const stack: string[] = [];
  let expect: Expect = "value";
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (WS.has(c)) {
      i += 1;
      continue;
    }
    if (expect === "after" && stack.length === 0) return false;
    if (expect === "after") {
      const top = stack[stack.length - 1];
      if (c === ",") expect = top === "{" ? "key" : "value";
      else if ((c === "}" && top === "{") || (c === "]" && top === "[")) stack.pop();
      else return false;
      i += 1;
      continue;
    }
    if (expect === "colon") {
      if (c !== ":") return false;
      expect = "value";
      i += 1;
      continue;
    }
    if ((expect === "key_or_close" && c === "}") || (expect === "value_or_close" && c === "]")) {
      stack.pop();
      expect = "after";
      i += 1;
      continue;
    }
    if (expect === "key" || expect === "key_or_close") {
      if (c !== '"') return false;
      i = scanString(text, i);
      if (i < 0) return false;
      expect = "colon";
      continue;
    }
    // A value.
    if (c === "{" || c === "[") {
      stack.push(c);
      expect = c === "{" ? "key_or_close" : "value_or_close";
      i += 1;
      continue;
    }
    i = c === '"' ? scanString(text, i) : scanAtom(text, i);
    if (i < 0) return false;
    expect = "after";
  }
  return true;
}
