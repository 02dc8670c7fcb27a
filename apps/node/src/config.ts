/**
 * The node's configuration table: one typed declaration per option, read by core `loadConfig` from
 * defaults < `$TIRAMI_HOME/config.json` < `TIRAMI_*` environment < flags.
 * @module
 */
import { isIP } from "node:net";
import { type ConfigSources, type ConfigValues, loadConfig } from "@tirami/core";
import { CHAT_WRAPPER_NAMES } from "@tirami/infer";
import { bootstrapAddressProblem } from "@tirami/net";
import { hostEntryProblem } from "./middleware/host-allow.js";
import {
  API_BIND_DEFAULT,
  API_PORT_DEFAULT,
  BODY_BYTES_MAX_DEFAULT,
  MAX_TOKENS_MAX_DEFAULT,
  RATE_LIMIT_PER_MINUTE_DEFAULT,
  SSE_FLUSH_INTERVAL_MAX_MS,
  SSE_FLUSH_INTERVAL_MS,
  SHUTDOWN_GRACE_MS_DEFAULT,
} from "./constants.js";

/** Every option of the node daemon, with its unit, bounds and default. */
export const NODE_CONFIG_TABLE = {
  home: {
    kind: "string",
    doc: "Node home directory (key, token, databases); default $TIRAMI_HOME or ~/.tirami.",
  },
  api_bind: {
    kind: "string",
    default: API_BIND_DEFAULT,
    lengthMax: 255,
    check: (value: string) =>
      isIP(value) !== 0 || value === "localhost" ? undefined : "expected an IP address or localhost",
    doc: "Address the HTTP API binds to.",
  },
  allowed_hosts: {
    kind: "list",
    default: [],
    itemsMax: 64,
    itemCheck: hostEntryProblem,
    doc: "Host names (no port) the HTTP API answers besides localhost, 127.0.0.1 and [::1], e.g. a reverse proxy's name; * = any. A loopback-bound node refuses any other Host (403); a node bound elsewhere checks only when this is set.",
  },
  api_port: {
    kind: "integer",
    default: API_PORT_DEFAULT,
    min: 0,
    max: 65_535,
    doc: "HTTP port (0 = any free port).",
  },
  api_token: {
    kind: "string",
    lengthMax: 256,
    doc: "Operator bearer token; default: created once in $TIRAMI_HOME/api.token (mode 0600).",
  },
  body_bytes_max: {
    kind: "integer",
    default: BODY_BYTES_MAX_DEFAULT,
    min: 1_024,
    max: 16 * 1_048_576,
    doc: "Largest request body, in bytes.",
  },
  model: {
    kind: "string",
    lengthMax: 1_024,
    doc: "Model to serve: a .gguf path, hf: URI or catalog name; none = no local model.",
  },
  models_dir: {
    kind: "string",
    lengthMax: 1_024,
    doc: "Directory for downloaded models; default $TIRAMI_HOME/models.",
  },
  threads: {
    kind: "integer",
    default: 1,
    min: 1,
    max: 256,
    doc: "CPU threads for inference (set it: the library default is slow on small machines).",
  },
  context_size: {
    kind: "integer",
    default: 2_048,
    min: 64,
    max: 131_072,
    doc: "Context window per sequence, in tokens.",
  },
  parallelism: {
    kind: "integer",
    default: 0,
    min: 0,
    max: 64,
    doc: "Concurrent generations (context sequences); 0 = auto: up to 8, so concurrent requests decode in one batch, as many as fit a quarter of free memory.",
  },
  queue_max: {
    kind: "integer",
    default: 16,
    min: 0,
    max: 10_000,
    doc: "Requests waiting for a sequence before 503 ENGINE_BUSY.",
  },
  chat_wrapper: {
    kind: "enum",
    values: CHAT_WRAPPER_NAMES,
    default: "auto",
    doc: "Chat format: auto = the model's own template, else the documented general fallback; or a wrapper name (general, llama3, chatml, …).",
  },
  max_tokens_max: {
    kind: "integer",
    default: MAX_TOKENS_MAX_DEFAULT,
    min: 1,
    max: 131_072,
    doc: "Largest max_tokens a request may ask for.",
  },
  sse_flush_interval_ms: {
    kind: "integer",
    default: SSE_FLUSH_INTERVAL_MS,
    min: 0,
    max: SSE_FLUSH_INTERVAL_MAX_MS,
    doc: "Streaming: text is written at most once per this many ms after the first token (coalesced between); 0 = as soon as the event loop turns.",
  },
  rate_limit_per_minute: {
    kind: "integer",
    default: RATE_LIMIT_PER_MINUTE_DEFAULT,
    min: 1,
    max: 1_000_000,
    doc: "Requests per minute per bearer token (token bucket, same burst).",
  },
  shutdown_grace_ms: {
    kind: "integer",
    default: SHUTDOWN_GRACE_MS_DEFAULT,
    min: 0,
    max: 600_000,
    doc: "Milliseconds in-flight generations may finish on shutdown before they are aborted.",
  },
  price_trm_per_token: {
    kind: "number",
    min: 0.000_001,
    max: 1_000_000,
    doc: "Fixed price this node quotes, in TRM per completion token; unset = the ledger's live price (base 1, demand/supply EMA, deflation).",
  },
  p2p_port: {
    kind: "integer",
    min: 0,
    max: 65_535,
    doc: "Mesh (libp2p TCP) port; unset = this node does not join a mesh; 0 = any free port.",
  },
  p2p_bind: {
    kind: "string",
    default: "127.0.0.1",
    lengthMax: 255,
    check: (value: string) =>
      isIP(value) === 4 ? undefined : "expected an IPv4 address, e.g. 127.0.0.1 or 0.0.0.0",
    doc: "Address the mesh listens on (IPv4); set 0.0.0.0 to be reachable from other machines.",
  },
  bootstrap: {
    kind: "list",
    default: [],
    itemsMax: 64,
    // Checked with the other options, so a bad address fails before the home is created or the model loads.
    itemCheck: bootstrapAddressProblem,
    doc: "Bootstrap peers: multiaddrs like /ip4/1.2.3.4/tcp/7700/p2p/<peer id> (comma-separated in env/flags).",
  },
  mdns: { kind: "boolean", default: false, doc: "Discover mesh peers on the LAN with mDNS." },
  zero_history_consumers_max: {
    kind: "integer",
    default: 50,
    min: 0,
    max: 1_000_000,
    doc: "As a provider: distinct consumers with no trade history served on credit (the Sybil bound).",
  },
  zero_history_credit_cap_trm: {
    kind: "integer",
    default: 1_000,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    doc: "As a provider: most TRM a zero-history consumer may be held for per request.",
  },
  offer_interval_ms: {
    kind: "integer",
    default: 30_000,
    min: 100,
    max: 3_600_000,
    doc: "How often this node re-publishes its signed offer (also on change), in milliseconds.",
  },
  bank_tick_interval_ms: {
    kind: "integer",
    default: 0,
    min: 0,
    max: 86_400_000,
    doc: "How often the bank ticks on its own (decides and acts through lending as the bank spender; docs/bank.md), in milliseconds; 0 = never (the default), else at least 1000.",
  },
  shard_memory_bytes: {
    kind: "integer",
    default: 0,
    min: 0,
    max: 2 ** 44,
    doc: "Memory this node offers a stage of a split model, advertised in its offer (bytes); 0 = the machine's free memory when each offer is built.",
  },
  shard_throughput_bytes_per_s: {
    kind: "integer",
    default: 0,
    min: 0,
    max: 2 ** 44,
    doc: "Weight bytes per second this node reads while decoding, advertised in its offer; 0 = measured once (this process's memory read rate, a proxy).",
  },
  nostr_relays: {
    kind: "list",
    default: [],
    itemsMax: 16,
    itemCheck: (value: string) =>
      /^wss?:\/\/[\x21-\x7e]{1,240}$/.test(value) ? undefined : "expected a ws:// or wss:// relay URL",
    doc: "Nostr relays this node publishes its NIP-89 handler advertisements to (docs/agora.md).",
  },
  nostr_serve_jobs: {
    kind: "boolean",
    default: false,
    doc: "Answer NIP-90 text-generation jobs (kind 5050) addressed to this node on its Nostr relays with its model; the result states the price in TRM (docs/agora.md).",
  },
  public_url: {
    kind: "string",
    lengthMax: 200,
    check: (value: string) =>
      /^https?:\/\/[\x21-\x7e]+$/.test(value) ? undefined : "expected an http:// or https:// URL",
    doc: "URL other agents reach this node's HTTP API at (its A2A card and agent profile); default: the address of each request.",
  },
  lightning_network: {
    kind: "enum",
    values: ["mainnet", "testnet", "signet", "regtest"],
    default: "mainnet",
    doc: "Bitcoin network of the Lightning wallet: invoices for any other network are refused (docs/lightning.md).",
  },
  lightning_msat_per_trm: {
    kind: "integer",
    default: 10,
    min: 1,
    max: 100_000_000_000,
    doc: "Exchange rate, millisatoshis per TRM (upstream's 10: 1 sat = 100 TRM); settlements and deposits pay exactly amount × rate.",
  },
  lightning_payment_sats_max: {
    kind: "integer",
    default: 50_000,
    min: 0,
    max: 10_000_000_000,
    doc: "Largest single outgoing Lightning payment, in sats (the safety gate's TRM budgets apply too).",
  },
  lightning_sats_per_hour: {
    kind: "integer",
    default: 100_000,
    min: 0,
    max: 10_000_000_000,
    doc: "Outgoing Lightning payments per hour, in sats.",
  },
  lightning_deposit_trm_max: {
    kind: "integer",
    default: 0,
    min: 0,
    max: 1_000_000_000_000,
    doc: "Most TRM this node sells to another node in one deposit (paid over Lightning); 0 = sells none.",
  },
  lightning_invoice_expiry_s: {
    kind: "integer",
    default: 600,
    min: 60,
    max: 86_400,
    doc: "Expiry of the invoices this node issues, in seconds.",
  },
  log_level: {
    kind: "enum",
    values: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
    default: "info",
    doc: "Log level (pino: JSON lines on stderr; on a terminal one readable line per entry).",
  },
} as const;

export type NodeConfig = ConfigValues<typeof NODE_CONFIG_TABLE>;

/**
 * Reads the node configuration; throws core `ConfigError` (CONFIG_INVALID) listing every bad value with
 * where it came from (`flagNames` says how a front end spelled each flag, e.g. `{ api_port: "--port" }`).
 */
export function readNodeConfig(
  sources: Pick<ConfigSources, "file" | "env" | "flags" | "flagNames">,
): NodeConfig {
  return loadConfig(NODE_CONFIG_TABLE, sources).values;
}
