/**
 * Proves the layer rule holds for this repository, and that the checker really catches each kind of
 * forbidden edge (test-only packages included), using a fixture workspace (scripts/fixtures/layers-bad)
 * that breaks the rule on purpose.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkLayers, readLayerRules } from "./layers.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

describe("layer rule", () => {
  it("holds for every package.json and import in this repository", () => {
    expect(checkLayers(root, readLayerRules(root))).toEqual([]);
  });

  it("catches every kind of forbidden edge in a fixture that breaks the rule", () => {
    const fixture = join(root, "scripts", "fixtures", "layers-bad");
    const found = checkLayers(fixture, readLayerRules(fixture)).map((v) => `${v.where}: ${v.message}`);
    expect(found).toEqual([
      // An import of a higher layer from source, with no package.json edge.
      "packages/core/src/index.ts: @tirami/core (layer 1) must not depend on @tirami/ledger (layer 3)",
      // A test-only package imported from product source (its devDependency is fine).
      "packages/core/src/index.ts: @tirami/kit is test-only: import it from tests and benches, not product source",
      // A dynamic import within the same layer (infer's test and bench may import the kit).
      "packages/infer/src/index.ts: @tirami/infer (layer 2) must not depend on @tirami/proto (layer 2)",
      // A test-only package that is not private.
      'package.json: @tirami/kit is test-only and must be "private": true',
      // A test-only package listed as a runtime dependency.
      "package.json dependencies: @tirami/kit is test-only: list it in devDependencies",
      // An upward dependency declared in package.json.
      "package.json dependencies: @tirami/proto (layer 2) must not depend on @tirami/ledger (layer 3)",
      // A relative path that reaches into another package's folder.
      'packages/proto/src/index.ts: relative import "../../ledger/src/index.js" reaches outside packages/proto',
      // A package nobody placed in a layer, and its edges.
      "layers.json: @tirami/stray is not declared in layers.json",
      "package.json dependencies: edge to @tirami/core, which layers.json does not declare",
    ]);
  });
});
