/**
 * Proves the node serves its web console at `/` without a token (the page holds no data) with the
 * console's Content-Security-Policy, the page revalidated on every load and its content-hashed assets
 * immutable, answers 304 to a matching ETag and 404 to an unknown asset, and still refuses a foreign
 * `Host` (the DNS-rebinding guard covers the console like the API).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { CONSOLE_CSP } from "@tirami/console";
import { createTestNode, type TestNode } from "../../test/fixture.js";

let t: TestNode;
beforeAll(async () => {
  t = await createTestNode();
});
afterAll(async () => {
  await t?.close();
});
const get = (path: string, headers: Record<string, string> = {}) =>
  t.node.http.app.request(`http://127.0.0.1${path}`, { headers: { host: "127.0.0.1", ...headers } });

it("serves the page and its assets with their caching and policy", async () => {
  const page = await get("/");
  expect(page.status).toBe(200);
  expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(page.headers.get("cache-control")).toBe("no-cache");
  expect(page.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
  expect(page.headers.get("x-content-type-options")).toBe("nosniff");
  const html = await page.text();
  const script = /src="(\/assets\/[0-9a-f]{12}\/main\.js)"/.exec(html)?.[1] as string;
  expect(script).toBeDefined();

  const asset = await get(script);
  expect(asset.status).toBe(200);
  expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
  expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  const etag = asset.headers.get("etag") as string;
  expect((await get(script, { "if-none-match": etag })).status).toBe(304);

  const missing = await get(script.replace("main.js", "nope.js"));
  expect(missing.status).toBe(404);
  expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
});

it("refuses a foreign Host", async () => {
  const response = await t.node.http.app.request("http://evil.example/", {
    headers: { host: "evil.example" },
  });
  expect(response.status).toBe(403);
});
