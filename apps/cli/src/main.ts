/**
 * The `tirami` executable (loaded by the committed shim `bin/tirami.mjs`): runs the CLI on the real
 * process and exits with its code. Nothing else.
 * @module
 */
import { createRealDeps } from "./real-deps.js";
import { runCli } from "./run.js";

const argv = process.argv.slice(2);
const code = await runCli(argv, await createRealDeps(argv));
process.exitCode = code;
// Commands that start nodes stop them before returning; anything still holding the loop is a leak we do not wait on.
setTimeout(() => process.exit(code), 50).unref();
