import { defineConfig } from "vitest/config";

/** Runs every package's tests plus the repo-level checks (layer rule) in one `vitest run`. */
export default defineConfig({
  test: {
    projects: [
      "packages/*",
      "apps/*",
      {
        test: {
          name: "repo",
          include: ["scripts/**/*.test.ts"],
          environment: "node",
        },
      },
    ],
    reporters: ["default", "./scripts/summary-reporter.ts"],
  },
});
