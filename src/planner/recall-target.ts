/**
 * quiver.target_recall: the search breadth per segment (HNSW's ef, IVFFlat's probes) that
 * reaches a recall, read off the recall-vs-breadth curve measured when the segment's
 * index was built (ann/recall-curve.ts), instead of one hnsw.ef_search / ivfflat.probes
 * for every segment.
 *
 *   - the smallest breadth whose measured recall reaches the target, interpolated between
 *     the two ladder steps around it (recall is about linear in log breadth there);
 *   - a target above the best measured recall: twice the largest measured breadth (capped),
 *     the estimate then being that best recall (a lower bound);
 *   - HNSW: scaled by k / 10 for k above the curve's 10 (recall@k at a fixed ef falls as k
 *     grows: the walk must hold k good candidates), and never below k;
 *   - a segment without a curve (built before calibration, too small, a bit index): the
 *     session's setting, no estimate.
 *
 * Fashion-MNIST (one 60k-row segment, l2, m 16): the curve measured 0.906 at ef 10 and
 * 0.952 at ef 15, so a target of 0.95 picks ef 15, where its 1,000 test queries reach 0.956.
 */
import type { RecallCurve } from '../ann/recall-curve.js';

/** the largest ef a target may ask for (hnsw.ef_search's own maximum) */
export const MAX_TARGET_EF = 1000;

export interface BreadthChoice {
  readonly breadth: number;
  /** the curve's recall at that breadth (undefined: no curve, the setting applied) */
  readonly estRecall?: number;
}

export interface BreadthRule {
  readonly kind: 'hnsw' | 'ivfflat';
  /** the largest breadth: MAX_TARGET_EF, or the index's lists */
  readonly max: number;
}

export function breadthForRecall(curve: RecallCurve | undefined, target: number, k: number, fallback: number, rule: BreadthRule): BreadthChoice {
  if (!curve || curve.points.length === 0) return { breadth: fallback };
  const pts = curve.points;
  let b: number;
  let est: number;
  const at = pts.findIndex((p) => p.recall >= target);
  if (at === 0) {
    b = pts[0].breadth;
    est = pts[0].recall;
  } else if (at > 0) {
    const lo = pts[at - 1];
    const hi = pts[at];
    const f = (target - lo.recall) / (hi.recall - lo.recall);
    b = Math.ceil(lo.breadth * Math.pow(hi.breadth / lo.breadth, f) - 1e-9);
    est = target;
  } else {
    const last = pts[pts.length - 1];
    b = last.breadth * 2;
    est = last.recall;
  }
  if (rule.kind === 'hnsw') b = Math.max(k, k > curve.k ? Math.ceil((b * k) / curve.k) : b);
  return { breadth: Math.max(1, Math.min(b, rule.max)), estRecall: est };
}

/** The per-segment breadths and estimates of one vector Top-K, for EXPLAIN ANALYZE. */
export interface TargetRecallStats {
  readonly target: number;
  /** 'ef' or 'probes' */
  readonly label: string;
  /** hnsw.ef_search or ivfflat.probes: the breadth of segments without a curve */
  readonly fallback: number;
  min: number;
  max: number;
  recallMin: number;
  recallMax: number;
  /** segments with a curve */
  calibrated: number;
  /** segments without one (hnsw.ef_search applied) */
  uncalibrated: number;
}

export function noteBreadthChoice(stats: TargetRecallStats, c: BreadthChoice): void {
  if (c.estRecall === undefined) {
    stats.uncalibrated++;
    return;
  }
  stats.calibrated++;
  stats.min = Math.min(stats.min, c.breadth);
  stats.max = Math.max(stats.max, c.breadth);
  stats.recallMin = Math.min(stats.recallMin, c.estRecall);
  stats.recallMax = Math.max(stats.recallMax, c.estRecall);
}

export function emptyTargetRecallStats(target: number, label: string, fallback: number): TargetRecallStats {
  return { target, label, fallback, min: Infinity, max: -Infinity, recallMin: Infinity, recallMax: -Infinity, calibrated: 0, uncalibrated: 0 };
}

/** `Target Recall: 0.95  ef: 64–96 (est. recall 0.950–0.961)`, plus the segments without a curve. */
export function targetRecallLine(s: TargetRecallStats): string {
  const range = (a: number, b: number, f: (x: number) => string) => (a === b ? f(a) : `${f(a)}–${f(b)}`);
  const parts = [`Target Recall: ${s.target}`];
  if (s.calibrated > 0) parts.push(`${s.label}: ${range(s.min, s.max, String)} (est. recall ${range(s.recallMin, s.recallMax, (x) => x.toFixed(3))})`);
  if (s.uncalibrated > 0) parts.push(`${s.uncalibrated} segment${s.uncalibrated === 1 ? '' : 's'} without a recall curve: ${s.label} ${s.fallback}`);
  return parts.join('  ');
}
