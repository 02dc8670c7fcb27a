/**
 * Codec throughput: encodeMessage/decodeMessage messages per second for each kind, next to
 * JSON.stringify/JSON.parse of the same objects (which validate nothing), with the ratio and the machine.
 * Run: pnpm run bench (from packages/proto).
 */
import { cpus } from "node:os";
import { createSigner, type Signer } from "@tirami/core";
import {
  assembleSignedTrade,
  createTrade,
  decodeMessage,
  encodeMessage,
  type Message,
  signProviderOffer,
  signTrade,
  type SignedTrade,
} from "../src/index.js";

const signer = (fill: number): Signer => createSigner(new Uint8Array(32).fill(fill));
const provider = signer(1);
const consumer = signer(2);

function signedTrade(index: number): SignedTrade {
  const trade = createTrade({
    provider: provider.accountId,
    consumer: consumer.accountId,
    amount_trm: 40 + index,
    prompt_tokens: 17,
    completion_tokens: 40 + index,
    model_id: "qwen2.5-0.5b-instruct-q4_k_m",
    price_trm_per_token: 1,
    timestamp_ms: 1_764_000_000_000 + index,
    request_id: `req-${index}`,
  });
  return assembleSignedTrade(trade, signTrade(trade, provider), signTrade(trade, consumer));
}

const trades = Array.from({ length: 256 }, (_, index) => signedTrade(index)).sort(
  (a, b) => a.trade.timestamp_ms - b.trade.timestamp_ms || (a.trade_id < b.trade_id ? -1 : 1),
);

const samples: [string, Message][] = [
  ["token_chunk", { kind: "token_chunk", request_id: "req-1", index: 7, text: " world" }],
  [
    "infer_request",
    {
      kind: "infer_request",
      request_id: "req-1",
      consumer: consumer.accountId,
      model_id: "qwen2.5-0.5b-instruct-q4_k_m",
      messages: [
        { role: "system", content: "You are a helpful assistant." },
        { role: "user", content: "Explain the Merkle tree of RFC 9162 in two paragraphs, please.".repeat(4) },
      ],
      max_tokens: 256,
      temperature: 0.7,
      top_p: 0.9,
      top_k: 40,
      seed: 42,
      stop: [],
      price_trm_per_token: 1,
      timestamp_ms: 1_764_000_000_000,
    },
  ],
  ["trade_gossip", { kind: "trade_gossip", ...(trades[0] as SignedTrade) }],
  [
    "provider_offer",
    signProviderOffer(
      {
        account: provider.accountId,
        models: [
          { model_id: "qwen2.5-0.5b-instruct-q4_k_m", price_trm_per_token: 1, context_length: 32_768 },
          { model_id: "smollm2-135m", price_trm_per_token: 0.25 },
        ],
        free_capacity: 3,
        protocol_version: 1,
        merkle_root: "ab".repeat(32),
        trade_count: 256,
        multiaddrs: ["/ip4/127.0.0.1/tcp/7700"],
        timestamp_ms: 1_764_000_000_000,
      },
      provider,
    ),
  ],
  ["sync_response (256 trades)", { kind: "sync_response", trades, more: true }],
];

/** Operations per second of `run`, measured over at least `minMs`. */
function rate(run: () => unknown, minMs = 400): number {
  for (let warm = 0; warm < 200; warm++) run();
  let count = 0;
  const start = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < minMs) {
    for (let batch = 0; batch < 50; batch++) run();
    count += 50;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return (count / elapsedMs) * 1000;
}

const fmt = (value: number): string => Math.round(value).toLocaleString("en-US").padStart(11);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown cpu"}, node ${process.version}`);
console.log(
  `${"kind".padEnd(28)} ${"bytes".padStart(7)} ${"json B".padStart(7)} ${"encode/s".padStart(11)} ${"stringify/s".padStart(11)} ${"ratio".padStart(6)} ${"decode/s".padStart(11)} ${"parse/s".padStart(11)} ${"ratio".padStart(6)}`,
);
for (const [name, message] of samples) {
  const frame = encodeMessage(message);
  const json = JSON.stringify(message);
  const encode = rate(() => encodeMessage(message));
  const stringify = rate(() => JSON.stringify(message));
  const decode = rate(() => decodeMessage(frame));
  const parse = rate(() => JSON.parse(json));
  console.log(
    `${name.padEnd(28)} ${String(frame.length).padStart(7)} ${String(Buffer.byteLength(json)).padStart(7)} ${fmt(encode)} ${fmt(stringify)} ${(encode / stringify).toFixed(2).padStart(6)} ${fmt(decode)} ${fmt(parse)} ${(decode / parse).toFixed(2).padStart(6)}`,
  );
}
console.log(
  "ratio = codec rate / JSON rate (codec validates every field and writes canonical bytes; JSON validates nothing)",
);
