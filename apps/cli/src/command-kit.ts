/**
 * Glue between commander and the commands: `defineAction` builds the context for the command being run
 * and passes it with the positional arguments and the command's own options.
 * @module
 */
import type { Command } from "commander";
import { type CommandContext, createContext } from "./context.js";
import type { CliDeps } from "./deps.js";

/** A command body: context, then positional arguments, then the command's options. */
export type CommandBody = (
  ctx: CommandContext,
  args: unknown[],
  options: Record<string, unknown>,
) => Promise<void>;

/** Wraps `body` as a commander action for `deps`. */
export function defineAction(deps: CliDeps, body: CommandBody): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const options = args.at(-2) as Record<string, unknown>;
    await body(createContext(command, deps), args.slice(0, -2), options);
  };
}
