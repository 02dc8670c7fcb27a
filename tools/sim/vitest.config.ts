import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "sim", include: ["src/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 30_000 },
});
