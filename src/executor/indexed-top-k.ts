/**
 * What the bit and sparsevec index paths share: reading `column <op> per-query value`
 * (either side) from a Top-K's single ascending key, finding the table's HNSW index for
 * that column with the operator's class, walking the partitions and segments (indexed
 * segments through the index, the rest exactly), ranking the candidates as an exact scan
 * would, and the widening search of one segment.
 */
import type { TableDef } from '../catalog/catalog.js';
import type { Expr, Plan, SortKey } from '../planner/plan.js';
import type { AnnSegment } from '../storage/api.js';
import type { Row, Value } from '../types/types.js';
import type { ExecEnv } from './expr.js';
import type { RunContext } from './operators.js';
import { smallSegmentExact } from './vector-search.js';
import { PAUSE, type Suspend } from './suspend.js';

export interface DistanceKey<Op extends string> { column: number; query: Expr; op: Op }

const perQuery = (x: Expr): boolean =>
  x.kind === 'const' || x.kind === 'param' || (x.kind === 'cast' && (x.arg.kind === 'const' || x.arg.kind === 'param'));

/** The key when it is one of `opclasses`' operators between a column of `typeOid` and a constant or parameter. */
export function distanceKey<Op extends string>(keys: readonly SortKey[], typeOid: number, opclasses: Readonly<Record<Op, string>>): DistanceKey<Op> | undefined {
  if (keys.length !== 1 || keys[0].desc) return undefined;
  const e = keys[0].expr;
  if (e.kind !== 'call' || !(e.name in opclasses) || e.args.length !== 2) return undefined;
  const op = e.name as Op;
  const [a, b] = e.args;
  if (a.kind === 'column' && a.level === 0 && a.type.oid === typeOid && perQuery(b)) return { column: a.index, query: b, op };
  if (b.kind === 'column' && b.level === 0 && b.type.oid === typeOid && perQuery(a)) return { column: b.index, query: a, op };
  return undefined;
}

/** The HNSW (or, with `method`, IVFFlat) index of this table (or partition) on the column with the operator's class. */
export function hnswIndexFor(table: TableDef, column: number, opclass: string, method: 'hnsw' | 'ivfflat' = 'hnsw'): string | undefined {
  return table.indexes.find((i) => i.method === method && !i.expression && i.columns[0] === column && i.opclasses[0] === opclass)?.name;
}

interface Candidate { row: Row; d: number; order: number }

export interface IndexedTopKSpec {
  readonly scan: Extract<Plan, { kind: 'scan' }>;
  readonly column: number;
  /** the value ranked, when it is not the column's (an expression index's key); NULL sorts last */
  readonly key?: (row: Row) => Value;
  readonly k: number;
  readonly offset: number;
  /** the row passes the scan's condition (vectorSearchCondition) */
  readonly passes: (row: Row) => boolean;
  /** that condition leaves out NULL vectors (else they come last) */
  readonly nonNull: boolean;
  /** the index to search in this table or partition, if it has one */
  readonly indexOf: (table: TableDef) => string | undefined;
  /** pgvector's exact distance of a non-NULL column value to the query */
  readonly distance: (value: Value) => number;
  /**
   * offers one indexed segment's candidates (with their positions and the index's
   * distance); a generator when it pauses between time slices (a filter's bitmap)
   */
  readonly searchSegment: (seg: AnnSegment, consider: (row: Row, pos: number, indexDistance?: number) => void) => void | Generator<Suspend, void, unknown>;
  /**
   * The index's distance is the exact one (Hamming over bits: a count): a candidate is then
   * ranked by it, without computing its key and distance again (for pgvector's
   * binary-quantization query on Fashion-MNIST that was a third of the query's CPU)
   */
  readonly indexDistanceExact?: boolean;
}

/**
 * The top-k rows: every partition's indexed segments through `searchSegment`, its other rows
 * (growing segment, segments sealed before the index, own writes) exactly; ranked by exact
 * distance with an exact scan's order and ties, NaN after numbers, NULLs last.
 */
export function* indexedTopK(spec: IndexedTopKSpec, rc: RunContext, env: ExecEnv): Generator<Suspend, Row[], unknown> {
  const { scan, column, k, passes } = spec;
  const found: Candidate[] = [];
  const nullRows: Row[] = [];
  let scanSeq = 1e15;
  const consider = (row: Row, order = scanSeq++, indexDistance?: number): void => {
    if (indexDistance !== undefined && spec.indexDistanceExact) {
      found.push({ row, d: indexDistance, order });
      return;
    }
    const v = spec.key ? spec.key(row) : row[column];
    if (v === null) {
      if (!spec.nonNull && nullRows.length < k) nullRows.push(row);
      return;
    }
    found.push({ row, d: spec.distance(v), order });
  };
  const tables: readonly TableDef[] = scan.partitions ?? [scan.table];
  for (const [ti, table] of tables.entries()) {
    const name = spec.indexOf(table);
    const segments = name ? rc.storage.annSegments(table.oid, name, rc.snapshot, rc.txn) : [];
    for (const [si, seg] of segments.entries()) {
      const base = (ti * 1e4 + si) * 1e9;
      const steps = spec.searchSegment(seg, (row, pos, indexDistance) => consider(row, base + pos, indexDistance));
      if (steps) yield* steps;
    }
    const skip = new Set(segments.map((s) => s.id));
    for (const batch of rc.storage.scan(table.oid, rc.snapshot, rc.txn, { skipSegments: skip })) {
      if (rc.slice?.due()) yield PAUSE;
      env.checkCancel();
      for (const row of batch.rows) if (passes(row)) consider(row);
    }
  }
  // NaN sorts after every number, as PostgreSQL orders float8
  found.sort((a, b) => (Number.isNaN(a.d) ? 1 : 0) - (Number.isNaN(b.d) ? 1 : 0) || a.d - b.d || a.order - b.order);
  const out = found.slice(0, k).map((c) => c.row);
  for (const r of nullRows) if (out.length < k) out.push(r);
  return out.slice(spec.offset);
}

/**
 * ANN-then-filter on one segment: search k, widen ×4 until k visible rows pass the filter,
 * and rank the segment exactly when even the whole index gives fewer. NULL column values
 * (empty slots or zeros in the graph) count only in that exact scan.
 */
export function widenedSearch(seg: AnnSegment, column: number, query: Float32Array, k: number, breadth: number,
  passes: ((row: Row) => boolean) | null | undefined, consider: (row: Row, pos: number, indexDistance?: number) => void, env: ExecEnv): void {
  // a small segment is ranked exactly, as the float path does (cheaper, and no graph can miss a row)
  if (!passes && smallSegmentExact(seg, k, breadth)) {
    for (const r of seg.visibleRows()) consider(r.row, r.pos);
    return;
  }
  let want = k;
  for (;;) {
    env.checkCancel();
    const n = Math.min(want, seg.length);
    const hits: { row: Row; pos: number; d: number }[] = [];
    for (const h of seg.index.search(query, n, breadth)) {
      const r = seg.visibleRow(h.position);
      if (r && r.row[column] !== null && (!passes || passes(r.row))) hits.push({ row: r.row, pos: h.position, d: h.distance });
    }
    if (hits.length >= k || n >= seg.length) {
      if (hits.length < k) {
        for (const r of seg.visibleRows()) if (!passes || passes(r.row)) consider(r.row, r.pos);
        return;
      }
      for (const h of hits) consider(h.row, h.pos, h.d);
      return;
    }
    want = n * 4;
  }
}
