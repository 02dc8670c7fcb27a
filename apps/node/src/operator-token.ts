/**
 * The operator token (docs/architecture.md §8): given in config (`api_token`), or created once at first start in
 * `$TIRAMI_HOME/api.token` (32 random bytes base64url, mode 0600, written atomically by core
 * `createSecretFile`) and read back on later starts (refused if group/other can read it).
 * @module
 */
import { join } from "node:path";
import { createSecretFile, fileExists, readSecretFile } from "@tirami/core";
import { generateToken } from "./tokens.js";

export const API_TOKEN_FILE = "api.token";

/** The operator token and where it came from. */
export interface OperatorToken {
  token: string;
  source: "config" | "file" | "created";
  /** The token file, when the token lives in one. */
  path: string | undefined;
}

/** Returns the configured token, else the one in `home/api.token`, creating that file on first start. */
export function loadOrCreateOperatorToken(home: string, configured: string | undefined): OperatorToken {
  if (configured !== undefined && configured !== "") {
    if (configured.length < 16) throw new RangeError("api_token must be at least 16 characters");
    return { token: configured, source: "config", path: undefined };
  }
  const path = join(home, API_TOKEN_FILE);
  if (!fileExists(path)) {
    const token = generateToken();
    if (createSecretFile(path, new TextEncoder().encode(`${token}\n`)))
      return { token, source: "created", path };
  }
  const token = new TextDecoder().decode(readSecretFile(path)).trim();
  if (token.length < 16) throw new RangeError(`${path} holds no usable token; delete it to create a new one`);
  return { token, source: "file", path };
}
