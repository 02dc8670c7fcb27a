/**
 * Opens the node's SQLite file with the settings the ledger relies on, then migrates it.
 * @module
 */
import Database from "better-sqlite3";
import { BUSY_TIMEOUT_MS, CACHE_SIZE_KIB, WAL_AUTOCHECKPOINT_PAGES } from "../constants.js";
import { applyMigrations, type Migration } from "./migration.js";

/** How hard a commit waits for the disk. */
export type SynchronousMode = "full" | "normal";

export interface OpenDatabaseOptions {
  /** File path, or ":memory:" for a private in-memory database (tests). */
  path: string;
  synchronous: SynchronousMode;
  /** Hold the file lock for the connection's lifetime (see `openDatabase`). */
  exclusive: boolean;
  migrations: readonly Migration[];
}

/**
 * Opens and migrates the database.
 *
 * Journal mode is WAL: readers never block the writer, and a commit appends to the WAL file instead of
 * rewriting pages. `synchronous`:
 * - `"normal"` (default): in WAL mode a COMMIT writes its frames to the WAL through the OS before it
 *   returns, but fsyncs only at checkpoints. A process crash (kill -9, OOM, panic) loses nothing that was
 *   acknowledged, because the OS still holds the written frames; an OS crash or power cut may roll back
 *   the last few commits, never corrupt the file. Trades are dual-signed facts that gossip re-delivers,
 *   so a lost tail after power loss is re-applied, while an fsync per trade would cap ingest at the disk's
 *   fsync rate (STACK: ingest must keep up with signature verification).
 * - `"full"`: fsync the WAL at every commit; survives power loss too, at the disk's fsync rate.
 */
export function openDatabase(options: OpenDatabaseOptions): Database.Database {
  const db = new Database(options.path);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (options.path !== ":memory:") db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
    db.pragma("foreign_keys = ON");
    // Savepoints (a trade inside a batch, a service call inside a trade) journal the pages they touch;
    // in memory that costs no temp-file I/O. The sub-journals are bounded by one transaction's pages.
    db.pragma("temp_store = MEMORY");
    // Exclusive: the node owns its ledger file. The lock is taken once instead of per transaction
    // (~8 fcntl calls saved per trade) and the WAL index lives in process memory instead of the -shm
    // file; a second process opening the same file fails with SQLITE_BUSY rather than interleaving.
    if (options.exclusive) db.pragma("locking_mode = EXCLUSIVE");
    // A checkpoint copies WAL pages into the database and fsyncs; see WAL_AUTOCHECKPOINT_PAGES.
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    db.pragma(`cache_size = -${CACHE_SIZE_KIB}`);
    applyMigrations(db, options.migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
