import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "shard", include: ["src/**/*.test.ts"] },
});
