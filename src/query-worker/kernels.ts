/**
 * The ranking kernel of vector top-k, shared by the coordinator's candidate heap
 * (executor/vector-candidates.ts) and the query workers: a worker's per-range top-k is a
 * superset of what the coordinator's heap would have kept from that range only if both
 * rank with the same function, so both take it from here.
 */
import simsimd from 'simsimd';
import type { DistanceOp } from '../ann/api.js';
import { distanceFunction } from '../types/vector.js';
import { halfvecDistanceFunction } from '../types/halfvec.js';
import { ADDON_METRIC, exactTopkAddon } from './native-addon.js';

export type Kernel = (a: Float32Array, b: Float32Array) => number;

/** vectors shorter than this are cheaper to rank exactly than to call into simsimd */
export const FAST_MIN_DIMS = 32;

/** a function ordered like the operator (not equal to it), or undefined (L1: use the exact one) */
export function fastKernel(op: DistanceOp): Kernel | undefined {
  switch (op) {
    case '<->': return (a, b) => simsimd.sqeuclidean(a, b);
    case '<#>': return (a, b) => -simsimd.inner(a, b);
    case '<=>': return (a, b) => simsimd.cosine(a, b);
    case '<+>': return undefined;
  }
}

/**
 * The rank kernel's value for a row whose pgvector distance is `exact`, or undefined when
 * the caller must rank it with the fast kernel itself. The fast kernels order like the
 * operator and differ from it by rounding within exactNeededBound, except that the squared
 * L2 is the operator's square; the inner product has no bound: a row ranked by its exact
 * distance could then pass an equal row ranked by the fast one, out of tie order. (With no
 * fast kernel the rank kernel is the exact one.)
 */
export function rankOfExact(op: DistanceOp, twoStep: boolean, exact: number): number | undefined {
  if (!twoStep) return exact;
  if (op === '<->') return exact * exact;
  return exactNeededBound(op, exact) === undefined ? undefined : exact;
}

/** from this many dimensions the addon's exact kernel beats the JavaScript one (call overhead) */
export const NATIVE_EXACT_MIN_DIMS = 64;

/**
 * pgvector's exact distance for the operator (halfvec: on float16-exact values). Long float
 * vectors go through the addon's copy of the same kernel (equal bit for bit): the re-ranking
 * of a top-k's candidates spent ~80 µs per query in JavaScript at 784 dimensions.
 */
export function exactKernel(op: DistanceOp, half: boolean): Kernel {
  // made once per operator: every top-k (each k-NN query) asks for it
  const key = half ? `h${op}` : op;
  let kernel = exactKernels.get(key);
  if (!kernel) exactKernels.set(key, (kernel = makeExactKernel(op, half)));
  return kernel;
}

const exactKernels = new Map<string, Kernel>();

function makeExactKernel(op: DistanceOp, half: boolean): Kernel {
  const js = half ? halfvecDistanceFunction(op) : distanceFunction(op);
  const metric = ADDON_METRIC[op];
  const addon = half || metric === undefined ? null : exactTopkAddon();
  if (!addon) return js;
  return (a, b) => {
    if (a.length < NATIVE_EXACT_MIN_DIMS || a.length !== b.length) return js(a, b);
    return addon.pgDistance(a, b, metric!);
  };
}

/** The kernel top-k ranks with for `dims`-dimensional vectors: fast when it exists and pays. */
export function rankKernel(op: DistanceOp, half: boolean, dims: number): { rank: Kernel; twoStep: boolean } {
  const fast = dims >= FAST_MIN_DIMS ? fastKernel(op) : undefined;
  return fast ? { rank: fast, twoStep: true } : { rank: exactKernel(op, half), twoStep: false };
}

/** How many candidates a two-step top-k keeps for the exact re-ranking of the best k. */
export function candidateCap(k: number, twoStep: boolean): number {
  return twoStep ? k + 16 + Math.ceil(k / 10) : k;
}

/**
 * The largest fast-kernel distance a candidate may have and still need its exact distance,
 * given the k-th best fast distance; undefined: every candidate needs it. The fast kernels
 * differ from pgvector's by rounding only (float32 sums: relative error below 1e-4 for
 * squared L2, whose terms are all positive; absolute below 1e-4 for cosine, in [0, 2]): a
 * candidate further than that from the k-th cannot overtake it, so the top-k of a two-step
 * search computes ~k exact distances instead of k + margin. The inner product has no such
 * bound (its terms cancel), so all its candidates are measured.
 */
export function exactNeededBound(op: DistanceOp, kthFast: number): number | undefined {
  switch (op) {
    case '<->': return kthFast * (1 + 1e-3) + 1e-30;
    case '<=>': return kthFast + 1e-3;
    default: return undefined;
  }
}

/**
 * The best `cap` positions by distance, NaN last, ties by smaller position (positions must
 * be offered in increasing order for that): a bounded max-heap.
 */
export class BestPositions {
  private readonly d: number[] = [];
  private readonly p: number[] = [];

  constructor(private readonly cap: number) {}

  /** true if (da, pa) ranks after (db, pb) */
  private static worse(da: number, pa: number, db: number, pb: number): boolean {
    const an = Number.isNaN(da);
    const bn = Number.isNaN(db);
    if (an !== bn) return an;
    if (!an && da !== db) return da > db;
    return pa > pb;
  }

  offer(dist: number, pos: number): void {
    const d = this.d;
    const p = this.p;
    if (d.length < this.cap) {
      d.push(dist); p.push(pos);
      let i = d.length - 1;
      while (i > 0) {
        const up = (i - 1) >> 1;
        if (!BestPositions.worse(d[i], p[i], d[up], p[up])) break;
        [d[i], d[up]] = [d[up], d[i]]; [p[i], p[up]] = [p[up], p[i]];
        i = up;
      }
      return;
    }
    if (this.cap === 0 || !BestPositions.worse(d[0], p[0], dist, pos)) return;
    d[0] = dist; p[0] = pos;
    const n = d.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && BestPositions.worse(d[l], p[l], d[m], p[m])) m = l;
      if (r < n && BestPositions.worse(d[r], p[r], d[m], p[m])) m = r;
      if (m === i) break;
      [d[i], d[m]] = [d[m], d[i]]; [p[i], p[m]] = [p[m], p[i]];
      i = m;
    }
  }

  /** best first */
  result(): { positions: Int32Array; distances: Float64Array } {
    const order = this.d.map((_, i) => i).sort((a, b) => (BestPositions.worse(this.d[a], this.p[a], this.d[b], this.p[b]) ? 1 : -1));
    return { positions: Int32Array.from(order, (i) => this.p[i]), distances: Float64Array.from(order, (i) => this.d[i]) };
  }
}
