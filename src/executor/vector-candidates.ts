/**
 * Exact vector top-k in two steps: rank every row with a fast SIMD kernel (simsimd)
 * keeping a bounded heap of k + margin candidates, then compute pgvector's exact
 * distance for those candidates only and keep the best k. The distances a query
 * returns, and their order, are therefore pgvector's; the SIMD kernel only decides
 * which k + margin rows are worth the exact computation (its relative error, ~1e-6, is
 * far below the gap the margin covers). A candidate offered with its pgvector distance
 * already known (offerMeasured: an exact scan ranked by pgvector's kernel) is not measured
 * again.
 */
import type { Row } from '../types/types.js';
import { candidateCap, exactKernel, exactNeededBound, rankKernel, rankOfExact, type Kernel } from '../query-worker/kernels.js';

export type DistanceOperator = '<->' | '<#>' | '<=>' | '<+>';

export class VectorCandidates {
  private readonly exact: Kernel;
  private readonly rank: Kernel;
  private readonly twoStep: boolean;
  private readonly cap: number;
  private readonly d: number[] = [];
  private readonly seq: number[] = [];
  private readonly rows: Row[] = [];
  private readonly vecs: Float32Array[] = [];
  /** pgvector's distance of a slot offered with it (offerMeasured), else undefined */
  private readonly measured: (number | undefined)[] = [];
  /** max-heap of slots by (d, seq): the worst kept candidate on top */
  private readonly heap: number[] = [];
  /**
   * slots of candidates past the cap whose fast distance is within the kernel's rounding of
   * the worst kept one: more near ties than the cap holds (many copies of one vector) must
   * still reach the exact ranking, or the fast kernel's rounding picks among them
   */
  private spill: number[] = [];
  considered = 0;

  constructor(private readonly k: number, private readonly op: DistanceOperator, half: boolean, private readonly query: Float32Array) {
    this.exact = exactKernel(op, half);
    // the kernel (and cap) query workers rank with too: see query-worker/kernels.ts
    ({ rank: this.rank, twoStep: this.twoStep } = rankKernel(op, half, query.length));
    this.cap = candidateCap(k, this.twoStep);
  }

  private worse(i: number, j: number): boolean {
    const a = this.d[i];
    const b = this.d[j];
    // NaN (pgvector's cosine distance to a zero vector) sorts after every number
    const an = Number.isNaN(a);
    const bn = Number.isNaN(b);
    if (an !== bn) return an;
    if (!an && a !== b) return a > b;
    return this.seq[i] > this.seq[j];
  }

  offer(row: Row, vec: Float32Array, seq: number): void {
    this.considered++;
    if (vec.length !== this.query.length) {
      // let the exact kernel raise pgvector's dimension error
      this.exact(vec, this.query);
    }
    this.keep(this.rank(vec, this.query), seq, row, vec, undefined);
  }

  /** A candidate whose pgvector distance is known (its dimension was checked with it). */
  offerMeasured(row: Row, vec: Float32Array, seq: number, distance: number): void {
    this.considered++;
    this.keep(rankOfExact(this.op, this.twoStep, distance) ?? this.rank(vec, this.query), seq, row, vec, distance);
  }

  private keep(d: number, seq: number, row: Row, vec: Float32Array, measured: number | undefined): void {
    const h = this.heap;
    if (h.length < this.cap) {
      const slot = this.d.length;
      this.d.push(d); this.seq.push(seq); this.rows.push(row); this.vecs.push(vec); this.measured.push(measured);
      h.push(slot);
      let i = h.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.worse(h[i], h[p])) break;
        [h[i], h[p]] = [h[p], h[i]];
        i = p;
      }
      return;
    }
    const top = h[0];
    const t = this.d[top];
    const better = Number.isNaN(d) ? false : Number.isNaN(t) || d < t || (d === t && seq < this.seq[top]);
    if (!better) {
      this.keepNearTie(d, seq, row, vec, measured, t);
      return;
    }
    const evicted = { seq: this.seq[top], row: this.rows[top], vec: this.vecs[top], measured: this.measured[top] };
    this.d[top] = d; this.seq[top] = seq; this.rows[top] = row; this.vecs[top] = vec; this.measured[top] = measured;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.worse(h[l], h[m])) m = l;
      if (r < n && this.worse(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
    this.keepNearTie(t, evicted.seq, evicted.row, evicted.vec, evicted.measured, this.d[h[0]]);
  }

  /** Keep a candidate the heap has no room for if it is within rounding of the worst kept (`worst`). */
  private keepNearTie(d: number, seq: number, row: Row, vec: Float32Array, measured: number | undefined, worst: number): void {
    if (!this.twoStep) return;
    const bound = exactNeededBound(this.op, worst);
    if (bound === undefined || !(d <= bound)) return;
    this.spill.push(this.d.length);
    this.d.push(d); this.seq.push(seq); this.rows.push(row); this.vecs.push(vec); this.measured.push(measured);
    if (this.spill.length > this.cap) {
      // the heap got better since: drop what is no longer near it
      const now = exactNeededBound(this.op, this.d[this.heap[0]])!;
      this.spill = this.spill.filter((s) => this.d[s] <= now);
    }
  }

  /** The best k rows by pgvector's exact distance (ties: earlier offered first). */
  finish(): Row[] {
    const slots = this.needingExact();
    const exact = slots.map((s) => this.measured[s] ?? (this.twoStep ? this.exact(this.vecs[s], this.query) : this.d[s]));
    const order = slots.map((_, i) => i).sort((a, b) => {
      const x = exact[a];
      const y = exact[b];
      const xn = Number.isNaN(x);
      const yn = Number.isNaN(y);
      if (xn !== yn) return xn ? 1 : -1;
      if (!xn && x !== y) return x - y;
      return this.seq[slots[a]] - this.seq[slots[b]];
    });
    return order.slice(0, this.k).map((i) => this.rows[slots[i]]);
  }

  /** the kept candidates that can still be among the best k by exact distance */
  private needingExact(): number[] {
    const slots = [...this.heap, ...this.spill];
    if (!this.twoStep || slots.length <= this.k) return slots;
    const fast = slots.map((s) => this.d[s]).filter((d) => !Number.isNaN(d)).sort((a, b) => a - b);
    if (fast.length < this.k) return slots;
    const bound = exactNeededBound(this.op, fast[this.k - 1]);
    // NaN (a zero vector's cosine) stays: it is compared, not bounded
    return bound === undefined ? slots : slots.filter((s) => !(this.d[s] > bound));
  }
}
