/**
 * Proves model resolution and downloads against a real HTTP server on 127.0.0.1 (no mocks, no
 * internet): local paths, `hf:` URIs, Hugging Face URLs and catalog names resolve in the documented
 * order; a download lands byte-identical and atomically with progress; a transfer dropped mid-way is
 * resumed with an HTTP Range request (within one call, and across calls from the kept `.part`); an
 * unreachable network gives MODEL_DOWNLOAD_FAILED saying how to pass a local file.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { tempDir } from "@tirami/test-kit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InferErrorCode, ModelDownloadError } from "./errors.js";
import type { DownloadProgress } from "./download.js";
import { parseHfReference, resolveModel } from "./resolve.js";
import { STORIES_260K, TEST_MODELS_DIR } from "../test/models.js";

interface ServedRequest {
  path: string;
  range: string | undefined;
}

/** Serves the model file for any `.gguf` path; `dropAfterBytes` cuts the next N responses mid-body. */
class ModelServer {
  readonly requests: ServedRequest[] = [];
  dropNextResponses = 0;
  dropAfterBytes = 400_000;
  honourRange = true;
  #server: Server | undefined;
  constructor(readonly body: Buffer) {}

  async start(): Promise<string> {
    this.#server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  #handle(req: IncomingMessage, res: import("node:http").ServerResponse): void {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    this.requests.push({ path, range: req.headers.range });
    if (!path.endsWith(".gguf") || path.includes("missing")) {
      res.writeHead(404).end("not found");
      return;
    }
    let start = 0;
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    if (match !== null && this.honourRange) start = Number(match[1]);
    if (start >= this.body.length && start > 0) {
      res.writeHead(416, { "content-range": `bytes */${this.body.length}` }).end();
      return;
    }
    const slice = this.body.subarray(start);
    res.writeHead(start > 0 ? 206 : 200, {
      "content-length": String(slice.length),
      ...(start > 0 ? { "content-range": `bytes ${start}-${this.body.length - 1}/${this.body.length}` } : {}),
    });
    if (this.dropNextResponses > 0) {
      this.dropNextResponses -= 1;
      res.write(slice.subarray(0, this.dropAfterBytes), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(slice);
  }
}

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

let model: Buffer;
let server: ModelServer;
let baseUrl: string;
let modelsDir: string;

beforeAll(async () => {
  model = await readFile(STORIES_260K);
  server = new ModelServer(model);
  baseUrl = await server.start();
});
afterAll(async () => {
  await server.stop();
});
beforeEach(() => {
  modelsDir = tempDir("tirami-infer-models-");
  server.requests.length = 0;
  server.dropNextResponses = 0;
  server.honourRange = true;
});

describe("parseHfReference", () => {
  it("accepts hf: URIs, shorthand and resolve/blob URLs, and nothing else", () => {
    expect(parseHfReference("hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf")).toEqual({
      owner: "Qwen",
      repo: "Qwen2.5-0.5B-Instruct-GGUF",
      revision: "main",
      file: "qwen2.5-0.5b-instruct-q4_k_m.gguf",
    });
    expect(parseHfReference("https://huggingface.co/o/r/blob/v1/sub/m.gguf")).toEqual({
      owner: "o",
      repo: "r",
      revision: "v1",
      file: "sub/m.gguf",
    });
    expect(parseHfReference("o/r/m.gguf")).toMatchObject({ owner: "o", repo: "r", file: "m.gguf" });
    for (const bad of [
      "qwen2.5:0.5b",
      "hf:o/r/../m.gguf",
      "hf:o/r/m.bin",
      "https://example.com/o/r/resolve/main/m.gguf",
      "./o/r/m.gguf",
      "hf:o/r",
    ]) {
      expect(parseHfReference(bad)).toBeUndefined();
    }
  });
});

describe("resolveModel", () => {
  it("returns an existing local .gguf path without any request", async () => {
    const resolved = await resolveModel(STORIES_260K, { modelsDir, hfBaseUrl: baseUrl });
    expect(resolved).toEqual({ path: STORIES_260K, source: "local", catalog_name: null, url: null });
    expect(server.requests).toHaveLength(0);
  });

  it("downloads an hf: URI byte-identical with progress, then reuses it offline", async () => {
    const progress: DownloadProgress[] = [];
    const resolved = await resolveModel("hf:tiny/stories-GGUF/stories260K.gguf", {
      modelsDir,
      hfBaseUrl: baseUrl,
      onProgress: (p) => progress.push(p),
    });
    expect(resolved).toMatchObject({
      path: join(modelsDir, "stories260K.gguf"),
      source: "downloaded",
      url: `${baseUrl}/tiny/stories-GGUF/resolve/main/stories260K.gguf`,
    });
    expect(sha256(await readFile(resolved.path))).toBe(sha256(model));
    expect(await readdir(modelsDir)).toEqual(["stories260K.gguf"]); // no .part left behind
    expect(progress.at(-1)).toEqual({ downloadedBytes: model.length, totalBytes: model.length });
    expect(progress.every((p, i) => i === 0 || p.downloadedBytes >= progress[i - 1]!.downloadedBytes)).toBe(
      true,
    );

    const again = await resolveModel(`${baseUrl}/tiny/stories-GGUF/resolve/main/stories260K.gguf`, {
      modelsDir,
      hfBaseUrl: baseUrl,
    });
    expect(again).toMatchObject({ path: resolved.path, source: "models_dir" });
    expect(server.requests).toHaveLength(1);
  });

  it("resolves a catalog name to its Hugging Face repository and file", async () => {
    const resolved = await resolveModel("smollm2:135m", { modelsDir, hfBaseUrl: baseUrl });
    expect(server.requests[0]?.path).toBe(
      "/bartowski/SmolLM2-135M-Instruct-GGUF/resolve/main/SmolLM2-135M-Instruct-Q4_K_M.gguf",
    );
    expect(resolved).toMatchObject({
      path: join(modelsDir, "SmolLM2-135M-Instruct-Q4_K_M.gguf"),
      source: "downloaded",
      catalog_name: "smollm2:135m",
    });
  });

  it("resumes a transfer dropped mid-way with a Range request, in the same call", async () => {
    server.dropNextResponses = 1;
    const resolved = await resolveModel("hf:tiny/stories-GGUF/stories260K.gguf", {
      modelsDir,
      hfBaseUrl: baseUrl,
      retries: 2,
    });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.range).toBeUndefined();
    const resumedFrom = Number(/^bytes=(\d+)-$/.exec(server.requests[1]?.range ?? "")?.[1]);
    expect(resumedFrom).toBeGreaterThan(0);
    expect(resumedFrom).toBeLessThan(model.length);
    expect(sha256(await readFile(resolved.path))).toBe(sha256(model));
  });

  it("keeps the .part when retries run out, and the next call resumes it", async () => {
    server.dropNextResponses = 1;
    const input = "hf:tiny/stories-GGUF/stories260K.gguf";
    const failure = await resolveModel(input, { modelsDir, hfBaseUrl: baseUrl, retries: 0 }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ModelDownloadError);
    expect(failure).toMatchObject({
      code: InferErrorCode.MODEL_DOWNLOAD_FAILED,
      details: { reason: "incomplete" },
    });
    expect(existsSync(join(modelsDir, "stories260K.gguf"))).toBe(false);
    const partBytes = (await readFile(join(modelsDir, "stories260K.gguf.part"))).length;
    expect(partBytes).toBeGreaterThan(0);

    const resolved = await resolveModel(input, { modelsDir, hfBaseUrl: baseUrl, retries: 0 });
    expect(server.requests.at(-1)?.range).toBe(`bytes=${partBytes}-`);
    expect(sha256(await readFile(resolved.path))).toBe(sha256(model));
  });

  it("starts over when the server ignores the Range header", async () => {
    await writeFile(join(modelsDir, "stories260K.gguf.part"), Buffer.from("garbage that is not the model"));
    server.honourRange = false;
    const resolved = await resolveModel("hf:tiny/stories-GGUF/stories260K.gguf", {
      modelsDir,
      hfBaseUrl: baseUrl,
    });
    expect(sha256(await readFile(resolved.path))).toBe(sha256(model));
  });

  it("says the network is unreachable and how to pass a local file", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const failure = await resolveModel("qwen2.5:0.5b", {
      modelsDir,
      hfBaseUrl: `http://127.0.0.1:${port}`,
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ModelDownloadError);
    expect(failure).toMatchObject({
      code: "MODEL_DOWNLOAD_FAILED",
      details: { reason: "network_unreachable", code: "ECONNREFUSED" },
    });
    expect((failure as Error).message).toContain("network is unreachable");
    expect((failure as Error).message).toContain("--model /path/to/model.gguf");
    expect((failure as Error).message).toContain("TIRAMI_MODEL");
  });

  it("reports a missing remote file as an HTTP failure without leaving a .part", async () => {
    const failure = await resolveModel("hf:tiny/repo/missing.gguf", { modelsDir, hfBaseUrl: baseUrl }).catch(
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({
      code: "MODEL_DOWNLOAD_FAILED",
      details: { reason: "http_status", status: 404 },
    });
    expect(await readdir(modelsDir)).toEqual([]);
  });

  it("finds a model in the models directory by part of its name, else MODEL_NOT_FOUND", async () => {
    const found = await resolveModel("stories", { modelsDir: TEST_MODELS_DIR });
    expect(found).toMatchObject({ path: STORIES_260K, source: "models_dir" });
    await expect(resolveModel("no-such-model", { modelsDir: TEST_MODELS_DIR })).rejects.toMatchObject({
      code: "MODEL_NOT_FOUND",
    });
    await expect(resolveModel("/nope/missing.gguf", { modelsDir })).rejects.toMatchObject({
      code: "MODEL_NOT_FOUND",
    });
    await expect(resolveModel("llama", { modelsDir: TEST_MODELS_DIR })).resolves.toMatchObject({
      path: join(TEST_MODELS_DIR, "llama-2-tiny-random.gguf"),
    });
  });
});
