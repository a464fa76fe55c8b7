/**
 * Recall calibration: when a segment's index is built, measure recall@k at a ladder of
 * search breadths (HNSW's ef, IVFFlat's probes) with sample queries drawn from the segment
 * itself, so that a query can later ask for a recall (quiver.target_recall) and get the
 * breadth that reaches it on this segment (planner/recall-target.ts).
 *
 * Held out: the sample queries are vectors of the segment that the graph does not hold
 * yet (HnswIndex.build leaves them out until insertHeldOut), so they are new to the index
 * as a user's query is, and drawn from the segment's own distribution. Measured with
 * stored vectors as queries instead (their own position dropped from both answers) the
 * curve came out optimistic: 0.947 at ef 10 on Fashion-MNIST where 1,000 test queries
 * reach 0.926, as such a query's walk starts right at itself. IVFFlat's lists hold every
 * row, so there the samples stay in and are dropped from both answers: a row in its own
 * list does not help to find its neighbours (the centers were trained before).
 */
import simsimd from 'simsimd';
import usearch from 'usearch';
import type { AnnIndex, DistanceOp } from './api.js';

export interface RecallPoint {
  /** HNSW: ef; IVFFlat: probes */
  readonly breadth: number;
  /** mean recall@k of the sample queries at this breadth */
  readonly recall: number;
}

/** A segment index's recall-vs-breadth curve (plain data: it is kept in the segment manifest). */
export interface RecallCurve {
  /** the k of recall@k */
  readonly k: number;
  /** sample queries measured */
  readonly samples: number;
  /** ascending breadth */
  readonly points: readonly RecallPoint[];
  /**
   * Sample queries that found none of their neighbours at the default breadth
   * (DEFAULT_BREADTH) but some at the widest breadth measured: the walk cannot reach
   * their region of the graph (build-worker.ts rebuilds such a graph). Absent: none.
   */
  readonly stranded?: number;
}

/** hnsw.ef_search's default: the breadth most queries are run at */
export const DEFAULT_BREADTH = 40;

/** recall@10, as the usual benchmarks (and the bench) report it */
export const CURVE_K = 10;
const MAX_SAMPLES = 100;
/** below this many rows a segment gets no curve (any ef reads most of it anyway) */
export const MIN_CURVE_ROWS = 200;
/** HNSW's ladder: ×1.5 steps (fine enough to interpolate), up to the largest hnsw.ef_search */
export const EF_LADDER = [10, 15, 20, 30, 40, 60, 80, 120, 160, 240, 320, 480, 640, 1000];

/** IVFFlat's ladder: probes in ×1.5 steps, up to every list */
export function probesLadder(lists: number): number[] {
  const out: number[] = [];
  for (let p = 1; p < lists; p = Math.max(p + 1, Math.round(p * 1.5))) out.push(p);
  out.push(lists);
  return out;
}

/** recall treated as reached: the ladder stops there */
const FULL = 0.999;

/** exact neighbours asked beyond k: held-out rows among them are dropped */
const EXTRA = 10;

/** usearch's exact search metric per operator; L1 (which usearch has not) is ranked here (exactL1) */
const EXACT_METRIC: Record<DistanceOp, string> = { '<->': 'l2sq', '<#>': 'ip', '<=>': 'cos', '<+>': 'l1' };

function l1(q: Float32Array, v: Float32Array): number {
  let s = 0;
  for (let j = 0; j < q.length; j++) s += Math.abs(q[j] - v[j]);
  return s;
}

/** The `want` nearest rows by L1 for each query, as usearch.exactSearch lays them out. */
function exactL1(data: Float32Array, queries: Float32Array, dim: number, count: number, want: number): { keys: BigUint64Array } {
  const nq = queries.length / dim;
  const keys = new BigUint64Array(nq * want);
  // the best `want` so far, ascending (insertion: `want` is k + a few)
  const bestD = new Float64Array(want);
  const bestR = new Int32Array(want);
  for (let i = 0; i < nq; i++) {
    const q = queries.subarray(i * dim, (i + 1) * dim);
    let n = 0;
    for (let r = 0; r < count; r++) {
      const d = l1(q, data.subarray(r * dim, (r + 1) * dim));
      if (n === want && d >= bestD[n - 1]) continue;
      let j = n < want ? n++ : n - 1;
      for (; j > 0 && bestD[j - 1] > d; j--) {
        bestD[j] = bestD[j - 1];
        bestR[j] = bestR[j - 1];
      }
      bestD[j] = d;
      bestR[j] = r;
    }
    for (let j = 0; j < n; j++) keys[i * want + j] = BigInt(bestR[j]);
  }
  return { keys };
}

/**
 * The positions to hold out as sample queries: spread over the segment at a fixed stride,
 * skipping zero vectors (NULL vectors are stored as zeros; a cosine query of zeros has no
 * answer). Empty when the segment is too small or the operator gets no curve.
 */
export function curveSamples(vectors: Float32Array, count: number, dim: number, op: DistanceOp): Set<number> {
  const out = new Set<number>();
  if (!EXACT_METRIC[op] || count < MIN_CURVE_ROWS) return out;
  const want = Math.min(MAX_SAMPLES, Math.floor(count / 2));
  const stride = count / want;
  for (let i = 0; i < want; i++) {
    const pos = Math.floor(i * stride + stride / 2) % count;
    let zero = true;
    for (let j = pos * dim, end = j + dim; j < end && zero; j++) zero = vectors[j] === 0;
    if (!zero) out.add(pos);
  }
  return out;
}

/**
 * The curve of `index` over `count` float vectors (`dim` each, `vectors` starting at offset
 * 0 of its buffer: usearch's exact search ignores byteOffset), queried with the sample
 * positions `held` (curveSamples) at each breadth of `ladder`. `inIndex`: the samples are
 * in the index (IVFFlat), so its answers are asked for EXTRA more and the samples dropped
 * (the query's own row, and now and then another sample among its neighbours).
 * Undefined without samples. Throws only on a bug: the builders then keep the index
 * without a curve (the session's setting applies to it).
 */
export function measureRecallCurve(
  index: Pick<AnnIndex, 'search'>, vectors: Float32Array, count: number, dim: number, op: DistanceOp, held: ReadonlySet<number>,
  ladder: readonly number[], inIndex = false, threads = 2,
): RecallCurve | undefined {
  const metric = EXACT_METRIC[op];
  if (!metric || held.size === 0) return undefined;
  const k = CURVE_K;
  const positions = [...held];
  // usearch's exact search takes neither an offset nor shared memory (a segment's column
  // may be a view of its SharedArrayBuffer): "Invalid argument"
  const plain = vectors.byteOffset === 0 && vectors.length === count * dim && vectors.buffer instanceof ArrayBuffer;
  const data = plain ? vectors : vectors.slice(0, count * dim);
  const queries = new Float32Array(positions.length * dim);
  positions.forEach((p, i) => queries.set(data.subarray(p * dim, (p + 1) * dim), i * dim));
  // the exact answer among the other rows: over all rows, then without the samples
  const want = Math.min(count, k + EXTRA);
  const exact = metric === 'l1' ? exactL1(data, queries, dim, count, want) : usearch.exactSearch(data, queries, dim, want, metric as never, threads) as unknown as { keys: BigUint64Array };
  const truth = positions.map((_, i) => {
    const ids: number[] = [];
    for (let j = 0; j < want && ids.length < k; j++) {
      const id = Number(exact.keys[i * want + j]);
      if (!held.has(id)) ids.push(id);
    }
    return ids;
  });
  const points: RecallPoint[] = [];
  // per sample: found none at the default breadth; found some at the latest breadth
  const missedAtDefault = new Array<boolean>(positions.length).fill(false);
  const foundLast = new Array<boolean>(positions.length).fill(false);
  for (const breadth of ladder) {
    let found = 0;
    let total = 0;
    positions.forEach((_, i) => {
      const q = queries.slice(i * dim, (i + 1) * dim);
      const hits = index.search(q, inIndex ? k + EXTRA : k, breadth).map((h) => h.position).filter((p) => !held.has(p));
      const got = new Set(rerank(hits, q, data, dim, op).slice(0, k));
      let mine = 0;
      for (const id of truth[i]) if (got.has(id)) mine++;
      found += mine;
      total += truth[i].length;
      if (breadth === DEFAULT_BREADTH) missedAtDefault[i] = mine === 0 && truth[i].length > 0;
      foundLast[i] = mine > 0;
    });
    const recall = total === 0 ? 1 : found / total;
    points.push({ breadth, recall: Math.round(recall * 10000) / 10000 });
    if (recall >= FULL || plateau(points)) break;
  }
  const stranded = positions.filter((_, i) => missedAtDefault[i] && foundLast[i]).length;
  return { k, samples: positions.length, points, ...(stranded > 0 ? { stranded } : {}) };
}

/**
 * Positions by exact distance to `q`, as the executor ranks an index's candidates (a
 * quantized index returns more than k, ordered by its approximate distances).
 */
function rerank(positions: readonly number[], q: Float32Array, data: Float32Array, dim: number, op: DistanceOp): number[] {
  const d = (p: number) => {
    const v = data.subarray(p * dim, (p + 1) * dim);
    return op === '<->' ? simsimd.sqeuclidean(q, v) : op === '<#>' ? -simsimd.inner(q, v) : op === '<+>' ? l1(q, v) : simsimd.cosine(q, v);
  };
  return positions.map((p) => ({ p, d: d(p) })).sort((a, b) => a.d - b.d).map((x) => x.p);
}

/**
 * Past 0.99 and at most 0.003 gained over the last two steps: the graph's ceiling (a
 * synthetic 100k × 128 set crept from 0.994 at ef 160 to 0.997 at ef 640; the steps
 * beyond 160 cost 1.1 s of a 5 s calibration). A target above it gets twice the last ef.
 */
function plateau(points: readonly RecallPoint[]): boolean {
  const n = points.length;
  return n >= 3 && points[n - 1].recall >= 0.99 && points[n - 1].recall - points[n - 3].recall <= 0.003 + 1e-9;
}

/** A curve read back from a manifest, checked (anything malformed: no curve). */
export function parseRecallCurve(x: unknown): RecallCurve | undefined {
  const c = x as RecallCurve | undefined;
  if (!c || typeof c.k !== 'number' || !Array.isArray(c.points) || c.points.length === 0) return undefined;
  if (!c.points.every((p) => typeof p?.breadth === 'number' && typeof p?.recall === 'number')) return undefined;
  return c;
}
