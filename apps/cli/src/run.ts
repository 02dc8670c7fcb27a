/**
 * `runCli(argv, deps)`: parses, runs, and turns every outcome into an exit code — 0 on success, the
 * documented code of a `CliError` otherwise — printing one error line and one hint line on stderr (or a
 * JSON error object on stdout with `--json`). The only place errors are rendered.
 * @module
 */
import { CommanderError } from "commander";
import type { CliDeps } from "./deps.js";
import { ExitCode, toCliError } from "./errors.js";
import { colorEnabled, createColors } from "./output.js";
import { createProgram } from "./program.js";

const COMMANDER_SUCCESS = new Set(["commander.helpDisplayed", "commander.version", "commander.help"]);

/** Runs the CLI on `argv` (without the node and script paths) and resolves with the exit code. */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const program = createProgram(deps);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (COMMANDER_SUCCESS.has(error.code) || error.exitCode === 0) return ExitCode.OK;
      // commander already printed "error: …"; add the hint.
      deps.stderr.write("hint: see `tirami --help` or `tirami <command> --help`\n");
      return ExitCode.USAGE;
    }
    const cliError = toCliError(error);
    const json = argv.includes("--json");
    if (json) {
      deps.stdout.write(
        `${JSON.stringify({ error: { code: cliError.code, message: cliError.message, hint: cliError.hint ?? null, exit_code: cliError.exitCode, status: cliError.status ?? null } })}\n`,
      );
    }
    const colors = createColors(colorEnabled(deps.stderr, deps.env, !argv.includes("--no-color")));
    deps.stderr.write(`${colors.red("error:")} ${cliError.message}\n`);
    if (cliError.hint !== undefined) deps.stderr.write(`${colors.dim("hint:")} ${cliError.hint}\n`);
    if (deps.env["TIRAMI_DEBUG"] === "1" && cliError.cause instanceof Error)
      deps.stderr.write(`${cliError.cause.stack ?? ""}\n`);
    return cliError.exitCode;
  }
}
