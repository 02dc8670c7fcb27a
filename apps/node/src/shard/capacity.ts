/**
 * This node's capacity for a stage of a split model, advertised in its offer (`@tirami/shard`): the memory
 * it offers and the rate at which it reads weights while decoding. Both come from configuration
 * (`shard_memory_bytes`, `shard_throughput_bytes_per_s`); left at 0 they are found here:
 * - memory: the machine's free memory when each offer is built (`os.freemem()`);
 * - throughput: measured once, on first use, as this process's memory read rate — `Buffer.compare` of two
 *   equal 32 MiB buffers (a native memcmp that must read all 64 MiB, beyond typical CPU caches), best of
 *   three. Decoding is memory-bandwidth bound, so this is a proxy for the weight bytes per second a stage
 *   reads, not a measurement of llama.cpp itself; set `shard_throughput_bytes_per_s` to override it.
 * @module
 */
import { freemem } from "node:os";
import type { OfferCapacity } from "@tirami/proto";

/** Bytes of each probe buffer: past the last-level caches of common CPUs, small enough to allocate briefly. */
const PROBE_BUFFER_BYTES = 32 * 1_048_576;
/** Probe rounds; the best is kept (the others carry scheduling noise). */
const PROBE_ROUNDS = 3;

/** What the node advertises, with 0 meaning "find it out" (see the module comment). */
export interface CapacityOptions {
  memoryBytes: number;
  throughputBytesPerS: number;
}

/** Measures this process's memory read rate in bytes per second (see the module comment). */
export function measureReadBytesPerS(): number {
  const left = Buffer.alloc(PROBE_BUFFER_BYTES, 7);
  const right = Buffer.alloc(PROBE_BUFFER_BYTES, 7);
  let bestNs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < PROBE_ROUNDS; round++) {
    const start = process.hrtime.bigint();
    if (Buffer.compare(left, right) !== 0) throw new Error("probe buffers differ");
    bestNs = Math.min(bestNs, Number(process.hrtime.bigint() - start));
  }
  return Math.floor((2 * PROBE_BUFFER_BYTES * 1e9) / Math.max(1, bestNs));
}

/** The capacity this node advertises, configured or found out (the probe runs at most once). */
export function createCapacitySource(options: CapacityOptions): () => OfferCapacity {
  let measured: number | undefined;
  return () => {
    if (options.throughputBytesPerS === 0) measured ??= measureReadBytesPerS();
    return {
      memory_bytes: options.memoryBytes > 0 ? options.memoryBytes : freemem(),
      throughput_bytes_per_s:
        options.throughputBytesPerS > 0 ? options.throughputBytesPerS : (measured as number),
    };
  };
}
