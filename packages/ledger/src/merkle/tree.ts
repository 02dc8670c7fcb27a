/**
 * RFC 9162 §2.1.1 Merkle Tree Hash and §2.1.3.1 inclusion proofs over a list of leaf hashes.
 *
 * MTH(D[n]) for n > 1 splits at k, the largest power of two smaller than n:
 * MTH(D[n]) = HASH(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])). The bottom-up pass in `merkleRoot` computes the same
 * value in O(n) without recursion: pair adjacent nodes level by level and carry an odd last node up
 * unchanged (never duplicate it). Tests check it against the recursive definition.
 * @module
 */
import { EMPTY_ROOT, HASH_BYTES, nodeHash } from "./hash.js";

function checkLeafHashes(leafHashes: readonly Uint8Array[]): void {
  if (!Array.isArray(leafHashes)) throw new TypeError(`"leafHashes" expected an array`);
  for (const hash of leafHashes) {
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_BYTES)
      throw new TypeError(`each leaf hash must be ${HASH_BYTES} bytes`);
  }
}

/** MTH over leaf hashes (already `leafHash`ed). The empty list gives `EMPTY_ROOT`. */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  checkLeafHashes(leafHashes);
  if (leafHashes.length === 0) return EMPTY_ROOT;
  let level: Uint8Array[] = leafHashes.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path for leaf `index` in a tree of `leafHashes.length`
 * leaves, ordered from the leaf's sibling up to the root's child. Throws `RangeError` for a bad index.
 */
export function inclusionProof(index: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  checkLeafHashes(leafHashes);
  if (!Number.isSafeInteger(index) || index < 0 || index >= leafHashes.length) {
    throw new RangeError(`"index" expected 0 ≤ index < ${leafHashes.length}, got ${index}`);
  }
  const path: Uint8Array[] = [];
  let start = 0;
  let end = leafHashes.length;
  let m = index;
  // Walk down from the root, collecting the sibling subtree root at each level, then reverse.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      path.push(merkleRoot(leafHashes.slice(start + k, end)));
      end = start + k;
    } else {
      path.push(merkleRoot(leafHashes.slice(start, start + k)));
      start += k;
      m -= k;
    }
  }
  return path.reverse();
}
