import { defineProject } from "vitest/config";

/**
 * The batch of seeds takes about a minute on a quiet two-core machine; the generous timeout keeps it from
 * failing on a loaded one (each simulation is bounded by its own quiescence limit, not by this).
 */
export default defineProject({
  test: { name: "sim", include: ["src/**/*.test.ts"], testTimeout: 600_000, hookTimeout: 30_000 },
});
