/** Open a saved index file of either kind (storage at start, query workers on attach). */
import type { AnnIndex, AnnIndexFile, VectorChunk } from './api.js';
import { HnswIndex } from './hnsw.js';
import { IvfIndex } from './ivfflat.js';
import { SparseHnswIndex } from './sparse-hnsw.js';
import { isBitOp } from './api.js';

/** `vectors`: the segment's vector column (IVFFlat reads the vectors from the segment). */
export function openAnnIndex(f: AnnIndexFile, vectors: () => readonly VectorChunk[]): AnnIndex {
  if (f.kind === 'ivfflat') return IvfIndex.open(f.path, vectors());
  if (f.sparse && !isBitOp(f.op)) return SparseHnswIndex.open(f.path, f.op, f.dim, f.size, { m: f.m, efConstruction: f.efConstruction });
  const opts = { m: f.m, efConstruction: f.efConstruction, ...(f.quantization ? { quantization: f.quantization } : {}) };
  return HnswIndex.open(f.path, f.op, f.dim, f.size, opts, f.quantizerParams, vectors);
}
