/**
 * A sealed segment's GIN posting file built in a worker thread (text-index-build-worker.ts):
 * the storage hands over the indexed column's text packed in two buffers, the worker
 * tokenizes it as the index's key says (the tsvector column itself, or to_tsvector with a
 * configuration), builds the posting lists and writes the file (storage/
 * inverted-index-file.ts), and hands the file's bytes back.
 */
import type { IndexDef } from '../catalog/catalog.js';
import type { BuildInvertedIndexFile, PackedTexts, TextIndexAttachment } from '../storage/api.js';
import { runFileBuild } from '../ann/worker-build.js';
import type { TextIndexBuildReply, TextIndexBuildRequest } from './text-index-build-worker.js';
import { indexVector, textIndexSpec } from './text-index-scan.js';

/** The storage's BuildInvertedIndexFile for a GIN index (storage/api.ts). */
export function textIndexFileBuilder(index: Pick<IndexDef, 'tsvectorConfig'>): BuildInvertedIndexFile {
  const config = index.tsvectorConfig;
  return async (texts: PackedTexts, path: string, signal?: AbortSignal) => {
    const reply = await runFileBuild<TextIndexBuildRequest, TextIndexBuildReply>({
      what: 'GIN',
      script: new URL('./text-index-build-worker.js', import.meta.url),
      path,
      request: (temp) => ({ texts, ...(config !== undefined ? { config } : {}), path: temp }),
      // the packed copies are the worker's from now on
      transfer: [texts.offsets.buffer, texts.bytes.buffer, ...(texts.nulls ? [texts.nulls.buffer] : [])] as ArrayBuffer[],
    }, signal);
    return reply.bytes;
  };
}

/** What the storage keeps for a GIN index: its spec, its tokenizer, its file builder. */
export function textIndexAttachment(index: Pick<IndexDef, 'name' | 'columns' | 'tsvectorConfig'>): TextIndexAttachment {
  return { spec: textIndexSpec(index), toVector: indexVector(index), buildFile: textIndexFileBuilder(index) };
}
