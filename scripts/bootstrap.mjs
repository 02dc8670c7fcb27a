#!/usr/bin/env node
/**
 * The README's two commands (`npm start`, `npm test`) land here. It needs only Node >= 20.19 and npm:
 * it finds pnpm 10 (or runs the pinned one through npx), installs from the lockfile when node_modules is
 * missing or older than the lockfile, builds, and then runs the job.
 *
 *   node scripts/bootstrap.mjs start [args…]   the main job: `tirami demo` (a three-node paid mesh on 127.0.0.1)
 *   node scripts/bootstrap.mjs test            type check, format check, every test; ends `N passed, N failed`
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PNPM_VERSION = "10.34.9";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [job = "test", ...rest] = process.argv.slice(2);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function must(command, args, what) {
  const status = run(command, args);
  if (status !== 0) {
    console.error(`\n✖ ${what} failed (exit ${status}).`);
    process.exit(status);
  }
}

/** pnpm 11 crashes on Node 20 and 12 ignores onlyBuiltDependencies, so only a 10.x on PATH will do. */
function findPnpm() {
  const probe = spawnSync("pnpm", ["--version"], { cwd: root, encoding: "utf8" });
  if (probe.status === 0 && probe.stdout.trim().startsWith("10.")) return ["pnpm", []];
  return ["npx", ["-y", `pnpm@${PNPM_VERSION}`]];
}

function needsInstall() {
  const marker = join(root, "node_modules", ".modules.yaml");
  if (!existsSync(marker)) return true;
  return statSync(join(root, "pnpm-lock.yaml")).mtimeMs > statSync(marker).mtimeMs;
}

const [pnpm, pnpmArgs] = findPnpm();
const pn = (args, what) => must(pnpm, [...pnpmArgs, ...args], what);

if (needsInstall()) pn(["install", "--frozen-lockfile"], "install");
pn(["run", "build"], "build");

if (job === "test") {
  pn(["run", "typecheck"], "type check");
  pn(["run", "lint"], "format check (run `npm run format` to fix)");
  process.exit(run(pnpm, [...pnpmArgs, "exec", "vitest", "run", ...rest]));
} else if (job === "start") {
  process.exit(run(process.execPath, [join(root, "apps", "cli", "bin", "tirami.mjs"), "demo", ...rest]));
} else {
  console.error(`unknown job "${job}": use "start" or "test"`);
  process.exit(2);
}
