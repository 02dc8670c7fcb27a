/**
 * The layer rule checker. `layers.json` at the repo root lists layers bottom-up; a package may depend
 * only on packages in strictly lower layers (docs/architecture.md §1). This walks every workspace package's
 * package.json dependencies and every import in its source, benchmarks and tests, and reports each edge
 * that crosses the rule, each undeclared package, and each relative import that reaches into another
 * package's folder. Packages listed under `testOnly` (the private test kits) must be private, may be listed
 * only in `devDependencies`, and may be imported only from tests and benches, never from product source.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";

export interface LayerRules {
  layers: string[][];
  /** Private test kits: devDependencies only, imported from tests and benches only. */
  testOnly?: string[];
}

export interface Violation {
  pkg: string;
  where: string;
  message: string;
}

const WORKSPACE_DIRS = ["packages", "apps", "tools"];
const SOURCE_DIRS = ["src", "bench", "test"];
const DEPENDENCY_FIELDS = [
  "dependencies",
  "devDependencies",
  "peerDependencies",
  "optionalDependencies",
] as const;
/** Test files inside `src/`; everything else under `src/` is product source. */
const TEST_FILE_RE = /\.test\.[cm]?[jt]s$/;
const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']([^"']+)["']/g;

interface WorkspacePackage {
  name: string;
  dir: string;
  manifest: Record<string, unknown>;
}

function listPackages(root: string): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const group of WORKSPACE_DIRS) {
    const groupDir = join(root, group);
    let entries: string[];
    try {
      entries = readdirSync(groupDir);
    } catch {
      continue;
    }
    for (const entry of entries.sort()) {
      const dir = join(groupDir, entry);
      try {
        const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<
          string,
          unknown
        >;
        found.push({ name: String(manifest.name), dir, manifest });
      } catch {
        // A folder without package.json is not a workspace package.
      }
    }
  }
  return found;
}

function listSourceFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current)) {
      if (entry === "node_modules" || entry === "dist") continue;
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(?:ts|mts|cts|js|mjs|cjs)$/.test(entry)) files.push(path);
    }
  };
  for (const sub of SOURCE_DIRS) {
    try {
      if (statSync(join(dir, sub)).isDirectory()) walk(join(dir, sub));
    } catch {
      // No such folder in this package.
    }
  }
  return files;
}

/** The package name a specifier refers to, or null for node builtins and relative paths. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith(".") || specifier.startsWith("node:")) return null;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? null);
}

/** Checks the workspace at `root` against `rules`; returns every violation (empty when clean). */
export function checkLayers(rootDir: string, rules: LayerRules): Violation[] {
  const root = resolve(rootDir);
  const level = new Map<string, number>();
  rules.layers.forEach((names, index) => names.forEach((name) => level.set(name, index)));
  const packages = listPackages(root);
  const workspaceNames = new Set(packages.map((pkg) => pkg.name));
  const testOnly = new Set(rules.testOnly ?? []);
  const violations: Violation[] = [];

  /** An edge to a test-only package is allowed only where `allowed` says (tests, benches, devDependencies). */
  const checkTestOnly = (
    pkg: WorkspacePackage,
    target: string,
    where: string,
    allowed: boolean,
    rule: string,
  ): void => {
    if (allowed || !testOnly.has(target) || testOnly.has(pkg.name)) return;
    violations.push({ pkg: pkg.name, where, message: `${target} is test-only: ${rule}` });
  };

  const checkEdge = (pkg: WorkspacePackage, target: string, where: string): void => {
    if (target === pkg.name || !(workspaceNames.has(target) || level.has(target))) return;
    const from = level.get(pkg.name);
    const to = level.get(target);
    if (from === undefined || to === undefined) {
      violations.push({
        pkg: pkg.name,
        where,
        message: `edge to ${target}, which layers.json does not declare`,
      });
    } else if (to >= from) {
      violations.push({
        pkg: pkg.name,
        where,
        message: `${pkg.name} (layer ${from}) must not depend on ${target} (layer ${to})`,
      });
    }
  };

  for (const pkg of packages) {
    if (!level.has(pkg.name))
      violations.push({
        pkg: pkg.name,
        where: "layers.json",
        message: `${pkg.name} is not declared in layers.json`,
      });
    if (testOnly.has(pkg.name) && pkg.manifest.private !== true)
      violations.push({
        pkg: pkg.name,
        where: "package.json",
        message: `${pkg.name} is test-only and must be "private": true`,
      });
    for (const field of DEPENDENCY_FIELDS) {
      const deps = (pkg.manifest[field] ?? {}) as Record<string, string>;
      for (const dep of Object.keys(deps)) {
        checkEdge(pkg, dep, `package.json ${field}`);
        checkTestOnly(
          pkg,
          dep,
          `package.json ${field}`,
          field === "devDependencies",
          "list it in devDependencies",
        );
      }
    }
    for (const file of listSourceFiles(pkg.dir)) {
      const text = readFileSync(file, "utf8");
      const where = relative(root, file);
      const productSource = relative(pkg.dir, file).startsWith(`src${sep}`) && !TEST_FILE_RE.test(file);
      for (const match of text.matchAll(IMPORT_RE)) {
        const specifier = match[1] as string;
        if (specifier.startsWith(".")) {
          const target = resolve(file, "..", specifier);
          if (!target.startsWith(pkg.dir + sep)) {
            violations.push({
              pkg: pkg.name,
              where,
              message: `relative import "${specifier}" reaches outside ${relative(root, pkg.dir)}`,
            });
          }
          continue;
        }
        const target = packageOf(specifier);
        if (target === null) continue;
        checkEdge(pkg, target, where);
        checkTestOnly(
          pkg,
          target,
          where,
          !productSource,
          "import it from tests and benches, not product source",
        );
      }
    }
  }
  return violations;
}

/** Reads `layers.json` from `root`. */
export function readLayerRules(root: string): LayerRules {
  return JSON.parse(readFileSync(join(root, "layers.json"), "utf8")) as LayerRules;
}
