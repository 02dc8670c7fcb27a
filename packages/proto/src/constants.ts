/**
 * Every limit of the wire layer, with the reason for its value. Decoders refuse anything past these
 * before allocating for it; encoders refuse to produce it. Byte limits count UTF-8 bytes, not characters.
 * @module
 */

/** libp2p protocol id of the remote-inference stream (docs/architecture.md §7). */
export const INFER_PROTOCOL_ID = "/tirami/infer/1.0.0";
/**
 * libp2p protocol id of the late settlement of a trade whose consumer died before answering the proposal:
 * the provider sends its `trade_proposal` again, the consumer answers `trade_accept` or `trade_reject`.
 */
export const SETTLE_PROTOCOL_ID = "/tirami/settle/1.0.0";
/** libp2p protocol id suggested for the catch-up stream (`sync_request` → `sync_response`). */
export const SYNC_PROTOCOL_ID = "/tirami/sync/1.0.0";
/** Version of the message set in this package; carried in `provider_offer.protocol_version`. */
export const PROTOCOL_VERSION = 1;
/** Highest `protocol_version` an offer may claim: it is a u16 in spirit, like upstream's Hello. */
export const PROTOCOL_VERSION_MAX = 0xffff;

/**
 * Largest frame of any kind (1 MiB). A stream's length-prefix reader should refuse anything longer before
 * reading it. Upstream allowed 64 MiB frames (docs/upstream.md §7.1), which let one peer pin that much memory per
 * stream; nothing here needs more than a long prompt.
 */
export const MESSAGE_BYTES_MAX = 1_048_576;

/** Chat turns per request: long agent transcripts fit; the byte limit of the frame binds first anyway. */
export const INFER_MESSAGES_MAX = 512;
/** One chat turn's content (256 KiB ≈ 64k tokens of English): a whole context window of a small model. */
export const INFER_CONTENT_BYTES_MAX = 262_144;
/** A raw prompt (same reasoning as one chat turn). */
export const INFER_PROMPT_BYTES_MAX = 262_144;
/** Tokens one request may ask for. Upstream capped at 4,096; long-form answers of current models need more. */
export const INFER_MAX_TOKENS_MAX = 32_768;
/** Sampling temperature range [0, 2], as in OpenAI's API and upstream's validation. */
export const INFER_TEMPERATURE_MAX = 2;
/** top_k: 0 disables it; above 1,000 it no longer changes sampling in practice. */
export const INFER_TOP_K_MAX = 1_000;
/** Sampler seeds are u32 in llama.cpp. */
export const INFER_SEED_MAX = 0xffff_ffff;
/** Stop sequences per request (OpenAI allows 4; a few more for chat wrappers). */
export const INFER_STOP_MAX = 16;
/** One stop sequence. */
export const INFER_STOP_BYTES_MAX = 256;
/** Tokens a prompt may count: more than any context window in use (1 Mi tokens). */
export const INFER_PROMPT_TOKENS_MAX = 1_048_576;
/** Text in one token chunk (upstream: 8,192 chars; 16 KiB of UTF-8 covers that in any script). */
export const TOKEN_CHUNK_TEXT_BYTES_MAX = 16_384;
/** Human-readable error and rejection messages (upstream: 1,024 chars). */
export const ERROR_MESSAGE_BYTES_MAX = 1_024;
/** Longest back-off a provider may ask for: one hour; beyond that the consumer should pick someone else. */
export const RETRY_AFTER_MS_MAX = 3_600_000;

/**
 * Trades per sync response. 256 signed trades are ≤ ~150 KiB on the wire, small enough to send in one frame
 * and large enough that catching up on 100k trades takes ~400 round trips, not 100k.
 */
export const SYNC_TRADES_MAX = 256;

/** Models one provider offer may list. */
export const OFFER_MODELS_MAX = 64;
/** Listen addresses in one offer. */
export const OFFER_MULTIADDRS_MAX = 16;
/** One multiaddr as text (libp2p's own limits are in this range). */
export const MULTIADDR_LENGTH_MAX = 256;
/** Context length a model may claim (16 Mi tokens: well past any model in use). */
export const CONTEXT_LENGTH_MAX = 16_777_216;
/** Concurrent requests a provider may claim to have free (a single machine cannot serve more). */
export const FREE_CAPACITY_MAX = 65_535;
/**
 * Memory an offer's `capacity` may claim: 2^44 bytes (16 TiB), past any single machine in use; a larger
 * claim is a lie or a bug, and would let one peer soak up a whole model in plans.
 */
export const OFFER_MEMORY_BYTES_MAX = 2 ** 44;
/**
 * Decoding throughput an offer may claim: 2^44 bytes/s (~17.6 TB/s), five times the memory bandwidth of
 * the fastest accelerators in use (~3.35 TB/s HBM3).
 */
export const OFFER_THROUGHPUT_BYTES_PER_S_MAX = 2 ** 44;

/** libp2p protocol id of the embeddings stream (`embed_request` → `embed_vectors`… → `embed_end`, then the trade). */
export const EMBED_PROTOCOL_ID = "/tirami/embed/1.0.0";
/** Texts one `embed_request` may carry (the OpenAI API's limit); the frame's 1 MiB binds first for long ones. */
export const EMBED_INPUTS_MAX = 2_048;
/** Width of a vector on the wire: past the widest embedding models in use (~4k–8k). */
export const EMBED_DIMENSIONS_MAX = 8_192;
/**
 * Vectors per `embed_vectors` frame: 8 × 8,192 floats × 9 bytes ≈ 590 KB, inside `MESSAGE_BYTES_MAX` with
 * room to spare, so a frame never has to be split mid-vector.
 */
export const EMBED_VECTORS_PER_FRAME_MAX = 8;
