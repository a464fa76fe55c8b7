/**
 * Quantized storage of HNSW indexes (CREATE INDEX … WITH (quantization = …)): how a
 * segment's vectors are stored in the index file, and how a query is put in the same form.
 * The graph is walked on the quantized vectors only; the segment keeps its float32 vectors,
 * and the executor ranks every candidate the index returns by pgvector's exact kernel on
 * them, so a quantized index changes which rows are found, never their distances. It
 * returns more candidates than asked for (`rerank`) to give the exact re-rank room.
 *
 *   f32  the vectors as they are (the default)
 *   f16  half floats (usearch converts)
 *   i8   one signed byte a dimension: (x − center) × scale, with the segment's per-dimension
 *        mean as center and one scale for the segment (127 / the largest deviation from the
 *        mean), ranked by L2 in the graph: that keeps L2 ranking up to rounding. usearch's
 *        own float → i8 cast scales every vector to unit length instead, which drops the
 *        norms L2 ranks by (Fashion-MNIST, 20k rows, 200 queries, 80 candidates re-ranked:
 *        recall@10 0.876 with usearch's cast, 1.000 with this one). For cosine the vectors are scaled to unit length first (on unit
 *        vectors L2 ranks as cosine does); centering then spends the 8 bits on what tells
 *        the rows apart, not on the direction they share (clustered 10k × 128, ef 40, 100
 *        queries, 40 candidates: recall@10 0.973 uncentered, as usearch quantizes, 0.980
 *        centered).
 *   b1   one bit a dimension (binary quantization), Hamming distance in the graph: the sign
 *        of each coordinate after the same centering (cosine: of the unit vectors).
 *        Pixel-like data is all positive: uncentered signs would say little.
 *
 * The center and scale are derived from the segment's vectors, deterministically (sums in
 * float64, in row order), so they are recomputed when an index file is opened again
 * rather than stored beside it.
 */

export type Quantization = 'f32' | 'f16' | 'i8' | 'b1';
export const QUANTIZATIONS: readonly Quantization[] = ['f32', 'f16', 'i8', 'b1'];

/** The metric the index ranks by before quantization (the MIPS-reduced inner product is l2sq). */
export type FloatMetric = 'l2sq' | 'cos';

/** The data-derived part of a quantizer (plain data: it crosses to query workers). */
export interface QuantizerParams {
  /** per-dimension mean subtracted before quantizing (i8 and b1 on l2sq) */
  readonly center?: Float32Array;
  /** i8 on l2sq: multiplier after centering */
  readonly scale?: number;
}

/** Visits every stored-form row of a segment, in position order (`row` is reused). */
export type RowSource = (visit: (row: Float32Array) => void) => void;

/**
 * Candidates fetched per row wanted before the exact re-rank (the executor keeps the best k
 * by exact distance): the walk's breadth is max(ef_search, k × rerank) and it returns all
 * of them. On 10k × 128 clustered rows at ef_search 40 (test/vector-quantization.test.ts)
 * f16 and i8 then reach recall@10 0.97-1.0; f16 had 4 (a pool of 40) until it measured
 * 0.942-0.946 in one build of three there (HNSW's threaded build varies). b1's Hamming graph
 * needs a far wider pool and still finds less (0.7-0.8 there, 500 candidates for k = 10).
 */
const RERANK: Record<Quantization, number> = { f32: 1, f16: 8, i8: 8, b1: 50 };

export interface Quantizer {
  readonly kind: Quantization;
  /** usearch's scalar kind for the index */
  readonly scalar: 'f32' | 'f16' | 'i8' | 'b1';
  /** usearch's metric for the index */
  readonly metric: 'l2sq' | 'cos' | 'hamming';
  /** dimensions of a stored vector (b1: padded with zero bits to whole bytes) */
  readonly dims: number;
  readonly params: QuantizerParams;
  /** candidates per wanted row before the exact re-rank */
  readonly rerank: number;
  /** `count` stored-form rows of `width` floats → what usearch's add/search takes */
  encode(rows: Float32Array, count: number): Float32Array | Int8Array;
}

/** Fit center (and scale for i8) over the stored-form rows (unit rows for cosine); none for f32 and f16. */
export function fitQuantizer(kind: Quantization, metric: FloatMetric, width: number, source: RowSource): QuantizerParams {
  if (kind !== 'i8' && kind !== 'b1') return {};
  const unit = new Float32Array(width);
  const rows: RowSource = metric === 'cos' ? (visit) => source((r) => visit(toUnit(r, 0, width, unit))) : source;
  // one pass: the sums, and each dimension's range (the largest deviation from the mean is
  // at one end of it), so reopening a large segment reads its vectors once
  const sum = new Float64Array(width);
  const lo = new Float64Array(width).fill(Infinity);
  const hi = new Float64Array(width).fill(-Infinity);
  let n = 0;
  if (kind === 'b1') {
    rows((r) => {
      for (let j = 0; j < width; j++) sum[j] += r[j];
      n++;
    });
  } else {
    rows((r) => {
      for (let j = 0; j < width; j++) {
        const v = r[j];
        sum[j] += v;
        if (v < lo[j]) lo[j] = v;
        if (v > hi[j]) hi[j] = v;
      }
      n++;
    });
  }
  const center = new Float32Array(width);
  if (n > 0) for (let j = 0; j < width; j++) center[j] = sum[j] / n;
  if (kind === 'b1') return { center };
  let maxDev = 0;
  if (n > 0) for (let j = 0; j < width; j++) maxDev = Math.max(maxDev, hi[j] - center[j], center[j] - lo[j]);
  return { center, scale: maxDev > 0 ? 127 / maxDev : 1 };
}

export function makeQuantizer(kind: Quantization, metric: FloatMetric, width: number, params: QuantizerParams): Quantizer {
  const rerank = RERANK[kind];
  switch (kind) {
    case 'f32':
    case 'f16':
      return { kind, scalar: kind, metric, dims: width, params, rerank, encode: (rows) => rows };
    case 'i8':
      return { kind, scalar: 'i8', metric: 'l2sq', dims: width, params, rerank, encode: (rows, count) => encodeI8(rows, count, width, metric, params) };
    case 'b1': {
      const dims = Math.ceil(width / 8) * 8;
      return { kind, scalar: 'b1', metric: 'hamming', dims, params, rerank, encode: (rows, count) => centerRows(rows, count, width, dims, metric, params) };
    }
  }
}

/** Row `i` of `rows` scaled to unit length, into `out` (a zero row stays zero). */
function toUnit(rows: Float32Array, i: number, width: number, out: Float32Array): Float32Array {
  let n = 0;
  for (let j = 0, o = i * width; j < width; j++) n += rows[o + j] * rows[o + j];
  const f = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (let j = 0, o = i * width; j < width; j++) out[j] = rows[o + j] * f;
  return out;
}

/** Row `i` as the quantizer sees it: unit length for cosine, else a view of the row. */
function rowOf(rows: Float32Array, i: number, width: number, metric: FloatMetric, unit: Float32Array): Float32Array {
  return metric === 'cos' ? toUnit(rows, i, width, unit) : rows.subarray(i * width, (i + 1) * width);
}

function encodeI8(rows: Float32Array, count: number, width: number, metric: FloatMetric, params: QuantizerParams): Int8Array {
  const out = new Int8Array(count * width);
  const unit = new Float32Array(width);
  const c = params.center!;
  const scale = params.scale!;
  for (let i = 0; i < count; i++) {
    const r = rowOf(rows, i, width, metric, unit);
    for (let j = 0, o = i * width; j < width; j++) {
      const v = Math.round((r[j] - c[j]) * scale);
      out[o + j] = v > 127 ? 127 : v < -127 ? -127 : v;
    }
  }
  return out;
}

/** Rows minus the center, padded to `dims` with zeros: usearch's b1 cast sets the bits of positive values. */
function centerRows(rows: Float32Array, count: number, width: number, dims: number, metric: FloatMetric, params: QuantizerParams): Float32Array {
  const out = new Float32Array(count * dims);
  const unit = new Float32Array(width);
  const c = params.center!;
  for (let i = 0; i < count; i++) {
    const r = rowOf(rows, i, width, metric, unit);
    for (let j = 0, p = i * dims; j < width; j++) out[p + j] = r[j] - c[j];
  }
  return out;
}

/** The PostgreSQL-style reloption check: case-insensitive, as an enum reloption. */
export function parseQuantization(text: string): Quantization | undefined {
  const v = text.toLowerCase();
  return (QUANTIZATIONS as readonly string[]).includes(v) ? (v as Quantization) : undefined;
}
