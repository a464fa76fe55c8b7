/**
 * The search breadth an index kind reads from the session: hnsw.ef_search for HNSW,
 * ivfflat.probes for IVFFlat (AnnIndex.search's `breadth`); with quiver.target_recall set,
 * a segment's own breadth from the recall curve its build measured (planner/recall-target.ts).
 */
import type { AnnIndex } from '../ann/api.js';
import { breadthForRecall, emptyTargetRecallStats, MAX_TARGET_EF, noteBreadthChoice } from '../planner/recall-target.js';
import type { VectorSearchStats } from '../planner/vector-cost.js';

type Setting = (name: string) => string | undefined;

export function searchBreadth(method: string, setting: Setting): number {
  if (method === 'ivfflat') return Math.max(1, Number(setting('ivfflat.probes') ?? 1) || 1);
  return Math.max(1, Number(setting('hnsw.ef_search') ?? 40) || 40);
}

/** quiver.target_recall, or undefined when it is off (0, the default). */
export function targetRecall(setting: Setting): number | undefined {
  const t = Number(setting('quiver.target_recall') ?? 0);
  return t > 0 && t <= 1 ? t : undefined;
}

/** The session's breadth for one query, and how each segment refines it. */
export class SegmentBreadth {
  private readonly base: number;
  private readonly target: number | undefined;

  constructor(private readonly method: string, setting: Setting, private readonly k: number, private readonly stats: VectorSearchStats) {
    this.base = searchBreadth(method, setting);
    this.target = targetRecall(setting);
  }

  /** The breadth for a segment's index (the target's when it has a curve); noted for EXPLAIN ANALYZE. */
  of(index: AnnIndex): number {
    if (this.target === undefined) return this.base;
    const ivf = index.kind === 'ivfflat';
    const rule = { kind: index.kind, max: ivf ? index.lists ?? MAX_TARGET_EF : MAX_TARGET_EF };
    const choice = breadthForRecall(index.recallCurve, this.target, this.k, this.base, rule);
    this.stats.targetRecall ??= emptyTargetRecallStats(this.target, ivf ? 'probes' : 'ef', this.base);
    noteBreadthChoice(this.stats.targetRecall, choice);
    return choice.breadth;
  }
}
