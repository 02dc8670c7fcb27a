/**
 * @tirami/test-kit — Tirami's private test kit, for tests and benches only (never product code): polling
 * waits, temporary directories that clean themselves up, the test models' location, and mesh topologies
 * over any node type. It depends on no workspace package, so every package's tests may use it, core's
 * included; dual-signed trade factories, which need core and proto, are in @tirami/test-trades.
 * @packageDocumentation
 */

/** Waiting. */
export {
  pause,
  WAIT_INTERVAL_MS_DEFAULT,
  WAIT_TIMEOUT_MS_DEFAULT,
  waitFor,
  waitForValue,
  type WaitOptions,
  WaitTimeoutError,
} from "./wait.js";

/** Temporary directories. */
export {
  createTempDir,
  suiteTempDir,
  suiteTempDirs,
  TEMP_DIR_PREFIX_DEFAULT,
  type TempDir,
  tempDir,
} from "./temp-dir.js";

/** Test models. */
export {
  LLAMA2_TINY_RANDOM_FILE,
  STORIES_260K_FILE,
  TEST_MODELS_DIR_ENV,
  testModelPath,
  testModelsDir,
} from "./models.js";

/** Topologies. */
export {
  type ConnectedOptions,
  connectTopology,
  type ConnectTopologyOptions,
  earlierNeighbours,
  lineTopology,
  randomTopology,
  seededRandom,
  starTopology,
  startTopology,
  type StartTopologyOptions,
  type Topology,
  TOPOLOGY_NODES_MAX,
  waitForEdges,
} from "./topology.js";

/** A Nostr relay on 127.0.0.1. */
export {
  NOSTR_RELAY_EVENTS_MAX,
  NOSTR_RELAY_FILTERS_MAX,
  NOSTR_RELAY_MESSAGE_BYTES_MAX,
  NOSTR_RELAY_SUBSCRIPTIONS_MAX,
  type NostrRelay,
  type NostrRelayOptions,
  startNostrRelay,
} from "./nostr-relay.js";
