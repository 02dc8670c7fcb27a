/**
 * Proves the home lock on real files and real processes: the first holder gets `node.lock` with its pid;
 * a second acquire — from this process or from another live one — fails with HOME_IN_USE naming the
 * holder's pid and the lock path; a lock left by a process that has exited is taken over; release
 * removes only the holder's own file, so the home can be locked again.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isTiramiError } from "./errors.js";
import { acquireHomeLock, HOME_LOCK_FILE, HomeInUseError, readHomeLock } from "./home-lock.js";

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "tirami-core-lock-"));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** The pid of a process that has already exited. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ["-e", ""]);
  if (pid === undefined) throw new Error("could not spawn a process");
  return pid;
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("home lock", () => {
  it("is taken once, names its holder to a second taker, and is free again after release", () => {
    const lock = acquireHomeLock(home);
    const path = join(home, HOME_LOCK_FILE);
    expect(lock).toMatchObject({ path, pid: process.pid });
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ pid: process.pid });
    expect(readHomeLock(home)).toMatchObject({ pid: process.pid, path });

    const error = catchError(() => acquireHomeLock(home));
    expect(error).toBeInstanceOf(HomeInUseError);
    expect(isTiramiError(error, "HOME_IN_USE")).toBe(true);
    expect((error as HomeInUseError).details).toMatchObject({ pid: process.pid, path, home });
    expect((error as Error).message).toContain(`in use by another node (pid ${process.pid}, started `);

    lock.release();
    lock.release(); // idempotent
    expect(existsSync(path)).toBe(false);
    expect(readHomeLock(home)).toBeUndefined();
    acquireHomeLock(home).release();
    // No temporary or set-aside files are left behind.
    expect(readdirSync(home)).toEqual([]);
  });

  it("refuses a home held by another live process, with that process's pid", async () => {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      const pid = child.pid ?? 0;
      writeFileSync(join(home, HOME_LOCK_FILE), `${JSON.stringify({ pid, started_at_ms: 1 })}\n`);
      const error = catchError(() => acquireHomeLock(home));
      expect((error as HomeInUseError).details).toMatchObject({ pid, started_at_ms: 1 });
      expect(readHomeLock(home)?.pid).toBe(pid);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
  });

  it("takes over a lock whose process is gone, and a lock file it cannot read", () => {
    const path = join(home, HOME_LOCK_FILE);
    writeFileSync(path, `${JSON.stringify({ pid: deadPid(), started_at_ms: 1 })}\n`);
    expect(readHomeLock(home)).toBeUndefined();
    const lock = acquireHomeLock(home);
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ pid: process.pid });
    lock.release();

    writeFileSync(path, "not a lock");
    acquireHomeLock(home).release();
    expect(readdirSync(home)).toEqual([]);
  });

  it("releases only its own file: a lock taken over by another holder stays", () => {
    const lock = acquireHomeLock(home);
    const other = `${JSON.stringify({ pid: process.pid, started_at_ms: 2 })}\n`;
    writeFileSync(lock.path, other);
    lock.release();
    expect(readFileSync(lock.path, "utf8")).toBe(other);
  });
});
