import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "test-trades", include: ["src/**/*.test.ts"] },
});
