/**
 * `tirami node` flags come from the node's own configuration table (@tirami/node `NODE_CONFIG_TABLE`):
 * every option there becomes a flag (`price_trm_per_token` → `--price-trm-per-token`), with its doc and
 * default, so a new node option is a new flag without touching the CLI. A few get the short upstream
 * spellings (docs/upstream.md §9: `-m/--model`, `-p/--port`, `--bind`); `home` and `api_token` are the global
 * `--home` and `--api-token`.
 * @module
 */
import type { ConfigOption, ConfigTable } from "@tirami/core";
import type { Command } from "commander";

/** Upstream spellings for some node options (the rest use the kebab-case key). */
const SPELLINGS: Readonly<Record<string, string>> = {
  model: "-m, --model <model>",
  api_port: "-p, --port <port>",
  api_bind: "--bind <address>",
  p2p_port: "--p2p-port <port>",
  bootstrap: "--bootstrap <multiaddr...>",
  threads: "-t, --threads <n>",
};

/** Node options that are global CLI options instead. */
const GLOBAL_KEYS = new Set(["home", "api_token"]);

function defaultFlag(key: string, option: ConfigOption): string {
  const long = `--${key.replaceAll("_", "-")}`;
  if (option.kind === "boolean") return long;
  if (option.kind === "list") return `${long} <value...>`;
  return `${long} <value>`;
}

function describe(option: ConfigOption): string {
  const extra = option.kind === "enum" ? ` (${option.values.join("|")})` : "";
  const fallback =
    option.default === undefined
      ? ""
      : ` [default: ${Array.isArray(option.default) ? option.default.join(",") : String(option.default)}]`;
  return `${option.doc.replace(/\.$/, "")}${extra}${fallback}`;
}

/** commander's attribute name for a flag spelling (`-p, --port <port>` → `port`). */
export function attributeOf(spelling: string): string {
  const long = /--([a-z0-9-]+)/.exec(spelling)?.[1] ?? "";
  return long.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** The flags of a node config table: config key → commander spelling. */
export function nodeFlagSpellings(table: ConfigTable): Map<string, string> {
  const spellings = new Map<string, string>();
  for (const [key, option] of Object.entries(table)) {
    if (GLOBAL_KEYS.has(key)) continue;
    spellings.set(key, SPELLINGS[key] ?? defaultFlag(key, option));
  }
  return spellings;
}

/** Adds one flag per node option to `command` (optionally leaving some out). */
export function addNodeFlags(command: Command, table: ConfigTable, omit: readonly string[] = []): Command {
  for (const [key, spelling] of nodeFlagSpellings(table)) {
    if (omit.includes(key)) continue;
    const option = table[key];
    if (option !== undefined) command.option(spelling, describe(option));
  }
  return command;
}

/**
 * The node config values given on the command line, by config key, plus the global `home` and
 * `api_token`. Absent flags are left out so the node's env/file/default layering applies.
 */
export function nodeFlagValues(
  table: ConfigTable,
  options: Record<string, unknown>,
  globals: { home: string | undefined; api_token: string | undefined },
): Record<string, unknown> {
  const flags: Record<string, unknown> = {};
  for (const [key, spelling] of nodeFlagSpellings(table)) {
    const value = options[attributeOf(spelling)];
    if (value !== undefined) flags[key] = value;
  }
  if (globals.home !== undefined) flags["home"] = globals.home;
  if (globals.api_token !== undefined) flags["api_token"] = globals.api_token;
  return flags;
}

/** The names in a commander spelling: `-p, --port <port>` → `["-p", "--port"]`. */
function namesOf(spelling: string): string[] {
  return spelling.split(/[\s,]+/).filter((part) => /^--?[a-zA-Z0-9]/.test(part));
}

/**
 * The name under which the flag `spelling` was typed in `argv` — `-p` for `-p 80` or `-p80`, `--port` for
 * `--port 80` or `--port=80`; the last occurrence wins, as in commander — else its long name.
 * @example typedFlag(["node", "-p", "abc"], "-p, --port <port>") // "-p"
 */
export function typedFlag(argv: readonly string[], spelling: string): string {
  const names = namesOf(spelling);
  let typed: string | undefined;
  for (const arg of argv) {
    if (arg === "--") break;
    const match = names.find((name) =>
      name.startsWith("--")
        ? arg === name || arg.startsWith(`${name}=`)
        : arg.startsWith(name) && !arg.startsWith("--"),
    );
    if (match !== undefined) typed = match;
  }
  return typed ?? names.at(-1) ?? spelling;
}

/**
 * How each node option's flag was typed in `argv`, by config key (`{ api_port: "-p" }`), for the node's
 * config loader to name in its errors; the global `home` and `api_token` included.
 */
export function nodeFlagNames(table: ConfigTable, argv: readonly string[]): Record<string, string> {
  const names: Record<string, string> = { home: "--home", api_token: "--api-token" };
  for (const [key, spelling] of nodeFlagSpellings(table)) names[key] = typedFlag(argv, spelling);
  return names;
}

/** True when the node build has the mesh options (`bootstrap`), i.e. can join other nodes. */
export function hasMesh(table: ConfigTable): boolean {
  return Object.hasOwn(table, "bootstrap");
}
