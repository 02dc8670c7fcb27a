/**
 * The agents this node registered in the agora, kept across restarts in `$TIRAMI_HOME/agora-agents.json`
 * (mode 0600, replaced atomically by a rename): what the operator registered, not the signed profiles —
 * those are signed afresh at each start. An entry that no longer passes the register schema is skipped
 * with a warning, never trusted.
 * @module
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProfileSpec } from "@tirami/agora";
import type { Logger } from "pino";
import { AGORA_AGENTS_MAX, agoraRegisterSchema } from "@tirami/client";

export const AGORA_AGENTS_FILE = "agora-agents.json";

/** The registered agents saved in `home` (none when the file is absent or unreadable). */
export function loadAgoraAgents(home: string, logger: Logger): ProfileSpec[] {
  const path = join(home, AGORA_AGENTS_FILE);
  if (!existsSync(path)) return [];
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch (error) {
    logger.warn({ err: error, path }, "the agora agents file is not JSON; no agent re-registered");
    return [];
  }
  if (!Array.isArray(entries)) return [];
  const out: ProfileSpec[] = [];
  for (const entry of entries.slice(0, AGORA_AGENTS_MAX)) {
    const parsed = agoraRegisterSchema.safeParse(entry);
    if (parsed.success) out.push(parsed.data);
    else logger.warn({ path }, "skipped an invalid entry of the agora agents file");
  }
  return out;
}

/** Saves what is registered (atomically). */
export function saveAgoraAgents(home: string, specs: readonly ProfileSpec[]): void {
  const path = join(home, AGORA_AGENTS_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(specs, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}
