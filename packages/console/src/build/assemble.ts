/**
 * The last step of `pnpm run build`: gathers the compiled browser modules (`dist/client-modules`, from
 * `tsc -p src/client/tsconfig.json`) and the static files (`src/static`), names the set by the SHA-256 of
 * its contents and writes `dist/www/assets/<hash>/…` plus `dist/www/index.html` pointing at them. A new
 * build with any changed byte gets a new directory, so browsers may cache assets forever while the page is
 * revalidated on every load (`headers.ts`).
 * @module
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Marker in `src/static/index.html` replaced by the assets' URL prefix. */
const ASSETS_MARKER = "%ASSETS%";
/** Hex characters of the build hash in asset URLs (48 bits: collisions between builds do not matter). */
const HASH_HEX_CHARS = 12;

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const modulesDir = join(packageRoot, "dist", "client-modules");
const staticDir = join(packageRoot, "src", "static");
const outDir = join(packageRoot, "dist", "www");

function filesUnder(root: string, extension: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(extension)) out.push(join(entry.parentPath, entry.name));
  }
  return out.sort();
}

/** The asset set: URL path below the assets directory → bytes. */
function gather(): Map<string, Buffer> {
  const assets = new Map<string, Buffer>();
  for (const file of filesUnder(modulesDir, ".js"))
    assets.set(relative(modulesDir, file).split(sep).join("/"), readFileSync(file));
  for (const file of filesUnder(staticDir, ".css"))
    assets.set(relative(staticDir, file).split(sep).join("/"), readFileSync(file));
  if (!assets.has("main.js")) throw new Error(`no main.js in ${modulesDir}: did tsc -p src/client run?`);
  return assets;
}

function assemble(): void {
  const assets = gather();
  const hash = createHash("sha256");
  for (const [path, body] of assets) hash.update(`${path}\n${body.byteLength}\n`).update(body);
  const build = hash.digest("hex").slice(0, HASH_HEX_CHARS);
  rmSync(outDir, { recursive: true, force: true });
  for (const [path, body] of assets) {
    const target = join(outDir, "assets", build, ...path.split("/"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, body);
  }
  const page = readFileSync(join(staticDir, "index.html"), "utf8");
  if (!page.includes(ASSETS_MARKER)) throw new Error(`index.html has no ${ASSETS_MARKER} marker`);
  writeFileSync(join(outDir, "index.html"), page.replaceAll(ASSETS_MARKER, `/assets/${build}`));
  process.stdout.write(`console: ${assets.size} assets in dist/www/assets/${build}\n`);
}

assemble();
