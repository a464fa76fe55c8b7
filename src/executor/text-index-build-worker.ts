/**
 * Worker thread that builds one sealed segment's GIN posting file (text-index-build.ts):
 * every row's text turned into a tsvector as the index's key says (indexVector), the
 * inverted index built and encoded (storage/inverted-index*.ts), the file written and
 * fsynced under the name it was given. Seconds of tokenizing for large segments, off the
 * session thread (ann/worker-build.ts).
 */
import type { PackedTexts } from '../storage/api.js';
import { InvertedIndex } from '../storage/inverted-index.js';
import { encodeInvertedIndex } from '../storage/inverted-index-file.js';
import { writeFileSynced } from '../storage/data-dir.js';
import { serveFileBuilds } from '../ann/worker-build.js';
import { indexVector } from './text-index-scan.js';

export interface TextIndexBuildRequest {
  readonly texts: PackedTexts;
  /** the text search configuration of an index on to_tsvector(config, column); absent: the column is a tsvector */
  readonly config?: number;
  /** the file to write */
  readonly path: string;
}

/** the file's bytes (the storage opens the index from them) */
export interface TextIndexBuildReply {
  readonly bytes: Uint8Array;
}

/** The posting file's bytes for the packed texts, tokenized as the index's key says. */
export function encodeTextIndex(texts: PackedTexts, config: number | undefined): Uint8Array {
  const toVector = indexVector({ tsvectorConfig: config });
  const { offsets, nulls } = texts;
  const utf8 = Buffer.from(texts.bytes.buffer, texts.bytes.byteOffset, texts.bytes.byteLength);
  const index = InvertedIndex.build(texts.rows, (pos) => (nulls?.[pos] ? null : toVector(utf8.toString('utf8', offsets[pos], offsets[pos + 1]))));
  return encodeInvertedIndex(index);
}

function build(req: TextIndexBuildRequest): TextIndexBuildReply {
  const bytes = encodeTextIndex(req.texts, req.config);
  writeFileSynced(req.path, bytes);
  return { bytes };
}

// One thread, so the session thread keeps a core of its own: at the session thread's priority.
// Lowered (nice 10, as HNSW builds), 20,000 documents' lists took 3.4-4.9 s instead of 0.4-0.9
// on 2 cores at load average 9 (other processes' threads took the CPU first).
serveFileBuilds<TextIndexBuildRequest, TextIndexBuildReply>({ build, transfer: (r) => [r.bytes.buffer as ArrayBuffer], normalPriority: true });
