/**
 * Test helper: copies a GGUF file with one extra metadata string, `tokenizer.chat_template`, so tests can
 * prove the engine picks up a model's own chat template (neither tiny model ships one). GGUF v3 layout:
 * magic, version u32, tensor count u64, metadata count u64, metadata, tensor infos, padding to
 * `general.alignment` (default 32), tensor data. Data offsets are relative to the data section, so
 * appending a key only moves the section; the tensor infos are copied verbatim.
 * @module
 */
import { readFile, writeFile } from "node:fs/promises";
import { readGgufFileInfo } from "node-llama-cpp";

const GGUF_TYPE_STRING = 8;
const HEADER_BYTES = 24;

function ggufString(text: string): Buffer {
  const bytes = Buffer.from(text, "utf8");
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(bytes.length));
  return Buffer.concat([length, bytes]);
}

/** Writes `dest`: `source` plus `tokenizer.chat_template = template`. */
export async function writeGgufWithChatTemplate(
  source: string,
  dest: string,
  template: string,
): Promise<void> {
  const info = await readGgufFileInfo(source, { logWarnings: false });
  const alignmentValue = (info.metadata.general as { alignment?: number }).alignment;
  const alignment = alignmentValue ?? 32;
  const file = await readFile(source);
  if (file.toString("latin1", 0, 4) !== "GGUF" || file.readUInt32LE(4) !== 3)
    throw new Error("expected a GGUF v3 file");
  // node-llama-cpp reports `metadataSize` as the end offset of the metadata, header included.
  const metadataEnd = info.metadataSize;
  const infoEnd = metadataEnd + (info.tensorInfoSize ?? 0);
  const dataStart = Math.ceil(infoEnd / alignment) * alignment;

  const header = Buffer.from(file.subarray(0, HEADER_BYTES));
  header.writeBigUInt64LE(file.readBigUInt64LE(16) + 1n, 16);
  const type = Buffer.alloc(4);
  type.writeUInt32LE(GGUF_TYPE_STRING);
  const entry = Buffer.concat([ggufString("tokenizer.chat_template"), type, ggufString(template)]);
  const head = Buffer.concat([
    header,
    file.subarray(HEADER_BYTES, metadataEnd),
    entry,
    file.subarray(metadataEnd, infoEnd),
  ]);
  const padding = Buffer.alloc((alignment - (head.length % alignment)) % alignment);
  await writeFile(dest, Buffer.concat([head, padding, file.subarray(dataStart)]));
}
