/**
 * The manifest of a model this node has on disk but does not serve: `<models_dir>/<model id>.gguf`, read
 * from its header only. Topology plans for it without loading or downloading anything.
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type ModelManifest, readModelManifest } from "@tirami/infer";
import { isModelId } from "@tirami/proto";

/** The manifest of `<modelsDir>/<modelId>.gguf`, or undefined when there is no such readable file. */
export async function manifestOnDisk(modelsDir: string, modelId: string): Promise<ModelManifest | undefined> {
  // A model id is printable ASCII without spaces; refuse path separators so it cannot leave the directory.
  if (!isModelId(modelId) || modelId.includes("/") || modelId.includes("\\") || modelId.startsWith("."))
    return undefined;
  const path = join(modelsDir, `${modelId}.gguf`);
  if (!existsSync(path)) return undefined;
  try {
    return await readModelManifest(path);
  } catch {
    return undefined;
  }
}
