/**
 * The product draws some identifiers from `node:crypto`'s `randomBytes` with no source injected: loan
 * nonces inside lending's handshake, hold ids, safety grant ids. For the duration of a run the simulator
 * routes the synchronous `randomBytes(n)` to the run's seeded generator (and `syncBuiltinESMExports` makes
 * the ES-module bindings follow), so those ids — and the loan ids, leaves and roots that depend on them —
 * repeat with the seed. The original is restored when the run ends. docs/simulator.md lists this as a place
 * where the product should take a nonce source instead.
 * @module
 */
import { createRequire, syncBuiltinESMExports } from "node:module";
import type { Prng } from "./prng.js";

const require = createRequire(import.meta.url);
const crypto = require("node:crypto") as typeof import("node:crypto");

let installed = false;

/** Routes `randomBytes(n)` (synchronous form) to `rng` until the returned function is called. */
export function installSeededEntropy(rng: Prng): () => void {
  if (installed) throw new Error("seeded entropy is already installed: one simulation at a time per process");
  installed = true;
  const original = crypto.randomBytes;
  const seeded = ((size: number, callback?: unknown) => {
    if (callback !== undefined) return (original as (...args: unknown[]) => unknown)(size, callback);
    return Buffer.from(rng.bytes(size));
  }) as typeof crypto.randomBytes;
  crypto.randomBytes = seeded;
  syncBuiltinESMExports();
  return () => {
    crypto.randomBytes = original;
    syncBuiltinESMExports();
    installed = false;
  };
}
