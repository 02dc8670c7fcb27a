/**
 * @tirami/cli (apps) — the `tirami` command: runs a node, talks to one over HTTP, verifies the ledger.
 * The program is exported so tests and other tools can build and run it in-process.
 * @packageDocumentation
 */

/** The program. */
export { createProgram, VERSION } from "./program.js";
export { runCli } from "./run.js";
export { createRealDeps } from "./real-deps.js";
export type { CatalogModel, CliDeps, LedgerTools, ModelTools, NodeLauncher, RunningNode } from "./deps.js";

/** The HTTP client. */
export { createClient, type ClientOptions, type NodeClient } from "./client.js";
export { resolveToken, type ResolvedToken } from "./token.js";

/** Errors and exit codes. */
export { CliError, CliErrorCode, ExitCode } from "./errors.js";
