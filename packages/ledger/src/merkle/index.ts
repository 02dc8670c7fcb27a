/**
 * RFC 9162 Merkle tree: hashing, root, inclusion proofs and their verification. Pure functions.
 * @module
 */
export { EMPTY_ROOT, HASH_BYTES, leafHash, nodeHash } from "./hash.js";
export { inclusionProof, merkleRoot, splitPoint } from "./tree.js";
export { type InclusionCheck, verifyInclusion } from "./verify.js";
