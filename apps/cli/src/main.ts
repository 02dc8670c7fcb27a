/**
 * The `tirami` executable (loaded by the committed shim `bin/tirami.mjs`): runs the CLI on the real
 * process and exits with its code. Nothing else — except that a reader that goes away early
 * (`tirami status | head -3`) is not an error, for every command at once.
 * @module
 */
import { createRealDeps } from "./real-deps.js";
import { runCli } from "./run.js";

/**
 * A closed pipe on stdout or stderr (EPIPE) would otherwise be an unhandled 'error' event: a stack trace
 * and exit 1. The stream is then destroyed, so later writes are dropped silently and the command ends
 * with its own exit code — a node in this process still stops gracefully. Other stream errors still throw.
 */
function ignoreClosedReader(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}
ignoreClosedReader(process.stdout);
ignoreClosedReader(process.stderr);

const argv = process.argv.slice(2);
const code = await runCli(argv, await createRealDeps(argv));
process.exitCode = code;
// Commands that start nodes stop them before returning; anything still holding the loop is a leak we do not wait on.
setTimeout(() => process.exit(code), 50).unref();
