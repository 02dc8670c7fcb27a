/**
 * Proves the built console (run after `pnpm run build`) is servable offline and cached correctly: the
 * page is revalidated and every asset it names exists under a content-hashed directory marked immutable,
 * with the right content type; every module import is relative and resolves to a built asset (nothing
 * is loaded from another origin); and a missing build or a stray file is refused with its code.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "@tirami/test-kit";
import { CACHE_IMMUTABLE, CACHE_REVALIDATE, CONSOLE_CSP, ConsoleErrorCode, loadConsole } from "./index.js";

describe("the built console", () => {
  const assets = loadConsole();
  const page = assets.get("/");
  const html = new TextDecoder().decode(page?.body);

  it("serves the page revalidated and its assets immutable with their content types", () => {
    expect(page?.contentType).toBe("text/html; charset=utf-8");
    expect(page?.cacheControl).toBe(CACHE_REVALIDATE);
    expect(assets.get("/index.html")).toBe(page);
    const assetPaths = assets.paths().filter((path) => path.startsWith("/assets/"));
    expect(assetPaths.length).toBeGreaterThan(5);
    for (const path of assetPaths) {
      const asset = assets.get(path);
      expect(path).toMatch(/^\/assets\/[0-9a-f]{12}\/[a-z0-9/_-]+\.(js|css)$/);
      expect(asset?.cacheControl).toBe(CACHE_IMMUTABLE);
      expect(asset?.contentType).toBe(
        path.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
      );
      expect(asset?.etag).toMatch(/^"[0-9a-f]{32}"$/);
    }
  });

  it("names only files it has, and loads nothing from elsewhere", () => {
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);
    expect(references.length).toBeGreaterThanOrEqual(3);
    for (const reference of references) {
      if (reference === "data:," || reference === "#main") continue;
      expect(assets.get(reference), reference).toBeDefined();
    }
    for (const path of assets.paths().filter((p) => p.endsWith(".js"))) {
      const source = new TextDecoder().decode(assets.get(path)?.body);
      for (const [, specifier] of source.matchAll(/(?:import|export)[^"';]*?from\s*"([^"]+)"/g)) {
        expect(specifier, `${path} imports ${specifier}`).toMatch(/^\.\.?\//);
        const resolved = new URL(specifier as string, `http://console${path}`).pathname;
        expect(assets.get(resolved), `${path} → ${resolved}`).toBeDefined();
      }
      expect(source).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    }
  });

  it("has a policy that allows its own origin only", () => {
    expect(CONSOLE_CSP).toContain("default-src 'none'");
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  });
});

describe("loadConsole", () => {
  it("says the console is not built when there is no page", () => {
    const dir = tempDir();
    expect(() => loadConsole(dir)).toThrow(
      expect.objectContaining({ code: ConsoleErrorCode.CONSOLE_NOT_BUILT }),
    );
  });

  it("refuses a file of a type the console never serves", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "index.html"), "<!doctype html>");
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "assets", "run.sh"), "echo");
    expect(() => loadConsole(dir)).toThrow(
      expect.objectContaining({ code: ConsoleErrorCode.CONSOLE_INVALID }),
    );
  });
});
