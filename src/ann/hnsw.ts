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
import type { AnnHit, AnnIndex, DistanceOp, HnswOptions } from './api.js';

type Metric = 'l2sq' | 'ip' | 'cos';

/** usearch's metric for a pgvector operator, or undefined when it has none (L1). */
export function metricFor(op: DistanceOp): Metric | undefined {
  switch (op) {
    case '<->': return 'l2sq';
    case '<#>': return 'ip';
    case '<=>': return 'cos';
    case '<+>': return undefined;
  }
}

export function hnswSupports(op: DistanceOp): boolean {
  return metricFor(op) !== undefined;
}

const THREADS = 2;

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
    const native = newNative(dim, metric, opts, ef);
    if (count > 0) {
      const keys = new BigUint64Array(count);
      for (let i = 0; i < count; i++) keys[i] = BigInt(i);
      const vectors = data.byteOffset === 0 && data.length === count * dim ? data : data.slice(0, count * dim);
      native.add(keys, vectors, THREADS);
    }
    return new HnswIndex(op, dim, count, opts, native, ef);
  }

  /** Open a saved index as a memory-mapped view (fast restart). */
  static open(path: string, op: DistanceOp, dim: number, size: number, opts: HnswOptions): HnswIndex {
    const metric = metricFor(op)!;
    const ef = 40;
    const native = newNative(dim, metric, opts, ef);
    native.view(path);
    const idx = new HnswIndex(op, dim, size, opts, native, ef);
    idx.file = path;
    return idx;
  }

  private handle(ef: number): NativeIndex {
    const existing = this.handles.get(ef);
    if (existing) return existing;
    if (!this.file) {
      // not saved yet: save once to a private file so views can share it
      this.tempDir = mkdtempSync(join(tmpdir(), 'quiver-hnsw-'));
      this.file = join(this.tempDir, 'index.usearch');
      this.handles.values().next().value!.save(this.file);
    }
    const native = newNative(this.dimensions, metricFor(this.op)!, this.opts, ef);
    native.view(this.file);
    this.handles.set(ef, native);
    return native;
  }

  search(query: Float32Array, k: number, ef: number): AnnHit[] {
    if (this.size === 0 || k <= 0) return [];
    const n = Math.min(k, this.size);
    const native = this.handle(Math.max(ef, n));
    const q = query.byteOffset === 0 && query.length === this.dimensions ? query : query.slice();
    const m = native.search(q, n, 1);
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
    if (this.tempDir && existsSync(this.tempDir)) rmSync(this.tempDir, { recursive: true, force: true });
  }
}
