/**
 * Glob patterns over model ids (docs/upstream.md §10.3): `*` matches any run of characters, `?` one
 * character, everything else itself, case-insensitively, over the whole id. Matched by a linear-time
 * two-pointer walk (no regular expression is built from input, so no pattern can backtrack badly).
 * @module
 */

/** True when `text` matches `pattern` as a whole. */
export function globMatch(pattern: string, text: string): boolean {
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  let pi = 0;
  let ti = 0;
  let starPi = -1;
  let starTi = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === "?" || p[pi] === t[ti])) {
      pi += 1;
      ti += 1;
    } else if (pi < p.length && p[pi] === "*") {
      starPi = pi;
      starTi = ti;
      pi += 1;
    } else if (starPi !== -1) {
      pi = starPi + 1;
      starTi += 1;
      ti = starTi;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi += 1;
  return pi === p.length;
}
