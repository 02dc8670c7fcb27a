#!/usr/bin/env node
/**
 * A short tour of @tirami/core: two node identities agree on a trade's canonical bytes, both sign it,
 * anyone can verify it, and a single changed byte breaks it. (The full three-node demo replaces this
 * once the CLI exists.)
 */
import {
  canonicalFloat,
  costTrm,
  createSigner,
  encodeCanonical,
  generateSeed,
  sha256,
  shortAccountId,
  toHex,
  verifySignature,
} from "../packages/core/dist/index.js";

const provider = createSigner(generateSeed());
const consumer = createSigner(generateSeed());
const priceTrmPerToken = 1.25;
const completionTokens = 37;
const amountTrm = costTrm(completionTokens, priceTrmPerToken);

const bytes = encodeCanonical("tirami/trade/v1", [
  provider.publicKey,
  consumer.publicKey,
  amountTrm,
  12,
  completionTokens,
  "stories260K",
  canonicalFloat(priceTrmPerToken),
  Date.now(),
  sha256(new Uint8Array([1])).subarray(0, 16),
  "demo-1",
]);
const providerSignature = provider.sign(bytes);
const consumerSignature = consumer.sign(bytes);

console.log(`provider   ${shortAccountId(provider.accountId)}`);
console.log(`consumer   ${shortAccountId(consumer.accountId)}`);
console.log(`cost       ceil(${completionTokens} tokens × ${priceTrmPerToken} TRM) = ${amountTrm} TRM`);
console.log(`trade_id   ${toHex(sha256(bytes))}`);
console.log(`canonical  ${bytes.length} bytes`);
console.log(`provider signature verifies: ${verifySignature(provider.accountId, bytes, providerSignature)}`);
console.log(`consumer signature verifies: ${verifySignature(consumer.accountId, bytes, consumerSignature)}`);
const tampered = bytes.slice();
tampered[tampered.length - 1] ^= 1;
console.log(
  `after flipping one bit:      ${verifySignature(provider.accountId, tampered, providerSignature)}`,
);
