/**
 * The narrow interfaces the commands use from the outside world and the libraries below them — exactly
 * the calls made. `real-deps.ts` wires the real @tirami packages and the process; tests pass
 * real parts too, with their own streams and environment.
 * @module
 */
import type { ConfigTable } from "@tirami/core";
import type { Sink } from "./output.js";

/** A node started in this process (`tirami node`, `start`, `seed`, `worker`, `demo`). */
export interface RunningNode {
  /** The node's account id (64 hex), also its libp2p identity. */
  readonly nodeId: string;
  /** Base URL of its HTTP API. */
  readonly apiUrl: string;
  /** The operator token file. */
  readonly tokenPath: string;
  /** The operator token itself, for in-process callers. */
  readonly token: string;
  /** libp2p multiaddrs it listens on (empty when the mesh is off). */
  readonly multiaddrs: readonly string[];
  /** The model it serves, or undefined for a model-less node. */
  readonly model: string | undefined;
  /** Stops the HTTP server, the mesh and the engine; closes the databases. */
  stop(): Promise<void>;
}

/** What a node is started with. */
export interface NodeStartOptions {
  /** Values by config key (strings or typed), layered over the env and `$TIRAMI_HOME/config.json`. */
  flags: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  /** How the user typed each flag, by config key (`{ api_port: "-p" }`), so errors name it so. */
  flagNames?: Record<string, string> | undefined;
}

/** Starts nodes through @tirami/node's programmatic API. */
export interface NodeLauncher {
  /** The node's option table: `tirami node` derives its flags from it. */
  readonly configTable: ConfigTable;
  /**
   * Checks a start without creating anything: the whole configuration, and that no live node holds the
   * home — so a bad flag or a busy home fails before a model download or the home is created.
   * @throws core ConfigError (CONFIG_INVALID), core HomeInUseError (HOME_IN_USE).
   */
  check(options: NodeStartOptions): Promise<void>;
  /** Starts a node (the node itself takes the home lock before it opens or loads anything). */
  start(options: NodeStartOptions): Promise<RunningNode>;
}

/** Receives download progress for one model file. */
export interface DownloadProgressSink {
  onProgress(progress: { downloadedBytes: number; totalBytes: number }): void;
  stop(): void;
}

/** A ledger verification report, as @tirami/ledger's `verify()` returns it. */
export interface VerifyReportLike {
  ok: boolean;
  issues: readonly { kind: string; message: string; trade_id?: string; account_id?: string }[];
  issue_count: number;
  counts: Record<string, number>;
  totals: Record<string, number>;
  root: string;
}

/** The ledger calls the CLI makes directly on a database file. */
export interface LedgerTools {
  /** Opens the ledger at `path`, runs the full audit, closes it. */
  verifyFile(path: string): Promise<VerifyReportLike>;
  /**
   * Checks a signed trade as served by a node (fields, trade_id, both signatures) and returns its RFC 9162
   * leaf hash computed here from its canonical bytes, or why it does not verify.
   */
  tradeLeaf(signed: unknown): Promise<{ ok: true; leafHash: Uint8Array } | { ok: false; failure: string }>;
  /** RFC 9162 inclusion check (ledger's standalone `verifyInclusion`). */
  verifyInclusion(check: {
    leafHash: Uint8Array;
    index: number;
    treeSize: number;
    proof: Uint8Array[];
    root: Uint8Array;
  }): Promise<boolean>;
}

/** One model of the built-in catalog. */
export interface CatalogModel {
  name: string;
  repo: string;
  file: string;
  approx_size_mb: number;
}

/** Model catalog and resolution (@tirami/infer). */
export interface ModelTools {
  /** The built-in catalog and its default entry's name. */
  catalog(): Promise<{ models: readonly CatalogModel[]; defaultModel: string }>;
  /** Resolves a name/path/URI to a local file, downloading with progress when needed. */
  resolve(
    input: string,
    options: { modelsDir: string; progress?: DownloadProgressSink | undefined },
  ): Promise<{ path: string; source: string }>;
  /** A progress bar on stderr (drawn only on a TTY). */
  progressBar(label: string): Promise<DownloadProgressSink>;
}

/** Everything a `tirami` invocation needs from outside. */
export interface CliDeps {
  /** The arguments as typed (without the node and script paths), so errors name flags as given. */
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdout: Sink;
  stderr: Sink;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  nodes: NodeLauncher;
  ledger: LedgerTools;
  models: ModelTools;
  /** Calls `handler` once on SIGINT or SIGTERM; returns a function that removes it. */
  onShutdownSignal(handler: (signal: string) => void): () => void;
}
