/**
 * Finds the bearer token the CLI sends: `--api-token`, then `$TIRAMI_API_TOKEN`, then the operator token
 * file `$TIRAMI_HOME/api.token` the node writes at first start (mode 0600, docs/architecture.md §8). Where it came
 * from is kept so an auth error can say which token was refused and where the right one lives.
 * @module
 */
import { join } from "node:path";
import { fileExists, readSecretFile, resolveHome } from "@tirami/core";
import { TOKEN_ENV, TOKEN_FILE } from "./constants.js";
import { CliError, ExitCode } from "./errors.js";

/** A token and its origin; `value` is undefined when none was found. */
export interface ResolvedToken {
  value: string | undefined;
  source: "flag" | "env" | "file" | "none";
  /** The operator token file that was (or would have been) read. */
  filePath: string;
}

/** The operator token file of a home directory. */
export function tokenFilePath(home: string | undefined, env: NodeJS.ProcessEnv): string {
  return join(resolveHome({ home, env }), TOKEN_FILE);
}

/**
 * Resolves the token. A token file that exists but is readable by others is refused with a fix-it hint
 * (core `readSecretFile`), never silently used.
 * @throws {CliError} TOKEN_MISSING (exit 4) when the file exists but cannot be used.
 */
export function resolveToken(options: {
  flag?: string | undefined;
  home?: string | undefined;
  env: NodeJS.ProcessEnv;
}): ResolvedToken {
  const filePath = tokenFilePath(options.home, options.env);
  if (options.flag !== undefined && options.flag !== "")
    return { value: options.flag, source: "flag", filePath };
  const fromEnv = options.env[TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return { value: fromEnv, source: "env", filePath };
  if (!fileExists(filePath)) return { value: undefined, source: "none", filePath };
  try {
    const value = Buffer.from(readSecretFile(filePath)).toString("utf8").trim();
    return value === ""
      ? { value: undefined, source: "none", filePath }
      : { value, source: "file", filePath };
  } catch (error) {
    throw new CliError(
      "TOKEN_MISSING",
      ExitCode.AUTH,
      `cannot read the token file ${filePath}: ${(error as Error).message}`,
      {
        cause: error,
        hint: `fix the file (chmod 600 ${filePath}) or pass --api-token`,
      },
    );
  }
}

/** Where the token came from, for messages. */
export function describeTokenSource(token: ResolvedToken): string {
  switch (token.source) {
    case "flag":
      return "--api-token";
    case "env":
      return `$${TOKEN_ENV}`;
    case "file":
      return token.filePath;
    case "none":
      return "no token";
  }
}
