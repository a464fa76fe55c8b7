/**
 * HNSW indexes on usearch. Searches go through the native/filtered-hnsw addon's view of
 * the saved file when it is built (ef per call, and the in-graph filtered search). Else,
 * as usearch's binding fixes the search breadth (expansion_search) when an index object
 * is made, an index keeps one native handle per ef value it has been asked for; handles
 * after the first are memory-mapped views of the same saved file.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import usearch, { Index as NativeIndex, type MetricKind, type ScalarKind } from 'usearch';
import { isBitOp, type AnnHit, type AnnIndex, type AnnIndexFile, type AnnOp, type FilteredHits, type HnswOptions } from './api.js';
import { openFilteredView, type NativeFilteredIndex } from './filtered-hnsw.js';
import type { RecallCurve } from './recall-curve.js';

type Metric = 'l2sq' | 'ip' | 'cos' | 'hamming' | 'tanimoto';

/**
 * usearch's metric for a pgvector operator, or undefined when it has none (L1).
 *
 * Inner product is not a metric, and HNSW graphs built on it directly recall poorly on
 * unnormalized data (0.5 on Fashion-MNIST at ef 40). So `<#>` indexes use the standard
 * MIPS→L2 reduction: every vector x gets one extra coordinate sqrt(M² − |x|²), with M the
 * largest norm in the segment, and a query gets 0 there; then |q' − x'|² = |q|² + M² −
 * 2 q·x, so the nearest in L2 is the largest inner product, exactly.
 *
 * Bit strings are stored one bit per dimension (usearch's b1 scalars): Hamming for `<~>`,
 * Tanimoto for `<%>` (on bits it is Jaccard's distance; usearch's "jaccard" metric name
 * aborts the process in this binding).
 */
export function metricFor(op: AnnOp): Metric | undefined {
  switch (op) {
    case '<->': return 'l2sq';
    case '<#>': return 'l2sq';
    case '<=>': return 'cos';
    case '<+>': return undefined;
    case '<~>': return 'hamming';
    case '<%>': return 'tanimoto';
  }
}

/**
 * Dimensions of the vectors stored in the index: one more for the MIPS reduction; bit
 * strings padded with zero bits to whole bytes (zeros change neither distance, and
 * usearch's Jaccard kernel ranks wrongly on a partial last byte: measured on 12 bits).
 */
function indexDims(op: AnnOp, dim: number): number {
  if (isBitOp(op)) return Math.ceil(dim / 8) * 8;
  return op === '<#>' ? dim + 1 : dim;
}

function mipsTransform(data: Float32Array, count: number, dim: number): Float32Array {
  let maxNorm2 = 0;
  for (let i = 0; i < count; i++) {
    let n = 0;
    for (let j = 0, o = i * dim; j < dim; j++) n += data[o + j] * data[o + j];
    if (n > maxNorm2) maxNorm2 = n;
  }
  const out = new Float32Array(count * (dim + 1));
  for (let i = 0; i < count; i++) {
    let n = 0;
    const o = i * dim;
    for (let j = 0; j < dim; j++) n += data[o + j] * data[o + j];
    out.set(data.subarray(o, o + dim), i * (dim + 1));
    out[i * (dim + 1) + dim] = Math.sqrt(Math.max(0, maxNorm2 - n));
  }
  return out;
}

export function hnswSupports(op: AnnOp): boolean {
  return metricFor(op) !== undefined;
}

const THREADS = 2;
/** vectors added per native call while building */
const BUILD_PIECE = 4096;

function newNative(dim: number, metric: Metric, opts: HnswOptions, ef: number): NativeIndex {
  const bits = metric === 'hamming' || metric === 'tanimoto';
  return new NativeIndex({
    dimensions: dim, metric: metric as MetricKind, quantization: (bits ? 'b1' : 'f32') as ScalarKind,
    connectivity: opts.m, expansion_add: opts.efConstruction, expansion_search: ef, multi: false,
  });
}

/** One float (0 or 1) per bit of a packed bit string (most significant bit first). */
export function unpackBits(packed: Uint8Array, from: number, dim: number, out: Float32Array, at: number): void {
  for (let b = 0; b < dim; b++) out[at + b] = (packed[from + (b >> 3)] >> (7 - (b & 7))) & 1;
}

export class HnswIndex implements AnnIndex {
  readonly kind = 'hnsw' as const;
  recallCurve?: RecallCurve;
  private readonly handles = new Map<number, NativeIndex>();
  private file: string | undefined;
  private tempDir: string | undefined;
  /** the addon's view of the saved file (null: the addon is not built, or a bit index) */
  private filtered: NativeFilteredIndex | null | undefined;
  /** positions build() left out, and their stored vectors, until insertHeldOut() */
  private heldOut: { keys: BigUint64Array; vectors: Float32Array } | undefined;

  private constructor(readonly op: AnnOp, readonly dimensions: number, readonly size: number, private readonly opts: HnswOptions, first: NativeIndex, firstEf: number) {
    this.handles.set(firstEf, first);
  }

  /**
   * Build over `count` vectors stored contiguously in `data` (which must start at
   * offset 0 of its buffer: usearch ignores byteOffset). Keys are positions 0..count-1.
   * Positions in `holdOut` are left out until insertHeldOut(): meanwhile they are queries
   * from the segment's own distribution that the graph has never seen (recall-curve.ts).
   */
  static build(op: AnnOp, data: Float32Array, count: number, dim: number, opts: HnswOptions, holdOut: ReadonlySet<number> = new Set()): HnswIndex {
    const metric = metricFor(op);
    if (!metric) throw new Error(`bug: no HNSW metric for ${op}`);
    const ef = 40;
    const native = newNative(indexDims(op, dim), metric, opts, ef);
    const index = new HnswIndex(op, dim, count, opts, native, ef);
    if (count > 0) {
      const keys = new BigUint64Array(count);
      for (let i = 0; i < count; i++) keys[i] = BigInt(i);
      let vectors = data.byteOffset === 0 && data.length === count * dim ? data : data.slice(0, count * dim);
      if (op === '<#>') vectors = mipsTransform(vectors, count, dim);
      // in pieces: a worker thread terminated by a cancelled CREATE INDEX stops between two
      // (termination cannot interrupt native code)
      const stride = vectors.length / count; // dim, or dim + 1 after the MIPS transform
      for (let at = 0; at < count; at += BUILD_PIECE) {
        const end = Math.min(count, at + BUILD_PIECE);
        const kept = [...holdOut].filter((p) => p >= at && p < end);
        if (kept.length === 0) {
          native.add(keys.subarray(at, end), vectors.subarray(at * stride, end * stride), THREADS);
          continue;
        }
        const rest = Array.from({ length: end - at }, (_, i) => at + i).filter((p) => !holdOut.has(p));
        const piece = new Float32Array(rest.length * stride);
        rest.forEach((p, i) => piece.set(vectors.subarray(p * stride, (p + 1) * stride), i * stride));
        if (rest.length > 0) native.add(BigUint64Array.from(rest, BigInt), piece, THREADS);
      }
      if (holdOut.size > 0) {
        const held = [...holdOut].filter((p) => p >= 0 && p < count).sort((a, b) => a - b);
        const heldVectors = new Float32Array(held.length * stride);
        held.forEach((p, i) => heldVectors.set(vectors.subarray(p * stride, (p + 1) * stride), i * stride));
        index.heldOut = { keys: BigUint64Array.from(held, BigInt), vectors: heldVectors };
      }
    }
    return index;
  }

  /**
   * Add the positions build() held out. Views of a file saved before (the calibration's)
   * no longer match the graph and are dropped: the next search or fileRef() saves anew.
   */
  insertHeldOut(): void {
    const held = this.heldOut;
    if (!held) return;
    this.heldOut = undefined;
    const first = this.handles.values().next().value!;
    const firstEf = this.handles.keys().next().value!;
    first.add(held.keys, held.vectors, THREADS);
    this.filtered?.close();
    this.filtered = undefined;
    this.handles.clear();
    this.handles.set(firstEf, first);
    if (this.tempDir && existsSync(this.tempDir)) rmSync(this.tempDir, { recursive: true, force: true });
    this.tempDir = undefined;
    this.file = undefined;
  }

  /**
   * Build over `count` bit strings packed 8 bits a byte, most significant bit first
   * (`bytesPer` bytes each). usearch takes b1 vectors as floats (non-zero = 1), so they
   * are unpacked a piece at a time: a 64,000-bit column never needs all its floats at once.
   */
  static buildBits(op: AnnOp, packed: Uint8Array, count: number, dim: number, opts: HnswOptions): HnswIndex {
    const metric = metricFor(op);
    if (!metric || !isBitOp(op)) throw new Error(`bug: no bit metric for ${op}`);
    const ef = 40;
    const padded = indexDims(op, dim);
    const native = newNative(padded, metric, opts, ef);
    const bytesPer = padded / 8;
    const piece = Math.max(1, Math.min(BUILD_PIECE, Math.floor((16 << 20) / padded)));
    const floats = new Float32Array(Math.min(piece, Math.max(count, 1)) * padded);
    for (let at = 0; at < count; at += piece) {
      const end = Math.min(count, at + piece);
      for (let i = at; i < end; i++) unpackBits(packed, i * bytesPer, padded, floats, (i - at) * padded);
      const keys = BigUint64Array.from({ length: end - at }, (_, i) => BigInt(at + i));
      native.add(keys, floats.subarray(0, (end - at) * padded), THREADS);
    }
    return new HnswIndex(op, dim, count, opts, native, ef);
  }

  /** Open a saved index as a memory-mapped view (fast restart). */
  static open(path: string, op: AnnOp, dim: number, size: number, opts: HnswOptions): HnswIndex {
    const metric = metricFor(op)!;
    const ef = 40;
    const native = newNative(indexDims(op, dim), metric, opts, ef);
    native.view(path);
    const idx = new HnswIndex(op, dim, size, opts, native, ef);
    idx.file = path;
    return idx;
  }

  /** The saved file (saved once to a private file first if it never was). */
  private savedFile(): string {
    if (!this.file) {
      // not saved yet: save once to a private file so views can share it
      this.tempDir = mkdtempSync(join(tmpdir(), 'quiver-hnsw-'));
      this.file = join(this.tempDir, 'index.usearch');
      this.handles.values().next().value!.save(this.file);
    }
    return this.file;
  }

  fileRef(): AnnIndexFile {
    return { path: this.savedFile(), op: this.op, dim: this.dimensions, size: this.size, m: this.opts.m, efConstruction: this.opts.efConstruction };
  }

  private handle(ef: number): NativeIndex {
    const existing = this.handles.get(ef);
    if (existing) return existing;
    const native = newNative(indexDims(this.op, this.dimensions), metricFor(this.op)!, this.opts, ef);
    native.view(this.savedFile());
    this.handles.set(ef, native);
    return native;
  }

  get m(): number {
    return this.opts.m;
  }

  /**
   * The MIPS-reduced graph needs a wider search for the recall L2 graphs reach at the
   * same ef (Fashion-MNIST, ef 40: 0.78 → 0.89 with ×2.5; pgvector's own <#> gets 0.86).
   */
  private breadth(ef: number): number {
    return this.op === '<#>' ? Math.ceil(ef * 2.5) : ef;
  }

  /** The query as the index stores vectors: contiguous; the MIPS coordinate (0) or a bit string's padding bits added. */
  private indexQuery(query: Float32Array): Float32Array {
    const q = query.byteOffset === 0 && query.length === this.dimensions ? query : query.slice();
    const stored = indexDims(this.op, this.dimensions);
    if (stored === this.dimensions) return q;
    const padded = new Float32Array(stored);
    padded.set(q.subarray(0, this.dimensions));
    return padded;
  }

  /** the addon's view of the saved file, opened on first use (null: not built, or bits: the addon has float metrics only) */
  private addonView(): NativeFilteredIndex | null {
    if (this.filtered === undefined) this.filtered = isBitOp(this.op) ? null : openFilteredView(this.savedFile()) ?? null;
    return this.filtered;
  }

  filteredSearch(query: Float32Array, k: number, ef: number, allowed: Uint8Array, budget: number): FilteredHits | undefined {
    const view = this.addonView();
    if (!view) return undefined;
    if (this.size === 0 || k <= 0) return { hits: [], computed: 0, exhausted: false };
    const n = Math.min(k, this.size);
    const r = view.search(this.indexQuery(query), n, Math.max(this.breadth(ef), n), allowed, budget);
    const hits: AnnHit[] = [];
    for (let i = 0; i < r.positions.length; i++) hits.push({ position: r.positions[i], distance: r.distances[i] });
    return { hits, computed: r.computed, exhausted: r.exhausted };
  }

  search(query: Float32Array, k: number, ef: number): AnnHit[] {
    if (this.size === 0 || k <= 0) return [];
    const n = Math.min(k, this.size);
    // The addon takes ef per call: one memory-mapped view serves every ef, where usearch's
    // own binding needs a view per ef, each paying its first touches of the mapping again.
    const view = this.addonView();
    if (view) {
      const r = view.search(this.indexQuery(query), n, Math.max(this.breadth(ef), n));
      const hits: AnnHit[] = [];
      for (let i = 0; i < r.positions.length; i++) hits.push({ position: r.positions[i], distance: r.distances[i] });
      return hits;
    }
    const native = this.handle(Math.max(this.breadth(ef), n));
    const m = native.search(this.indexQuery(query), n, 1);
    const out: AnnHit[] = [];
    for (let i = 0; i < m.keys.length; i++) out.push({ position: Number(m.keys[i]), distance: m.distances[i] });
    return out;
  }

  save(path: string): void {
    this.handles.values().next().value!.save(path);
    if (!this.file || this.tempDir) this.file = path;
  }

  close(): void {
    this.handles.clear();
    this.filtered?.close();
    this.filtered = undefined;
    if (this.tempDir && existsSync(this.tempDir)) rmSync(this.tempDir, { recursive: true, force: true });
  }
}
