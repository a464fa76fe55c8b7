/**
 * A column's smallest and largest values over a table's segments: what the planner asks
 * for when a range constant falls into the first or last bin of a histogram (PostgreSQL's
 * get_actual_variable_range, which reads the ends of a B-tree). A sealed segment answers
 * from the statistics in its manifest (kept at seal time, deleted rows included — as
 * PostgreSQL's non-vacuumable snapshot counts recently deleted rows); a growing segment
 * from its rows, remembered per segment so a later call reads only the rows appended
 * since (growing rows are never changed in place).
 */
import { SealedSegment, type ColumnStats, type Segment } from './segment.js';

export interface ColumnEnds {
  readonly min: number | bigint;
  readonly max: number | bigint;
}

/** per growing segment and column: the ends of its first `upTo` rows */
const growingEnds = new WeakMap<Segment, Map<number, { upTo: number; ends: ColumnEnds | undefined }>>();

const READ_ROWS = 4096;

/**
 * The ends over `segments`, or undefined when a sealed segment's statistics keep none for
 * the column (a type without an order there: text, numeric, dates) while it has values, or
 * no segment has a value.
 */
export function columnEnds(segments: readonly Segment[], statsOf: (seg: SealedSegment) => readonly ColumnStats[] | undefined, column: number): ColumnEnds | undefined {
  let ends: ColumnEnds | undefined;
  for (const seg of segments) {
    let part: ColumnEnds | undefined;
    if (seg instanceof SealedSegment) {
      const stats = statsOf(seg)?.[column];
      if (!stats) return undefined;
      if (stats.nullCount >= seg.length) continue;
      const min = orderedValue(stats.min);
      const max = orderedValue(stats.max);
      if (min === undefined || max === undefined) return undefined;
      part = { min, max };
    } else {
      const growing = growingSegmentEnds(seg, column);
      if (growing === null) return undefined;
      part = growing;
    }
    if (part) ends = ends ? { min: part.min < ends.min ? part.min : ends.min, max: part.max > ends.max ? part.max : ends.max } : part;
  }
  return ends;
}

/** a manifest's JSON-safe min / max as a value (bigints are kept as {$bigint}) */
export function orderedValue(v: unknown): number | bigint | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v && typeof v === 'object' && typeof (v as { $bigint?: unknown }).$bigint === 'string') return BigInt((v as { $bigint: string }).$bigint);
  return undefined;
}

/** the ends of a growing segment's values (undefined: none yet; null: not numbers) */
function growingSegmentEnds(seg: Segment, column: number): ColumnEnds | undefined | null {
  let byColumn = growingEnds.get(seg);
  if (!byColumn) growingEnds.set(seg, (byColumn = new Map()));
  const known = byColumn.get(column);
  let upTo = known?.upTo ?? 0;
  let min = known?.ends?.min;
  let max = known?.ends?.max;
  for (; upTo < seg.length; ) {
    const end = Math.min(seg.length, upTo + READ_ROWS);
    for (const row of seg.rows(upTo, end, [column])) {
      const v = row[column];
      if (v === null || v === undefined) continue;
      if (typeof v !== 'number' && typeof v !== 'bigint') return null;
      if (typeof v === 'number' && Number.isNaN(v)) continue;
      if (min === undefined || v < min) min = v;
      if (max === undefined || v > max) max = v;
    }
    upTo = end;
  }
  const ends = min === undefined || max === undefined ? undefined : { min, max };
  byColumn.set(column, { upTo, ends });
  return ends;
}
