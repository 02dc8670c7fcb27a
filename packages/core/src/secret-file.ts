/**
 * Owner-only files for secrets (the node key, API tokens): created atomically with mode 0600 and
 * refused on read when anyone but the owner could read them.
 * @module
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname, join, basename } from "node:path";
import { CoreErrorCode, TiramiError } from "./errors.js";

/** Thrown when a secret file is readable or writable by group or others. */
export class SecretFilePermissionsError extends TiramiError {
  override name = "SecretFilePermissionsError";
  constructor(path: string, mode: number) {
    const octal = (mode & 0o777).toString(8).padStart(3, "0");
    super(
      CoreErrorCode.KEY_FILE_PERMISSIONS,
      `${path} has mode 0${octal}; it must be 0600 or stricter. Fix with: chmod 600 ${path}`,
      {
        details: { path, mode: `0${octal}` },
      },
    );
  }
}

/**
 * Writes `contents` to `path` atomically with mode 0600: a temporary file in the same directory is
 * written and fsynced, then hard-linked into place, which fails if `path` already exists — so two
 * processes racing to create a key never overwrite each other. Returns false if `path` already existed.
 */
export function createSecretFile(path: string, contents: Uint8Array): boolean {
  const directory = dirname(path);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const temporary = join(
    directory,
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`,
  );
  const fd = openSync(temporary, "wx", 0o600);
  try {
    writeSync(fd, contents);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(temporary);
    syncDirectory(directory);
  }
}

function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, "r");
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the link itself is already durable there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads a secret file after checking that only its owner can read or write it. */
export function readSecretFile(path: string): Uint8Array {
  const stat = statSync(path);
  if (process.platform !== "win32" && (stat.mode & 0o077) !== 0)
    throw new SecretFilePermissionsError(path, stat.mode);
  return new Uint8Array(readFileSync(path));
}

/** True when `path` exists. */
export function fileExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
