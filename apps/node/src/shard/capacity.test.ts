/**
 * Proves the capacity a node advertises: configured values are used as given; left at 0, memory is the
 * machine's free memory and throughput a measured, positive read rate that is measured once and reused.
 */
import { totalmem } from "node:os";
import { describe, expect, it } from "vitest";
import { createCapacitySource } from "./capacity.js";

describe("capacity", () => {
  it("uses configured values as given", () => {
    const capacity = createCapacitySource({ memoryBytes: 123_456, throughputBytesPerS: 789 });
    expect(capacity()).toEqual({ memory_bytes: 123_456, throughput_bytes_per_s: 789 });
  });

  it("finds out what is left at 0, measuring the throughput once", () => {
    const capacity = createCapacitySource({ memoryBytes: 0, throughputBytesPerS: 0 });
    const first = capacity();
    expect(first.memory_bytes).toBeGreaterThan(0);
    expect(first.memory_bytes).toBeLessThanOrEqual(totalmem());
    expect(Number.isSafeInteger(first.throughput_bytes_per_s)).toBe(true);
    expect(first.throughput_bytes_per_s).toBeGreaterThan(0);
    expect(capacity().throughput_bytes_per_s).toBe(first.throughput_bytes_per_s);
  });
});
