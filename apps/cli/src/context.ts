/**
 * What every command receives: the resolved global options, the output, a lazily created HTTP client
 * and the injected dependencies. Built once per invocation from commander's parsed values.
 * @module
 */
import type { Command } from "commander";
import { resolveHome } from "@tirami/core";
import { createClient, type NodeClient } from "./client.js";
import type { CliDeps } from "./deps.js";
import { type GlobalOptions, resolveGlobalOptions } from "./options.js";
import { colorEnabled, createOutput, type Output } from "./output.js";
import { type ResolvedToken, resolveToken } from "./token.js";

export interface CommandContext {
  options: GlobalOptions;
  out: Output;
  deps: CliDeps;
  /** The node home directory (`--home`, `$TIRAMI_HOME`, `~/.tirami`). */
  home: string;
  /** A client for `--url`; resolves the token on first use. `timeoutMs` overrides `--timeout-ms`. */
  client(timeoutMs?: number): NodeClient;
  /** The same context, talking to another node (e.g. one started in this process) with its token. */
  retarget(url: string, token: { value: string; filePath: string }): CommandContext;
}

/** Builds the context of the command being run. */
export function createContext(command: Command, deps: CliDeps): CommandContext {
  const parsed = command.optsWithGlobals();
  const options = resolveGlobalOptions(parsed, deps.env);
  // The token's origin matters for error messages, so only a real --api-token counts as the flag here;
  // `resolveToken` reads $TIRAMI_API_TOKEN and the token file itself.
  const flagToken = typeof parsed["apiToken"] === "string" ? parsed["apiToken"] : undefined;
  const out = createOutput({
    json: options.json,
    color: colorEnabled(deps.stdout, deps.env, options.color),
    stdout: deps.stdout,
    stderr: deps.stderr,
  });
  const home = resolveHome({ home: options.home, env: deps.env });
  return build({ options, out, deps, home, url: options.url, token: undefined, flagToken });
}

function build(base: {
  options: GlobalOptions;
  out: Output;
  deps: CliDeps;
  home: string;
  url: string;
  token: ResolvedToken | undefined;
  flagToken: string | undefined;
}): CommandContext {
  let token = base.token;
  const { options, out, deps, home } = base;
  return {
    options,
    out,
    deps,
    home,
    client(timeoutMs) {
      token ??= resolveToken({ flag: base.flagToken, home, env: deps.env });
      return createClient({ url: base.url, token, timeoutMs: timeoutMs ?? options.timeout_ms });
    },
    retarget(url, given) {
      return build({ ...base, url, token: { value: given.value, source: "flag", filePath: given.filePath } });
    },
  };
}
