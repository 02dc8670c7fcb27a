/**
 * Standalone inclusion-proof verification, RFC 9162 §2.1.3.2. Pure: needs nothing but the proof, the
 * leaf and the root, so anyone holding a settlement statement can check a trade against it.
 * @module
 */
import { equalBytes } from "@tirami/core";
import { HASH_BYTES, leafHash as hashLeaf, nodeHash } from "./hash.js";

export interface InclusionCheck {
  /** The leaf's data (canonical trade bytes); give this or `leafHash`. */
  leafBytes?: Uint8Array;
  /** The leaf's hash, SHA-256(0x00 ‖ bytes). */
  leafHash?: Uint8Array;
  index: number;
  treeSize: number;
  proof: readonly Uint8Array[];
  root: Uint8Array;
}

/** True when `proof` shows the leaf at `index` is in the tree of `treeSize` leaves with `root`. Never throws. */
export function verifyInclusion(check: InclusionCheck): boolean {
  try {
    const { index, treeSize, proof, root } = check;
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize)
      return false;
    if (!(root instanceof Uint8Array) || root.length !== HASH_BYTES || !Array.isArray(proof)) return false;
    let r: Uint8Array;
    if (check.leafHash !== undefined) {
      if (!(check.leafHash instanceof Uint8Array) || check.leafHash.length !== HASH_BYTES) return false;
      r = check.leafHash;
    } else if (check.leafBytes instanceof Uint8Array) {
      r = hashLeaf(check.leafBytes);
    } else {
      return false;
    }
    // Step 2: fn = leaf_index, sn = tree_size - 1. Division instead of >> keeps sizes above 2^31 exact.
    let fn = index;
    let sn = treeSize - 1;
    for (const p of proof) {
      if (!(p instanceof Uint8Array) || p.length !== HASH_BYTES) return false;
      if (sn === 0) return false; // step 4a
      if (fn % 2 === 1 || fn === sn) {
        r = nodeHash(p, r); // step 4b
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        r = nodeHash(r, p); // step 4c
      }
      fn = Math.floor(fn / 2); // step 4d
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && equalBytes(r, root); // step 5
  } catch {
    return false;
  }
}
