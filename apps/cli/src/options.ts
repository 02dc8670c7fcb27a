/**
 * The global options of every `tirami` command, declared once: kind, bounds, default and doc come from
 * one typed table read by core `loadConfig` (flags > `TIRAMI_*` environment > defaults), and the flag
 * spellings come from a mapped type that requires one entry per table key — so a flag, its variable and
 * its default cannot drift apart.
 * @module
 */
import { type ConfigValues, loadConfig } from "@tirami/core";
import { REQUEST_TIMEOUT_MS_DEFAULT, URL_DEFAULT } from "./constants.js";

/** Every global option, with its unit and default. The environment variable is `TIRAMI_<KEY>`. */
export const GLOBAL_OPTION_TABLE = {
  url: { kind: "string", default: URL_DEFAULT, lengthMax: 2_048, doc: "URL of the node's HTTP API" },
  api_token: {
    kind: "string",
    lengthMax: 512,
    doc: "bearer token; by default the operator token in $TIRAMI_HOME/api.token",
  },
  home: {
    kind: "string",
    lengthMax: 1_024,
    doc: "node home directory: key, token, ledger, models (~/.tirami)",
  },
  timeout_ms: {
    kind: "integer",
    default: REQUEST_TIMEOUT_MS_DEFAULT,
    min: 100,
    max: 3_600_000,
    doc: "timeout of one API call, in milliseconds",
  },
  json: { kind: "boolean", default: false, doc: "print machine-readable JSON on stdout" },
  color: {
    kind: "boolean",
    default: true,
    doc: "no colours (they are used only on a TTY, and never with NO_COLOR)",
  },
} as const;

export type GlobalOptions = ConfigValues<typeof GLOBAL_OPTION_TABLE>;

/** How each option is spelled on the command line. Every key of the table must appear. */
export const GLOBAL_FLAGS: { readonly [K in keyof typeof GLOBAL_OPTION_TABLE]: string } = {
  url: "--url <url>",
  api_token: "--api-token <token>",
  home: "--home <dir>",
  timeout_ms: "--timeout-ms <ms>",
  json: "--json",
  color: "--no-color",
};

/** The commander attribute name of an option key (`api_token` → `apiToken`). */
export function attributeName(key: string): string {
  return key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * Resolves the global options from commander's parsed values and the environment.
 * @throws core ConfigError (CONFIG_INVALID, exit 2) naming every bad value and where it came from.
 */
export function resolveGlobalOptions(parsed: Record<string, unknown>, env: NodeJS.ProcessEnv): GlobalOptions {
  const flags: Record<string, unknown> = {};
  for (const key of Object.keys(GLOBAL_OPTION_TABLE)) {
    const value = parsed[attributeName(key)];
    // commander reports `color: true` for an absent --no-color; only a given flag overrides the env.
    if (key === "color" ? value === false : value !== undefined) flags[key] = value;
  }
  return loadConfig(GLOBAL_OPTION_TABLE, { env, flags }).values;
}
