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

  /**
   * A candidate whose rank kernel value is known (an index's hit distance: AnnIndex
   * rankDistances); its pgvector distance is computed only if finish() needs it.
   */
  offerRank(row: Row, vec: Float32Array, seq: number, rank: number): void {
    if (!this.twoStep) {
      this.offer(row, vec, seq);
      return;
    }
    this.considered++;
    // let the exact kernel raise pgvector's dimension error
    if (vec.length !== this.query.length) this.exact(vec, this.query);
    this.keep(rank, seq, row, vec, undefined);
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
    const ranked = this.twoStep ? this.rankedByNearTies(slots) : undefined;
    if (ranked) return ranked;
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

  /**
   * finish()'s answer computing pgvector's distance only where the rank values cannot tell
   * the order: sorted by rank value, a candidate whose value is beyond exactNeededBound of
   * the one before it ranks after it (and all before it) by exact distance too, so exact
   * distances are needed only within runs of near ties (a k-NN query's 10 hits: usually
   * none). L2 only (pgvector's cosine distance of a zero vector is NaN where the rank
   * kernel's is a number); undefined (measure them all) otherwise or for NaN values.
   */
  private rankedByNearTies(slots: number[]): Row[] | undefined {
    const d = this.d;
    if (this.op !== '<->') return undefined;
    for (const s of slots) if (Number.isNaN(d[s])) return undefined;
    const bySeq = (a: number, b: number) => this.seq[a] - this.seq[b];
    const sorted = slots.length <= 32 ? insertionSorted(slots, d, this.seq) : [...slots].sort((a, b) => d[a] - d[b] || bySeq(a, b));
    const out: Row[] = [];
    for (let i = 0; i < sorted.length && out.length < this.k;) {
      let j = i + 1;
      while (j < sorted.length && !(d[sorted[j]] > exactNeededBound(this.op, d[sorted[j - 1]])!)) j++;
      if (j - i === 1) out.push(this.rows[sorted[i]]);
      else {
        const run = sorted.slice(i, j);
        const exact = new Map(run.map((s) => [s, this.measured[s] ?? this.exact(this.vecs[s], this.query)]));
        run.sort((a, b) => {
          const x = exact.get(a)!;
          const y = exact.get(b)!;
          const xn = Number.isNaN(x);
          const yn = Number.isNaN(y);
          if (xn !== yn) return xn ? 1 : -1;
          if (!xn && x !== y) return x - y;
          return bySeq(a, b);
        });
        for (const s of run) if (out.length < this.k) out.push(this.rows[s]);
      }
      i = j;
    }
    return out;
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

/** slots by (d, seq) ascending: for the few candidates of a k-NN query cheaper than sort() with a comparator */
function insertionSorted(slots: readonly number[], d: readonly number[], seq: readonly number[]): number[] {
  const out = slots.slice();
  for (let i = 1; i < out.length; i++) {
    const s = out[i]!;
    let j = i - 1;
    while (j >= 0 && (d[out[j]!]! > d[s]! || (d[out[j]!] === d[s] && seq[out[j]!]! > seq[s]!))) {
      out[j + 1] = out[j]!;
      j--;
    }
    out[j + 1] = s;
  }
  return out;
}
