/** Open a saved index file of either kind (storage at start, query workers on attach). */
import type { AnnIndex, AnnIndexFile, VectorChunk } from './api.js';
import { HnswIndex } from './hnsw.js';
import { IvfIndex } from './ivfflat.js';
import { SparseHnswIndex } from './sparse-hnsw.js';
import { isBitOp } from './api.js';
import { BitIvfIndex } from './bit-ivf.js';

/**
 * `vectors`: the segment's vector column (IVFFlat reads the vectors from the segment);
 * `bits`: its packed bit column, for an IVFFlat index of bit strings.
 */
export function openAnnIndex(f: AnnIndexFile, vectors: () => readonly VectorChunk[], bits?: () => Uint8Array): AnnIndex {
  if (f.kind === 'ivfflat' && isBitOp(f.op)) {
    if (!bits) throw new Error('bug: a bit IVFFlat index opened without its bit column');
    return BitIvfIndex.open(f.path, bits());
  }
  if (f.kind === 'ivfflat') return IvfIndex.open(f.path, vectors());
  if (f.sparse && !isBitOp(f.op)) return SparseHnswIndex.open(f.path, f.op, f.dim, f.size, { m: f.m, efConstruction: f.efConstruction });
  const opts = { m: f.m, efConstruction: f.efConstruction, ...(f.quantization ? { quantization: f.quantization } : {}) };
  return HnswIndex.open(f.path, f.op, f.dim, f.size, opts, f.quantizerParams, vectors);
}
