/**
 * An RFC 9162 tree kept in memory as levels of perfect subtrees, so adding a leaf costs O(log n) hashes
 * when it lands at the end (trades mostly arrive in timestamp order) and O(n − position) otherwise.
 *
 * levels[0] are the leaf hashes; levels[j][i] = MTH of leaves [i·2^j, (i+1)·2^j). The root of n leaves is
 * the fold from the right of the perfect subtrees given by the binary digits of n, largest first:
 * MTH(D[n]) = HASH(0x01 ‖ P_a ‖ MTH(rest)) with P_a the subtree of the largest power of two < n — the
 * RFC's split, applied recursively (tests check it against `merkleRoot`).
 * @module
 */
import { EMPTY_ROOT, nodeHash } from "./hash.js";

export class IncrementalTree {
  private readonly levels: Uint8Array[][] = [[]];

  /** Builds the tree over `leafHashes` (already in leaf order). */
  constructor(leafHashes: readonly Uint8Array[] = []) {
    this.levels[0] = leafHashes.slice();
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  leaves(): readonly Uint8Array[] {
    return this.levels[0]!;
  }

  /** Inserts a leaf hash at `position` (0 ≤ position ≤ size); subtrees after it are recomputed lazily. */
  insert(position: number, leafHash: Uint8Array): void {
    if (!Number.isSafeInteger(position) || position < 0 || position > this.size)
      throw new RangeError(`bad leaf position ${position}`);
    this.levels[0]!.splice(position, 0, leafHash);
    for (let j = 1; j < this.levels.length; j++) {
      const keep = Math.floor(position / 2 ** j);
      if (this.levels[j]!.length > keep) this.levels[j]!.length = keep;
    }
  }

  /** MTH of all leaves. */
  root(): Uint8Array {
    const n = this.size;
    if (n === 0) return EMPTY_ROOT;
    this.fill();
    const peaks: Uint8Array[] = [];
    let offset = 0;
    for (let j = Math.floor(Math.log2(n)) + 1; j >= 0; j--) {
      const width = 2 ** j;
      if (Math.floor(n / width) % 2 === 1) {
        peaks.push(this.levels[j]![offset / width]!);
        offset += width;
      }
    }
    let root = peaks[peaks.length - 1]!;
    for (let i = peaks.length - 2; i >= 0; i--) root = nodeHash(peaks[i]!, root);
    return root;
  }

  /** Computes every missing perfect subtree. */
  private fill(): void {
    for (let j = 1; 2 ** j <= this.size; j++) {
      const below = this.levels[j - 1]!;
      const level = (this.levels[j] ??= []);
      for (let i = level.length; 2 * i + 1 < below.length; i++)
        level.push(nodeHash(below[2 * i]!, below[2 * i + 1]!));
    }
  }
}
