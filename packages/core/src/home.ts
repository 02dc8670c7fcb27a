/**
 * The node's home directory (`$TIRAMI_HOME`, default `~/.tirami`), which holds its key, token, database
 * and models (docs/architecture.md §2).
 * @module
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export const HOME_ENV = "TIRAMI_HOME";
export const NODE_KEY_FILE = "node.key";

/** Resolves the home directory: an explicit path wins, then `$TIRAMI_HOME`, then `~/.tirami`. */
export function resolveHome(options: { home?: string | undefined; env?: NodeJS.ProcessEnv } = {}): string {
  const env = options.env ?? process.env;
  if (options.home !== undefined && options.home !== "") return resolve(options.home);
  const fromEnv = env[HOME_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return resolve(fromEnv);
  return join(homedir(), ".tirami");
}
