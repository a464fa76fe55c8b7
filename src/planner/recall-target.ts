/**
 * quiver.target_recall: the search breadth (ef) per segment that reaches a recall, read
 * off the recall-vs-ef curve measured when the segment's HNSW index was built
 * (ann/recall-curve.ts), instead of one hnsw.ef_search for every segment.
 *
 *   - the smallest ef whose measured recall reaches the target, interpolated between the
 *     two ladder steps around it (recall is about linear in log ef there);
 *   - a target above the best measured recall: twice the largest measured ef (capped), the
 *     estimate then being that best recall (a lower bound);
 *   - scaled by k / 10 for k above the curve's 10 (recall@k at a fixed ef falls as k
 *     grows: the walk must hold k good candidates), and never below k;
 *   - a segment without a curve (built before calibration, too small, a bit index): ef =
 *     hnsw.ef_search, no estimate.
 *
 * Fashion-MNIST (one 60k-row segment, l2, m 16): the curve measured 0.906 at ef 10 and
 * 0.952 at ef 15, so a target of 0.95 picks ef 15, where its 1,000 test queries reach 0.956.
 */
import type { RecallCurve } from '../ann/recall-curve.js';

/** the largest ef a target may ask for (hnsw.ef_search's own maximum) */
export const MAX_TARGET_EF = 1000;

export interface EfChoice {
  readonly ef: number;
  /** the curve's recall at that ef (undefined: no curve, ef_search applied) */
  readonly estRecall?: number;
}

export function efForRecall(curve: RecallCurve | undefined, target: number, k: number, fallbackEf: number): EfChoice {
  if (!curve || curve.points.length === 0) return { ef: fallbackEf };
  const pts = curve.points;
  let ef: number;
  let est: number;
  const at = pts.findIndex((p) => p.recall >= target);
  if (at === 0) {
    ef = pts[0].ef;
    est = pts[0].recall;
  } else if (at > 0) {
    const lo = pts[at - 1];
    const hi = pts[at];
    const f = (target - lo.recall) / (hi.recall - lo.recall);
    ef = Math.ceil(lo.ef * Math.pow(hi.ef / lo.ef, f));
    est = target;
  } else {
    const last = pts[pts.length - 1];
    ef = Math.min(last.ef * 2, MAX_TARGET_EF);
    est = last.recall;
  }
  const scaled = k > curve.k ? Math.ceil((ef * k) / curve.k) : ef;
  return { ef: Math.max(k, Math.min(scaled, MAX_TARGET_EF)), estRecall: est };
}

/** The per-segment efs and estimates of one vector Top-K, for EXPLAIN ANALYZE. */
export interface TargetRecallStats {
  readonly target: number;
  /** hnsw.ef_search: the ef of segments without a curve */
  readonly fallbackEf: number;
  efMin: number;
  efMax: number;
  recallMin: number;
  recallMax: number;
  /** segments with a curve */
  calibrated: number;
  /** segments without one (hnsw.ef_search applied) */
  uncalibrated: number;
}

export function noteEfChoice(stats: TargetRecallStats, c: EfChoice): void {
  if (c.estRecall === undefined) {
    stats.uncalibrated++;
    return;
  }
  stats.calibrated++;
  stats.efMin = Math.min(stats.efMin, c.ef);
  stats.efMax = Math.max(stats.efMax, c.ef);
  stats.recallMin = Math.min(stats.recallMin, c.estRecall);
  stats.recallMax = Math.max(stats.recallMax, c.estRecall);
}

export function emptyTargetRecallStats(target: number, fallbackEf: number): TargetRecallStats {
  return { target, fallbackEf, efMin: Infinity, efMax: -Infinity, recallMin: Infinity, recallMax: -Infinity, calibrated: 0, uncalibrated: 0 };
}

/** `Target Recall: 0.95  ef: 64–96 (est. recall 0.953–0.961)`, plus the uncalibrated segments. */
export function targetRecallLine(s: TargetRecallStats): string {
  const range = (a: number, b: number, f: (x: number) => string) => (a === b ? f(a) : `${f(a)}–${f(b)}`);
  const parts = [`Target Recall: ${s.target}`];
  if (s.calibrated > 0) parts.push(`ef: ${range(s.efMin, s.efMax, String)} (est. recall ${range(s.recallMin, s.recallMax, (x) => x.toFixed(3))})`);
  if (s.uncalibrated > 0) parts.push(`${s.uncalibrated} segment${s.uncalibrated === 1 ? '' : 's'} without a recall curve: ef ${s.fallbackEf}`);
  return parts.join('  ');
}
