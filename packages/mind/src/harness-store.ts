/**
 * Harness versions in the mind's database: every version kept with its parent (lineage); numbers are
 * the rows' ids, so a version is never reused.
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";
import { LIST_LIMIT_MAX } from "./constants.js";
import { MindError, MindErrorCode } from "./errors.js";
import { type Harness, type HarnessSpec, specOf } from "./harness.js";

/** The harness half of the store. */
export interface HarnessStore {
  /** Adds a harness version (the next number); with `makeCurrent` it becomes the current one. */
  addVersion(spec: HarnessSpec, parent: number | null, options?: { makeCurrent?: boolean }): Harness;
  /** @throws {MindError} HARNESS_VERSION_NOT_FOUND. */
  version(version: number): Harness;
  versions(options?: { limit?: number; beforeVersion?: number }): Harness[];
}

/** The harness store over an open database. */
export function createHarnessStore(
  db: BetterSqlite3.Database,
  now: () => number,
  setCurrent: (version: number) => void,
): HarnessStore {
  const toHarness = (row: {
    version: number;
    parent_version: number | null;
    created_ms: number;
    spec: string;
  }): Harness => ({
    ...(JSON.parse(row.spec) as HarnessSpec),
    version: row.version,
    parent_version: row.parent_version,
    created_ms: row.created_ms,
  });
  const store: HarnessStore = {
    addVersion(spec, parent, addOptions = {}) {
      return db
        .transaction(() => {
          const info = db
            .prepare("INSERT INTO harness_versions (parent_version, created_ms, spec) VALUES (?, ?, ?)")
            .run(parent, now(), JSON.stringify(specOf(spec)));
          const version = Number(info.lastInsertRowid);
          if (addOptions.makeCurrent === true) setCurrent(version);
          return store.version(version);
        })
        .immediate();
    },
    version(version) {
      const row = db
        .prepare<
          [number],
          { version: number; parent_version: number | null; created_ms: number; spec: string }
        >("SELECT * FROM harness_versions WHERE version = ?")
        .get(version);
      if (row === undefined)
        throw new MindError(MindErrorCode.HARNESS_VERSION_NOT_FOUND, `no harness version ${version}`, {
          details: { version },
        });
      return toHarness(row);
    },
    versions(listOptions = {}) {
      const limit = Math.min(listOptions.limit ?? 100, LIST_LIMIT_MAX);
      return db
        .prepare<
          [number, number],
          { version: number; parent_version: number | null; created_ms: number; spec: string }
        >("SELECT * FROM harness_versions WHERE version < ? ORDER BY version DESC LIMIT ?")
        .all(listOptions.beforeVersion ?? Number.MAX_SAFE_INTEGER, limit)
        .map(toHarness);
    },
  };
  return store;
}
