import { defineConfig } from "vitest/config";

/**
 * Runs every package's tests plus the repo-level checks (layer rule) in one `vitest run`, and then, alone
 * (its group runs after every other project has finished, so its processes have the machine to
 * themselves), the crash-safety soak: apps/node/soak, ~2 minutes (`--project soak` runs only it).
 */
export default defineConfig({
  test: {
    projects: [
      "packages/*",
      "apps/*",
      "tools/*",
      {
        test: {
          name: "repo",
          include: ["scripts/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "soak",
          include: ["apps/node/soak/**/*.soak.test.ts"],
          environment: "node",
          sequence: { groupOrder: 1 },
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
    ],
    reporters: ["default", "./scripts/summary-reporter.ts"],
  },
});
