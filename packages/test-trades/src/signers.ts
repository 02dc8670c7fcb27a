/**
 * Signers for tests: throwaway keys from the OS random source, and labelled keys whose seed is derived from
 * a label, so a test, its child process and a bench that say `signerFor("alice")` all get the same account.
 * @module
 */
import { createHash } from "node:crypto";
import { createSigner, generateSeed, type Signer } from "@tirami/core";

/** Domain of a labelled key's seed: `seed = SHA-256("tirami-test/" + label)`. */
const LABEL_SEED_DOMAIN = "tirami-test/";

/** A fresh throwaway key (random seed). */
export function newSigner(): Signer {
  return createSigner(generateSeed());
}

/** The key of `label` (seed = SHA-256 of the label): the same account on every run and in every process. */
export function signerFor(label: string): Signer {
  return createSigner(
    new Uint8Array(
      createHash("sha256")
        .update(LABEL_SEED_DOMAIN + label)
        .digest(),
    ),
  );
}
