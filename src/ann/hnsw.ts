/**
 * HNSW indexes on usearch. usearch fixes the search breadth (expansion_search) when an
 * index object is made, so an index keeps one native handle per ef value it has been
 * asked for; handles after the first are memory-mapped views of the same saved file,
 * so they share its pages instead of copying the graph.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import usearch, { Index as NativeIndex, type MetricKind, type ScalarKind } from 'usearch';
import type { AnnHit, AnnIndex, AnnIndexFile, DistanceOp, FilteredHits, HnswOptions } from './api.js';
import { openFilteredView, type NativeFilteredIndex } from './filtered-hnsw.js';

type Metric = 'l2sq' | 'ip' | 'cos';

/**
 * usearch's metric for a pgvector operator, or undefined when it has none (L1).
 *
 * Inner product is not a metric, and HNSW graphs built on it directly recall poorly on
 * unnormalized data (0.5 on Fashion-MNIST at ef 40). So `<#>` indexes use the standard
 * MIPS→L2 reduction: every vector x gets one extra coordinate sqrt(M² − |x|²), with M the
 * largest norm in the segment, and a query gets 0 there; then |q' − x'|² = |q|² + M² −
 * 2 q·x, so the nearest in L2 is the largest inner product, exactly.
 */
export function metricFor(op: DistanceOp): Metric | undefined {
  switch (op) {
    case '<->': return 'l2sq';
    case '<#>': return 'l2sq';
    case '<=>': return 'cos';
    case '<+>': return undefined;
  }
}

/** Dimensions of the vectors stored in the index (one more for the MIPS reduction). */
function indexDims(op: DistanceOp, dim: number): number {
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

export function hnswSupports(op: DistanceOp): boolean {
  return metricFor(op) !== undefined;
}

const THREADS = 2;
/** vectors added per native call while building */
const BUILD_PIECE = 4096;

function newNative(dim: number, metric: Metric, opts: HnswOptions, ef: number): NativeIndex {
  return new NativeIndex({
    dimensions: dim, metric: metric as MetricKind, quantization: 'f32' as ScalarKind,
    connectivity: opts.m, expansion_add: opts.efConstruction, expansion_search: ef, multi: false,
  });
}

export class HnswIndex implements AnnIndex {
  readonly kind = 'hnsw' as const;
  private readonly handles = new Map<number, NativeIndex>();
  private file: string | undefined;
  private tempDir: string | undefined;
  /** the addon's view of the saved file (null: the addon is not built) */
  private filtered: NativeFilteredIndex | null | undefined;

  private constructor(readonly op: DistanceOp, readonly dimensions: number, readonly size: number, private readonly opts: HnswOptions, first: NativeIndex, firstEf: number) {
    this.handles.set(firstEf, first);
  }

  /**
   * Build over `count` vectors stored contiguously in `data` (which must start at
   * offset 0 of its buffer: usearch ignores byteOffset). Keys are positions 0..count-1.
   */
  static build(op: DistanceOp, data: Float32Array, count: number, dim: number, opts: HnswOptions): HnswIndex {
    const metric = metricFor(op);
    if (!metric) throw new Error(`bug: no HNSW metric for ${op}`);
    const ef = 40;
    const native = newNative(indexDims(op, dim), metric, opts, ef);
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
        native.add(keys.subarray(at, end), vectors.subarray(at * stride, end * stride), THREADS);
      }
    }
    return new HnswIndex(op, dim, count, opts, native, ef);
  }

  /** Open a saved index as a memory-mapped view (fast restart). */
  static open(path: string, op: DistanceOp, dim: number, size: number, opts: HnswOptions): HnswIndex {
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

  /** The query as the index stores vectors (contiguous; one 0 more for the MIPS reduction). */
  private indexQuery(query: Float32Array): Float32Array {
    const q = query.byteOffset === 0 && query.length === this.dimensions ? query : query.slice();
    if (this.op !== '<#>') return q;
    const padded = new Float32Array(this.dimensions + 1);
    padded.set(q);
    return padded;
  }

  /** the addon's view of the saved file, opened on first use (null: the addon is not built) */
  private addonView(): NativeFilteredIndex | null {
    if (this.filtered === undefined) this.filtered = openFilteredView(this.savedFile()) ?? null;
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
