/**
 * HNSW indexes on usearch. Searches go through the native/filtered-hnsw addon's view of
 * the saved file when it is built (ef per call, and the in-graph filtered search). Else,
 * as usearch's binding fixes the search breadth (expansion_search) when an index object
 * is made, an index keeps one native handle per ef value it has been asked for; handles
 * after the first are memory-mapped views of the same saved file. WITH (quantization = …)
 * stores the vectors as f16, i8 or b1 (quantize.ts) and widens the candidate pool for the
 * executor's exact re-rank.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBitOp, type AnnHit, type AnnIndex, type AnnIndexFile, type AnnOp, type FilteredHits, type HnswOptions, type VectorChunk } from './api.js';
import { filteredHnswAvailable, openFilteredView, type CustomScalar, type NativeFilteredIndex } from './filtered-hnsw.js';
import { CustomNative } from './custom-native.js';
import type { RecallCurve } from './recall-curve.js';
import { UsearchIndex } from './usearch-native.js';
import { fitQuantizer, makeQuantizer, type FloatMetric, type Quantizer, type QuantizerParams, type RowSource } from './quantize.js';

type Metric = 'l2sq' | 'cos' | 'hamming' | 'tanimoto' | 'l1';

/**
 * usearch's metric for a pgvector operator ('l1': the addon's, as usearch has none).
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
export function metricFor(op: AnnOp): Metric {
  switch (op) {
    case '<->': return 'l2sq';
    case '<#>': return 'l2sq';
    case '<=>': return 'cos';
    case '<+>': return 'l1';
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

function norm2(data: Float32Array, o: number, dim: number): number {
  let n = 0;
  for (let j = 0; j < dim; j++) n += data[o + j] * data[o + j];
  return n;
}

function maxNorm2Of(chunks: readonly VectorChunk[], dim: number): number {
  let max = 0;
  for (const c of chunks) {
    for (let i = 0; i < c.rows; i++) {
      const n = norm2(c.data, i * dim, dim);
      if (n > max) max = n;
    }
  }
  return max;
}

function mipsTransform(data: Float32Array, count: number, dim: number): Float32Array {
  const maxNorm2 = maxNorm2Of([{ start: 0, rows: count, data }], dim);
  const out = new Float32Array(count * (dim + 1));
  for (let i = 0; i < count; i++) {
    const o = i * dim;
    out.set(data.subarray(o, o + dim), i * (dim + 1));
    out[i * (dim + 1) + dim] = Math.sqrt(Math.max(0, maxNorm2 - norm2(data, o, dim)));
  }
  return out;
}

/**
 * The segment's rows as the index stores them (MIPS coordinate added for `<#>`), from its
 * vector column: the same values mipsTransform gives, so a quantizer refitted on open
 * gets the center and scale the build used.
 */
function storedRows(op: AnnOp, dim: number, chunks: readonly VectorChunk[]): RowSource {
  if (op !== '<#>') {
    return (visit) => {
      for (const c of chunks) for (let i = 0; i < c.rows; i++) visit(c.data.subarray(i * dim, (i + 1) * dim));
    };
  }
  const maxNorm2 = maxNorm2Of(chunks, dim);
  const row = new Float32Array(dim + 1);
  return (visit) => {
    for (const c of chunks) {
      for (let i = 0; i < c.rows; i++) {
        row.set(c.data.subarray(i * dim, (i + 1) * dim));
        row[dim] = Math.sqrt(Math.max(0, maxNorm2 - norm2(c.data, i * dim, dim)));
        visit(row);
      }
    }
  };
}

/** The quantizer of a float index (undefined for bit strings: already one bit a dimension). */
function quantizerFor(op: AnnOp, dim: number, opts: HnswOptions, params: QuantizerParams | undefined, rows: () => RowSource): Quantizer | undefined {
  if (isBitOp(op)) return undefined;
  const kind = opts.quantization ?? 'f32';
  // L1 is fitted as L2 is: the centering and the segment's one i8 scale keep L1's ranking too
  const metric = (op === '<+>' ? 'l2sq' : metricFor(op)) as FloatMetric;
  const width = indexDims(op, dim);
  return makeQuantizer(kind, metric, width, params ?? fitQuantizer(kind, metric, width, rows()));
}

/** L1 graphs and sparse vector indexes need the native addon (usearch's binding has neither). */
export function hnswSupports(op: AnnOp, sparse = false): boolean {
  return (op !== '<+>' && !sparse) || filteredHnswAvailable();
}

/**
 * Whether the index is an L1 graph of the addon: `<+>`, unless binary-quantized (a b1
 * index ranks by Hamming distance in usearch's binding, whatever the operator).
 */
function l1Graph(op: AnnOp, quant: Quantizer | undefined): boolean {
  return op === '<+>' && quant?.scalar !== 'b1';
}

/**
 * usearch's insertion threads in a build. Concurrent insertion makes the graph differ from
 * one build to the next (the order in which rows meet): on test/vector-quantization's data,
 * i8 <#> recall@10 was 0.84-1.0 over 250 two-thread builds searched through usearch's
 * binding (median 0.998, 5 below 0.95), 0.977-1.0 over 40 through the addon's view, and
 * 0.998 in each of 10 one-thread builds. QUIVER_HNSW_BUILD_THREADS=1 builds one graph for
 * given rows: tests that hold recall to a bar use it. Read at each build, so a test may set
 * it after this module is loaded.
 */
export function hnswBuildThreads(): number {
  const n = Number(process.env.QUIVER_HNSW_BUILD_THREADS);
  return Number.isInteger(n) && n >= 1 && n <= 64 ? n : 2;
}
/** vectors added per native call while building */
const BUILD_PIECE = 4096;

/** What HnswIndex needs of a native index: usearch's binding, or the addon's L1 graph. */
type NativeIndex = Pick<UsearchIndex, 'add' | 'search' | 'save' | 'view'>;

/** A native index: of a float index's quantizer, or of bit strings (b1, the bit metric). */
function newNative(op: AnnOp, dim: number, quant: Quantizer | undefined, opts: HnswOptions, ef: number): NativeIndex {
  const dimensions = quant ? quant.dims : indexDims(op, dim);
  if (l1Graph(op, quant)) return new CustomNative(dimensions, 'l1', quant!.scalar as CustomScalar, opts.m, opts.efConstruction, ef);
  const metric = quant ? quant.metric : (metricFor(op) as Exclude<Metric, 'l1'>);
  const scalar = quant ? quant.scalar : 'b1';
  return new UsearchIndex({ dimensions, metric, scalar, connectivity: opts.m, expansionAdd: opts.efConstruction, expansionSearch: ef });
}

/** Rows `positions` of `vectors` (`stride` floats each), contiguous. */
function gather(vectors: Float32Array, positions: readonly number[], stride: number): Float32Array {
  const out = new Float32Array(positions.length * stride);
  positions.forEach((p, i) => out.set(vectors.subarray(p * stride, (p + 1) * stride), i * stride));
  return out;
}

/** One float (0 or 1) per bit of a packed bit string (most significant bit first). */
export function unpackBits(packed: Uint8Array, from: number, dim: number, out: Float32Array, at: number): void {
  for (let b = 0; b < dim; b++) out[at + b] = (packed[from + (b >> 3)] >> (7 - (b & 7))) & 1;
}

export class HnswIndex implements AnnIndex {
  readonly kind = 'hnsw' as const;
  private readonly handles = new Map<number, NativeIndex>();
  private file: string | undefined;
  private tempDir: string | undefined;
  /** the addon's view of the saved file (null: the addon is not built, or a bit index) */
  private filtered: NativeFilteredIndex | null | undefined;
  /** adds the positions build() left out (until insertHeldOut()) */
  private heldOut: (() => void) | undefined;
  recallCurve?: RecallCurve;

  private constructor(readonly op: AnnOp, readonly dimensions: number, readonly size: number, private readonly opts: HnswOptions, private readonly quant: Quantizer | undefined, first: NativeIndex, firstEf: number) {
    this.handles.set(firstEf, first);
  }

  /**
   * unquantized l2: the hits' distances are float32 squared L2 distances of the column's own
   * vectors (not cosine: a zero vector's distance is NaN for pgvector, a number here)
   */
  get rankDistances(): boolean {
    return this.quant?.kind === 'f32' && this.op === '<->' && indexDims(this.op, this.dimensions) === this.dimensions;
  }

  /** center and scale of a quantized index (the build worker hands them to the opener) */
  get quantizerParams(): QuantizerParams | undefined {
    return this.quant?.params;
  }

  /**
   * Build over `count` vectors stored contiguously in `data` (which must start at
   * offset 0 of its buffer: usearch ignores byteOffset). Keys are positions 0..count-1.
   * Positions in `holdOut` are left out until insertHeldOut(): meanwhile they are queries
   * from the segment's own distribution that the graph has never seen (recall-curve.ts).
   * `positions` (a partial index): row i's key is positions[i] instead of i (no holdOut).
   * `threads`: usearch's insertion threads (1: one insertion order; build-worker.ts rebuilds a stranded graph so).
   * `onAdded`: after each piece, how many of the rows were gone through (the build's progress).
   */
  static build(op: AnnOp, data: Float32Array, count: number, dim: number, opts: HnswOptions, holdOut: ReadonlySet<number> = new Set(), positions?: Int32Array, threads = hnswBuildThreads(), onAdded?: (rows: number) => void): HnswIndex {
    if (isBitOp(op) || !hnswSupports(op)) throw new Error(`bug: no HNSW float metric for ${op}`);
    const ef = 40;
    let vectors = data.byteOffset === 0 && data.length === count * dim ? data : data.slice(0, count * dim);
    if (op === '<#>') vectors = mipsTransform(vectors, count, dim);
    const stride = indexDims(op, dim); // dim, or dim + 1 after the MIPS transform
    // fitted on the rows as stored (already MIPS-transformed: read them as they are)
    const quant = quantizerFor(op, dim, opts, undefined, () => storedRows('<->', stride, [{ start: 0, rows: count, data: vectors }]));
    const native = newNative(op, dim, quant, opts, ef);
    const index = new HnswIndex(op, dim, count, opts, quant, native, ef);
    const add = (keys: BigUint64Array, rows: Float32Array) => native.add(keys, quant ? quant.encode(rows, keys.length) : rows, threads);
    if (count > 0) {
      const keys = new BigUint64Array(count);
      for (let i = 0; i < count; i++) keys[i] = BigInt(positions ? positions[i] : i);
      // in pieces: a worker thread terminated by a cancelled CREATE INDEX stops between two
      // (termination cannot interrupt native code)
      for (let at = 0; at < count; at += BUILD_PIECE) {
        const end = Math.min(count, at + BUILD_PIECE);
        if (![...holdOut].some((p) => p >= at && p < end)) {
          add(keys.subarray(at, end), vectors.subarray(at * stride, end * stride));
        } else {
          const rest = Array.from({ length: end - at }, (_, i) => at + i).filter((p) => !holdOut.has(p));
          if (rest.length > 0) add(BigUint64Array.from(rest, BigInt), gather(vectors, rest, stride));
        }
        onAdded?.(end);
      }
      if (holdOut.size > 0) {
        const held = [...holdOut].filter((p) => p >= 0 && p < count).sort((a, b) => a - b);
        const heldKeys = BigUint64Array.from(held, BigInt);
        const heldRows = gather(vectors, held, stride);
        index.heldOut = () => add(heldKeys, heldRows);
      }
    }
    return index;
  }

  /**
   * Add the positions build() held out. Views of a file saved before (the calibration's)
   * no longer match the graph and are dropped: the next search or fileRef() saves anew.
   */
  insertHeldOut(): void {
    const add = this.heldOut;
    if (!add) return;
    this.heldOut = undefined;
    add();
    const [firstEf, first] = this.handles.entries().next().value!;
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
    if (!isBitOp(op)) throw new Error(`bug: no bit metric for ${op}`);
    const ef = 40;
    const padded = indexDims(op, dim);
    const native = newNative(op, dim, undefined, opts, ef);
    const bytesPer = padded / 8;
    const piece = Math.max(1, Math.min(BUILD_PIECE, Math.floor((16 << 20) / padded)));
    const floats = new Float32Array(Math.min(piece, Math.max(count, 1)) * padded);
    for (let at = 0; at < count; at += piece) {
      const end = Math.min(count, at + piece);
      for (let i = at; i < end; i++) unpackBits(packed, i * bytesPer, padded, floats, (i - at) * padded);
      const keys = BigUint64Array.from({ length: end - at }, (_, i) => BigInt(at + i));
      native.add(keys, floats.subarray(0, (end - at) * padded), hnswBuildThreads());
    }
    return new HnswIndex(op, dim, count, opts, undefined, native, ef);
  }

  /**
   * Open a saved index as a memory-mapped view (fast restart). A quantized index needs its
   * center and scale: given (from the build, or another thread's fileRef), or refitted on
   * the segment's vectors.
   */
  static open(path: string, op: AnnOp, dim: number, size: number, opts: HnswOptions, params?: QuantizerParams, vectors?: () => readonly VectorChunk[]): HnswIndex {
    const ef = 40;
    const quant = quantizerFor(op, dim, opts, params, () => {
      if (!vectors) throw new Error('bug: a quantized HNSW index opened without its vectors');
      return storedRows(op, dim, vectors());
    });
    const native = newNative(op, dim, quant, opts, ef);
    native.view(path);
    const idx = new HnswIndex(op, dim, size, opts, quant, native, ef);
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
    return {
      path: this.savedFile(), op: this.op, dim: this.dimensions, size: this.size, m: this.opts.m, efConstruction: this.opts.efConstruction,
      ...(this.quant && this.quant.kind !== 'f32' ? { quantization: this.quant.kind, quantizerParams: this.quant.params } : {}),
    };
  }

  private handle(ef: number): NativeIndex {
    const existing = this.handles.get(ef);
    if (existing) return existing;
    const native = newNative(this.op, this.dimensions, this.quant, this.opts, ef);
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

  /**
   * Candidates to ask the index for and the walk's breadth: a quantized index returns
   * `rerank` times the rows wanted (at least the ef it searched with), which the executor
   * ranks again by exact distance.
   */
  private pool(n: number, ef: number): { wanted: number; breadth: number } {
    const b = this.breadth(ef);
    if (!this.quant || this.quant.rerank === 1) return { wanted: n, breadth: Math.max(b, n) };
    const wanted = Math.min(this.size, Math.max(n * this.quant.rerank, b));
    return { wanted, breadth: Math.max(b, wanted) };
  }

  /** The query as the index stores vectors: contiguous; the MIPS coordinate (0) or a bit string's padding bits added; quantized. */
  private indexQuery(query: Float32Array): Float32Array | Int8Array {
    const q = query.byteOffset === 0 && query.length === this.dimensions ? query : query.slice();
    const stored = indexDims(this.op, this.dimensions);
    let padded = q;
    if (stored !== this.dimensions) {
      padded = new Float32Array(stored);
      padded.set(q.subarray(0, this.dimensions));
    }
    return this.quant ? this.quant.encode(padded, 1) : padded;
  }

  /** the addon's view of the saved file, opened on first use (null: not built, or bits: the addon has float metrics only) */
  private addonView(): NativeFilteredIndex | null {
    if (this.filtered === undefined) this.filtered = isBitOp(this.op) ? null : openFilteredView(this.savedFile(), l1Graph(this.op, this.quant) ? 'l1' : undefined) ?? null;
    return this.filtered;
  }

  filteredSearch(query: Float32Array, k: number, ef: number, allowed: Uint8Array, budget: number): FilteredHits | undefined {
    const view = this.addonView();
    if (!view) return undefined;
    if (this.size === 0 || k <= 0) return { hits: [], computed: 0, exhausted: false };
    const n = Math.min(k, this.size);
    const { wanted, breadth } = this.pool(n, ef);
    // the caller's budget is for a walk of breadth max(ef, k); a wider quantized pool walks further
    const scaled = budget * (breadth / Math.max(this.breadth(ef), n));
    const r = view.search(this.indexQuery(query), wanted, breadth, allowed, scaled);
    const hits: AnnHit[] = [];
    for (let i = 0; i < r.positions.length; i++) hits.push({ position: r.positions[i], distance: r.distances[i] });
    return { hits, computed: r.computed, exhausted: r.exhausted };
  }

  search(query: Float32Array, k: number, ef: number): AnnHit[] {
    if (this.size === 0 || k <= 0) return [];
    const { wanted, breadth } = this.pool(Math.min(k, this.size), ef);
    // The addon takes ef per call: one memory-mapped view serves every ef, where usearch's
    // own binding needs a view per ef, each paying its first touches of the mapping again.
    const view = this.addonView();
    if (view) {
      const r = view.search(this.indexQuery(query), wanted, breadth);
      const hits: AnnHit[] = [];
      for (let i = 0; i < r.positions.length; i++) hits.push({ position: r.positions[i], distance: r.distances[i] });
      return hits;
    }
    const native = this.handle(breadth);
    const m = native.search(this.indexQuery(query), wanted);
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
