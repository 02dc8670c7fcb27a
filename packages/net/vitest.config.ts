import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "net", include: ["src/**/*.test.ts"] },
});
