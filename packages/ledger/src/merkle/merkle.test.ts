/**
 * Proves the Merkle code is RFC 9162 §2.1: it reproduces the Certificate Transparency reference vectors
 * (vectors/merkle.json), agrees with a naive recursive implementation of the RFC's definitions for every
 * size 0..70 and for random trees, and every inclusion proof verifies while any altered byte, index,
 * proof element or root — or a tree size whose audit path has another shape — makes verification fail.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fromHex, sha256, toHex } from "@tirami/core";
import { EMPTY_ROOT, inclusionProof, leafHash, merkleRoot, verifyInclusion } from "./index.js";
import { IncrementalTree } from "./incremental.js";

interface Vectors {
  leaves_hex: string[];
  roots_by_size_hex: string[];
  inclusion: { index: number; tree_size: number; proof_hex: string[] }[];
}
const vectors = JSON.parse(
  readFileSync(new URL("../../vectors/merkle.json", import.meta.url), "utf8"),
) as Vectors;
const ctLeaves = vectors.leaves_hex.map((h) => leafHash(fromHex(h)));

// Naive RFC 9162 §2.1.1 MTH and §2.1.3.1 PATH, written straight from the text (independent of tree.ts).
function naiveRoot(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return sha256();
  if (d.length === 1) return d[0]!;
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return sha256(new Uint8Array([1]), naiveRoot(d.slice(0, k)), naiveRoot(d.slice(k)));
}
function naivePath(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length === 1) return [];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m < k
    ? [...naivePath(m, d.slice(0, k)), naiveRoot(d.slice(k))]
    : [...naivePath(m - k, d.slice(k)), naiveRoot(d.slice(0, k))];
}
const leavesOf = (n: number, salt = 0) =>
  Array.from({ length: n }, (_, i) => leafHash(new Uint8Array([i & 0xff, i >> 8, salt])));
function flipByte(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at % copy.length]! ^= 0x01;
  return copy;
}

describe("RFC 6962/9162 reference vectors", () => {
  it("reproduces every reference root (sizes 0..8) and the empty root", () => {
    expect(toHex(EMPTY_ROOT)).toBe(vectors.roots_by_size_hex[0]);
    for (let n = 0; n <= 8; n++)
      expect(toHex(merkleRoot(ctLeaves.slice(0, n))), `size ${n}`).toBe(vectors.roots_by_size_hex[n]);
  });

  it("reproduces and verifies the reference inclusion proofs", () => {
    for (const v of vectors.inclusion) {
      const proof = inclusionProof(v.index, ctLeaves.slice(0, v.tree_size));
      expect(proof.map(toHex)).toEqual(v.proof_hex);
      const root = fromHex(vectors.roots_by_size_hex[v.tree_size]!);
      const leafBytes = fromHex(vectors.leaves_hex[v.index]!);
      expect(verifyInclusion({ leafBytes, index: v.index, treeSize: v.tree_size, proof, root })).toBe(true);
      expect(
        verifyInclusion({ leafBytes, index: v.index, treeSize: v.tree_size, proof, root: EMPTY_ROOT }),
      ).toBe(false);
    }
  });
});

describe("against the naive recursive definition", () => {
  it("agrees on roots and every proof for sizes 0..70", () => {
    for (let n = 0; n <= 70; n++) {
      const leaves = leavesOf(n);
      const root = merkleRoot(leaves);
      expect(toHex(root)).toBe(toHex(naiveRoot(leaves)));
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(i, leaves);
        expect(proof.map(toHex)).toEqual(naivePath(i, leaves).map(toHex));
        expect(verifyInclusion({ leafHash: leaves[i]!, index: i, treeSize: n, proof, root })).toBe(true);
      }
    }
  });

  it("the duplicate-last-leaf collision of upstream is gone: [a,b,c] and [a,b,c,c] differ", () => {
    const [a, b, c] = leavesOf(3);
    expect(toHex(merkleRoot([a!, b!, c!]))).not.toBe(toHex(merkleRoot([a!, b!, c!, c!])));
  });
});

describe("incremental tree", () => {
  it("agrees with merkleRoot after every insertion, in order and out of order", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 80 }), (positions) => {
        const tree = new IncrementalTree();
        const reference: Uint8Array[] = [];
        positions.forEach((p, i) => {
          // Mostly appends, like trades arriving in timestamp order; sometimes anywhere.
          const position = i % 3 === 0 ? p % (reference.length + 1) : reference.length;
          const leaf = leafHash(new Uint8Array([i, p & 0xff]));
          reference.splice(position, 0, leaf);
          tree.insert(position, leaf);
          if (i % 2 === 0 || i === positions.length - 1)
            expect(toHex(tree.root())).toBe(toHex(merkleRoot(reference)));
        });
      }),
      { numRuns: 200 },
    );
    expect(toHex(new IncrementalTree().root())).toBe(toHex(EMPTY_ROOT));
    expect(toHex(new IncrementalTree(ctLeaves).root())).toBe(vectors.roots_by_size_hex[8]);
  });
});

describe("properties", () => {
  it("a proof verifies, and fails for any altered leaf byte, index, size, proof byte or root byte", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (n, iSeed, byteAt, salt) => {
          const leaves = leavesOf(n, salt);
          const index = iSeed % n;
          const root = merkleRoot(leaves);
          const proof = inclusionProof(index, leaves);
          const leaf = leaves[index]!;
          expect(toHex(root)).toBe(toHex(naiveRoot(leaves)));
          expect(verifyInclusion({ leafHash: leaf, index, treeSize: n, proof, root })).toBe(true);
          expect(verifyInclusion({ leafHash: flipByte(leaf, byteAt), index, treeSize: n, proof, root })).toBe(
            false,
          );
          expect(
            verifyInclusion({ leafHash: leaf, index, treeSize: n, proof, root: flipByte(root, byteAt) }),
          ).toBe(false);
          for (const otherIndex of [index + 1, index - 1, index ^ 1]) {
            if (otherIndex === index || otherIndex < 0 || otherIndex >= n) continue;
            if (toHex(leaves[otherIndex]!) === toHex(leaf)) continue;
            expect(verifyInclusion({ leafHash: leaf, index: otherIndex, treeSize: n, proof, root })).toBe(
              false,
            );
          }
          // The tree size is bound by the root (RFC 9162 signs both in a tree head): a different size
          // can only verify against the same root when its audit path has the very same shape.
          for (const otherSize of [n + 1, n - 1, n * 2]) {
            if (otherSize <= index || otherSize === n) continue;
            if (naivePath(index, leavesOf(otherSize, salt)).length === proof.length) continue;
            expect(verifyInclusion({ leafHash: leaf, index, treeSize: otherSize, proof, root })).toBe(false);
          }
          if (proof.length > 0) {
            const at = byteAt % proof.length;
            const tampered = proof.map((p, k) => (k === at ? flipByte(p, byteAt) : p));
            expect(verifyInclusion({ leafHash: leaf, index, treeSize: n, proof: tampered, root })).toBe(
              false,
            );
            expect(verifyInclusion({ leafHash: leaf, index, treeSize: n, proof: proof.slice(1), root })).toBe(
              false,
            );
          }
          expect(verifyInclusion({ leafHash: leaf, index, treeSize: n, proof: [...proof, root], root })).toBe(
            false,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("rejects malformed input without throwing", () => {
    const leaves = leavesOf(4);
    const root = merkleRoot(leaves);
    const proof = inclusionProof(1, leaves);
    expect(verifyInclusion({ index: 1, treeSize: 4, proof, root })).toBe(false);
    expect(verifyInclusion({ leafHash: leaves[1]!, index: 4, treeSize: 4, proof, root })).toBe(false);
    expect(verifyInclusion({ leafHash: leaves[1]!, index: -1, treeSize: 4, proof, root })).toBe(false);
    expect(verifyInclusion({ leafHash: leaves[1]!, index: 1.5, treeSize: 4, proof, root })).toBe(false);
    expect(verifyInclusion({ leafHash: new Uint8Array(31), index: 1, treeSize: 4, proof, root })).toBe(false);
    expect(verifyInclusion(null as never)).toBe(false);
    expect(() => inclusionProof(4, leaves)).toThrow(RangeError);
    expect(() => merkleRoot([new Uint8Array(3)])).toThrow(TypeError);
  });
});
