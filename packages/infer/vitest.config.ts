import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "infer", include: ["src/**/*.test.ts"] },
});
