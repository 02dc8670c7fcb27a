/**
 * One running node per home: `acquireHomeLock(home)` creates `$TIRAMI_HOME/node.lock` holding the
 * holder's pid and start time, before a node opens its databases or loads its model, so a second node on
 * the same home fails at once with `HomeInUseError` (HOME_IN_USE) naming the process that holds it —
 * instead of "database is locked" after a slow model load. A lock whose process is gone (a crash,
 * `kill -9`) is taken over. SQLite's exclusive lock on the ledger stays the last line of defence; this
 * lock makes the failure early and says who holds the home.
 * @module
 */
import { randomBytes } from "node:crypto";
import { closeSync, linkSync, openSync, readSync, renameSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { systemClock } from "./clock.js";
import { CoreErrorCode, TiramiError } from "./errors.js";
import { createSecretFile } from "./secret-file.js";

/** The lock file's name inside the home. */
export const HOME_LOCK_FILE = "node.lock";

/** A lock file is a short JSON line; anything longer was not written by `acquireHomeLock`. */
const LOCK_FILE_BYTES_MAX = 1_024;
/** Attempts to create the lock (each after removing a stale one); more means processes race for the home. */
const TAKEOVER_ATTEMPTS_MAX = 3;

/** The process holding a home, as its lock file says. */
export interface HomeLockHolder {
  /** Process id of the holder (alive when returned by `readHomeLock`). */
  readonly pid: number;
  /** When the holder took the lock, in Unix milliseconds. */
  readonly startedAtMs: number;
  /** The lock file. */
  readonly path: string;
}

/** A held home lock. */
export interface HomeLock {
  /** The lock file. */
  readonly path: string;
  /** This process's id, as written in the file. */
  readonly pid: number;
  /** Removes the lock file if it is still this holder's. Idempotent; never throws for a missing file. */
  release(): void;
}

/** Thrown when a live process already holds the home; `details` = `{ home, path, pid, started_at_ms }`. */
export class HomeInUseError extends TiramiError {
  override name = "HomeInUseError";
  constructor(home: string, holder: HomeLockHolder | undefined) {
    const who =
      holder === undefined
        ? ""
        : ` (pid ${holder.pid}, started ${new Date(holder.startedAtMs).toISOString()})`;
    super(CoreErrorCode.HOME_IN_USE, `${home} is in use by another node${who}; one node per home`, {
      details: {
        home,
        path: join(home, HOME_LOCK_FILE),
        pid: holder?.pid ?? null,
        started_at_ms: holder?.startedAtMs ?? null,
      },
    });
  }
}

/**
 * Takes the home lock for this process, creating the home (0700) if needed. The file is written in full
 * and then hard-linked into place, which fails when it exists (the same create-if-absent as the node
 * key), so no reader ever sees a half-written lock. A lock whose pid is not alive is taken over.
 * @throws {HomeInUseError} HOME_IN_USE when a live process (this one included) holds the home.
 * @example
 * const lock = acquireHomeLock(home); // before opening databases
 * try { … } finally { lock.release(); }
 */
export function acquireHomeLock(home: string): HomeLock {
  const path = join(home, HOME_LOCK_FILE);
  const text = `${JSON.stringify({ pid: process.pid, started_at_ms: systemClock.nowMs() })}\n`;
  for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS_MAX; attempt += 1) {
    if (createSecretFile(path, new TextEncoder().encode(text))) return heldLock(path, text);
    const seen = readLockText(path);
    if (seen === undefined) continue; // released between our attempt and the read: try again
    const holder = parseHolder(seen, path);
    if (holder !== undefined && isAlive(holder.pid)) throw new HomeInUseError(home, holder);
    removeStale(path, seen);
  }
  throw new HomeInUseError(home, readHomeLock(home));
}

/**
 * The live process holding `home`, or undefined when the home is free (no lock, or a stale one). For
 * read-only tools that must say who holds a home without taking it.
 */
export function readHomeLock(home: string): HomeLockHolder | undefined {
  const path = join(home, HOME_LOCK_FILE);
  const seen = readLockText(path);
  const holder = seen === undefined ? undefined : parseHolder(seen, path);
  return holder !== undefined && isAlive(holder.pid) ? holder : undefined;
}

function heldLock(path: string, text: string): HomeLock {
  let released = false;
  return {
    path,
    pid: process.pid,
    release() {
      if (released) return;
      released = true;
      // Only our own file: never remove a lock another process took over.
      if (readLockText(path) === text) unlinkIfPresent(path);
    },
  };
}

/** True when process `pid` exists: signal 0 checks without signalling; EPERM means it exists as another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

function parseHolder(text: string, path: string): HomeLockHolder | undefined {
  try {
    const parsed = JSON.parse(text) as { pid?: unknown; started_at_ms?: unknown };
    const { pid, started_at_ms: startedAtMs } = parsed;
    if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
    if (typeof startedAtMs !== "number" || !Number.isSafeInteger(startedAtMs)) return undefined;
    return { pid, startedAtMs, path };
  } catch {
    return undefined;
  }
}

/** The lock file's text (at most LOCK_FILE_BYTES_MAX + 1 bytes), or undefined when there is none. */
function readLockText(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(LOCK_FILE_BYTES_MAX + 1);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes a stale lock whose text was `seen`. Deleting by name could delete a fresh lock another process
 * took over meanwhile, so the file is first renamed aside (atomic) and checked: if it is not the stale
 * one after all, it is linked back.
 */
function removeStale(path: string, seen: string): void {
  const aside = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    if (readLockText(aside) !== seen) linkBack(aside, path);
  } finally {
    unlinkIfPresent(aside);
  }
}

function linkBack(aside: string, path: string): void {
  try {
    linkSync(aside, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
