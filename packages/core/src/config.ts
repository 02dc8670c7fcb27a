/**
 * Layered configuration from one typed table: defaults < JSON file < environment < flags. Each option is
 * declared once — kind, bounds, default, doc — so the file, `TIRAMI_*` variables and CLI flags cannot
 * drift apart (the vitest `CLIOptions` idea). Every bad value is reported at once, with where it came from.
 * @module
 */
import { readFileSync } from "node:fs";
import { CoreErrorCode, TiramiError } from "./errors.js";

interface OptionBase {
  /** One sentence, with the unit. */
  doc: string;
}
export type ConfigOption =
  | (OptionBase & {
      kind: "string";
      default?: string;
      lengthMax?: number;
      /** Why the value is invalid (e.g. not an IP address), or undefined when it is valid. */
      check?: (value: string) => string | undefined;
    })
  | (OptionBase & { kind: "integer"; default?: number; min: number; max: number })
  | (OptionBase & { kind: "number"; default?: number; min: number; max: number })
  | (OptionBase & { kind: "boolean"; default?: boolean })
  | (OptionBase & {
      kind: "list";
      default?: readonly string[];
      itemsMax: number;
      /** Why one item is invalid (e.g. not a multiaddr), or undefined when it is valid. */
      itemCheck?: (item: string) => string | undefined;
    })
  | (OptionBase & { kind: "enum"; values: readonly string[]; default?: string });

export type ConfigTable = Record<string, ConfigOption>;

type ValueOfKind<O extends ConfigOption> = O extends { kind: "string" }
  ? string
  : O extends { kind: "integer" | "number" }
    ? number
    : O extends { kind: "boolean" }
      ? boolean
      : O extends { kind: "list" }
        ? string[]
        : O extends { kind: "enum"; values: readonly (infer V)[] }
          ? V
          : never;

/** The typed values of a table: options with a default are always present. */
export type ConfigValues<T extends ConfigTable> = {
  [K in keyof T]: T[K] extends { default: unknown } ? ValueOfKind<T[K]> : ValueOfKind<T[K]> | undefined;
};

export type ConfigOrigin = "default" | "file" | "env" | "flag";

export interface ConfigSources {
  /** Path of a JSON file whose keys are the table's keys. A missing file is skipped unless `fileRequired`. */
  file?: string | undefined;
  fileRequired?: boolean;
  /** Environment (default none). Option `api_port` is read from `${envPrefix}API_PORT`. */
  env?: Record<string, string | undefined>;
  /** Default `TIRAMI_`. */
  envPrefix?: string;
  /** Flag values by option key; `undefined` means "not given". Strings are parsed like env values. */
  flags?: Record<string, unknown>;
  /**
   * How each flag was typed, by option key (`{ api_port: "--port" }`), so errors name what the user
   * typed. Default `--<key with dashes>`.
   */
  flagNames?: Record<string, string>;
}

export interface LoadedConfig<T extends ConfigTable> {
  values: ConfigValues<T>;
  origins: Record<keyof T, ConfigOrigin>;
}

/** Thrown when configuration is invalid; `details.issues` lists every problem found. */
export class ConfigError extends TiramiError {
  override name = "ConfigError";
  constructor(issues: string[]) {
    super(CoreErrorCode.CONFIG_INVALID, `invalid configuration:\n  - ${issues.join("\n  - ")}`, {
      details: { issues },
    });
  }
}

/** The environment variable that sets `key`. */
export function envName(key: string, envPrefix = "TIRAMI_"): string {
  return `${envPrefix}${key.toUpperCase()}`;
}

function expected(option: ConfigOption): string {
  switch (option.kind) {
    case "string":
      return `a string of at most ${option.lengthMax ?? 4096} characters`;
    case "integer":
      return `an integer from ${option.min} to ${option.max}`;
    case "number":
      return `a number from ${option.min} to ${option.max}`;
    case "boolean":
      return "true or false";
    case "list":
      return `a list of at most ${option.itemsMax} strings (comma-separated in env)`;
    case "enum":
      return `one of ${option.values.join(", ")}`;
  }
}

/** Parses a value from any source; returns undefined when it does not fit. Strings come from env/flags. */
function coerce(option: ConfigOption, raw: unknown): unknown {
  switch (option.kind) {
    case "string":
      return typeof raw === "string" && raw.length <= (option.lengthMax ?? 4096) ? raw : undefined;
    case "integer":
    case "number": {
      const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
      if (typeof value !== "number" || !Number.isFinite(value)) return undefined;
      if (option.kind === "integer" && !Number.isSafeInteger(value)) return undefined;
      return value >= option.min && value <= option.max ? value : undefined;
    }
    case "boolean":
      if (typeof raw === "boolean") return raw;
      if (raw === "true" || raw === "1") return true;
      if (raw === "false" || raw === "0") return false;
      return undefined;
    case "list": {
      const list =
        typeof raw === "string"
          ? raw
              .split(",")
              .map((item) => item.trim())
              .filter((item) => item !== "")
          : raw;
      if (!Array.isArray(list) || list.length > option.itemsMax) return undefined;
      return list.every((item) => typeof item === "string" && item.length <= 4096) ? [...list] : undefined;
    }
    case "enum":
      return typeof raw === "string" && option.values.includes(raw) ? raw : undefined;
  }
}

/**
 * The problems an option's own check finds — a string option's `check`, a list option's `itemCheck` on
 * each item — joined; undefined when there are none.
 */
function valueProblems(option: ConfigOption, value: unknown): string | undefined {
  if (option.kind === "string") return option.check?.(value as string);
  if (option.kind !== "list" || option.itemCheck === undefined) return undefined;
  const check = option.itemCheck;
  const problems = (value as string[]).map((item) => check(item)).filter((p) => p !== undefined);
  return problems.length === 0 ? undefined : problems.join("; ");
}

function readJsonFile(path: string, required: boolean, issues: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !required) return {};
    issues.push(`cannot read config file ${path}: ${(error as Error).message}`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
    issues.push(`config file ${path} must hold a JSON object`);
  } catch (error) {
    issues.push(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return {};
}

/**
 * Loads configuration for `table` from `sources`. Throws `ConfigError` (code `CONFIG_INVALID`) listing
 * every invalid value and every unknown key in the file.
 * @example
 * const table = { api_port: { kind: "integer", min: 0, max: 65_535, default: 3000, doc: "HTTP port" } } as const;
 * const { values } = loadConfig(table, { env: process.env, flags: { api_port: "8080" } });
 */
export function loadConfig<T extends ConfigTable>(table: T, sources: ConfigSources = {}): LoadedConfig<T> {
  const issues: string[] = [];
  const file =
    sources.file === undefined ? {} : readJsonFile(sources.file, sources.fileRequired ?? false, issues);
  for (const key of Object.keys(file)) {
    if (!Object.hasOwn(table, key)) issues.push(`unknown key "${key}" in ${sources.file}`);
  }
  const values: Record<string, unknown> = {};
  const origins: Record<string, ConfigOrigin> = {};
  for (const [key, option] of Object.entries(table)) {
    const env = sources.env?.[envName(key, sources.envPrefix)];
    const flag = sources.flags?.[key];
    const [origin, raw, where] =
      flag !== undefined
        ? (["flag", flag, `flag ${sources.flagNames?.[key] ?? `--${key.replaceAll("_", "-")}`}`] as const)
        : env !== undefined && env !== ""
          ? (["env", env, `env ${envName(key, sources.envPrefix)}`] as const)
          : Object.hasOwn(file, key)
            ? (["file", file[key], `file ${sources.file}`] as const)
            : (["default", option.default, "default"] as const);
    origins[key] = origin;
    if (raw === undefined) continue;
    const value = coerce(option, raw);
    const problem = value === undefined ? `expected ${expected(option)}` : valueProblems(option, value);
    if (problem === undefined) values[key] = value;
    else issues.push(`${key} = ${JSON.stringify(raw)} (from ${where}): ${problem}`);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { values: values as ConfigValues<T>, origins: origins as Record<keyof T, ConfigOrigin> };
}
