/**
 * Temporary directories for tests (real SQLite files, key files, node homes), each removed by the
 * test or suite that made it: `tempDir` when the current test finishes (vitest's `onTestFinished`, so also
 * when it fails), `suiteTempDir` and `suiteTempDirs` after the current file or `describe` block
 * (`afterAll`), and `createTempDir` when the caller removes it itself (a bench, a child process's parent).
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, onTestFinished } from "vitest";

/** Prefix of a temporary directory's name unless the caller gives one. */
export const TEMP_DIR_PREFIX_DEFAULT = "tirami-test-";

const PREFIX_RE = /^[A-Za-z0-9._-]{1,64}$/;

/** A temporary directory and the way to remove it. */
export interface TempDir {
  /** Absolute path of the directory (under the OS temp dir). */
  readonly path: string;
  /** Removes the directory and everything in it; does nothing the second time. */
  remove(): void;
}

/**
 * Creates a fresh directory `<os temp>/<prefix>XXXXXX`. The caller removes it. Throws `TypeError` for a
 * prefix that is not 1–64 characters of `A-Za-z0-9._-` (a path separator would leave the temp dir).
 */
export function createTempDir(prefix = TEMP_DIR_PREFIX_DEFAULT): TempDir {
  if (!PREFIX_RE.test(prefix))
    throw new TypeError(`"prefix" expected 1-64 characters of A-Za-z0-9._-, got ${JSON.stringify(prefix)}`);
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/**
 * A fresh temporary directory removed when the current test finishes, pass or fail. Call it inside a test
 * or a `beforeEach` hook; anywhere else vitest throws and no directory is left behind.
 * @example
 * const ledger = openLedger({ path: join(tempDir("ledger-"), "ledger.db") });
 */
export function tempDir(prefix = TEMP_DIR_PREFIX_DEFAULT): string {
  let dir: TempDir | undefined;
  // Registered before the directory exists, so a call outside a test throws without leaving one behind.
  onTestFinished(() => dir?.remove());
  dir = createTempDir(prefix);
  return dir.path;
}

/**
 * A fresh temporary directory shared by every test of the current file or `describe` block, removed after
 * the last of them (`afterAll`). Call it at the top level of the file or block.
 */
export function suiteTempDir(prefix = TEMP_DIR_PREFIX_DEFAULT): string {
  const dir = createTempDir(prefix);
  afterAll(() => dir.remove());
  return dir.path;
}

/**
 * A maker of temporary directories for the current file or `describe` block: call `suiteTempDirs` at the
 * top level of the block (or of a helper module the test file imports), then the returned function anywhere
 * in it — in tests, `beforeAll` or helpers — for a fresh directory each time. All of them are removed after
 * the block's last test, in an `afterAll` registered when `suiteTempDirs` was called: since after-hooks run
 * last-registered first, that is after the block's own `afterAll` hooks have stopped what used the
 * directories (nodes, child processes).
 * @example
 * const tempDir = suiteTempDirs("tirami-cli-");
 * beforeAll(async () => (node = await startNode({ home: tempDir() })));
 */
export function suiteTempDirs(prefix = TEMP_DIR_PREFIX_DEFAULT): (prefix?: string) => string {
  const dirs: TempDir[] = [];
  afterAll(() => {
    for (const dir of dirs.splice(0)) dir.remove();
  });
  return (ownPrefix = prefix) => {
    const dir = createTempDir(ownPrefix);
    dirs.push(dir);
    return dir.path;
  };
}
