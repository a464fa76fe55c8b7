/**
 * The router's side of a fan-out: the shards' rows → the client's rows. Shards append
 * hidden columns after the client's (sort keys, group keys, partial aggregates, LIMIT and
 * OFFSET values that are $n parameters), so the merge needs no parameter values: it groups
 * and combines partial aggregates, filters by HAVING, removes duplicates (DISTINCT), sorts
 * as PostgreSQL orders (NULLS LAST for ASC …), applies OFFSET/LIMIT and drops the hidden
 * columns.
 */
import { SqlError, SqlState } from '../../errors.js';
import { compareValues, hashKey } from '../../types/compare.js';
import type { Row, SqlType, Value } from '../../types/types.js';
import type { FieldInfo } from '../../wire/backend.js';
import type { ShardResult } from './fanout-api.js';
import { combinePartials, finishAvg, type AggKind } from './fanout-aggregate.js';
import { evalHaving, type HavingExpr } from './fanout-having.js';

/** a column of the shards' rows: one of the client's, a hidden one, or a client column by output name */
export type ColumnRef = { readonly visible: number } | { readonly hidden: number } | { readonly name: string };

export interface SortKey {
  readonly col: ColumnRef;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

/** a LIMIT or OFFSET: absent, a constant, or (an expression of $n) a hidden column's value */
export type Bound = { readonly kind: 'none' } | { readonly kind: 'const'; readonly n: bigint } | { readonly kind: 'column'; readonly col: ColumnRef };

/** how one column's shard values combine within a group */
export type Combine =
  | { readonly kind: 'first' }
  | { readonly kind: AggKind }
  | { readonly kind: 'avg'; readonly sum: ColumnRef; readonly count: ColumnRef };

export interface Grouping {
  /** the GROUP BY keys (none: aggregates over all rows, one group) */
  readonly keys: readonly ColumnRef[];
  /** per column of the shards' rows, client's and hidden */
  readonly combine: readonly Combine[];
  readonly having?: HavingExpr | undefined;
}

export interface MergeSpec {
  /** how many columns the shard statement appends after the client's */
  readonly hiddenCount: number;
  readonly grouping?: Grouping | undefined;
  /** SELECT DISTINCT: duplicates of the client's columns are removed */
  readonly distinct: boolean;
  /** SELECT DISTINCT ON (…): the first row (in ORDER BY order) of each value of these */
  readonly distinctOn?: readonly ColumnRef[] | undefined;
  readonly sort: readonly SortKey[];
  readonly limit: Bound;
  readonly offset: Bound;
}

class Columns {
  readonly visibleCount: number;
  constructor(readonly fields: readonly FieldInfo[], hiddenCount: number) {
    this.visibleCount = fields.length - hiddenCount;
  }
  index(ref: ColumnRef): number {
    if ('visible' in ref) return ref.visible;
    if ('hidden' in ref) return this.visibleCount + ref.hidden;
    const matches = this.fields.slice(0, this.visibleCount).flatMap((f, i) => (f.name === ref.name ? [i] : []));
    if (matches.length > 1) throw new SqlError(SqlState.ambiguousColumn, `ORDER BY "${ref.name}" is ambiguous`);
    return matches[0] ?? -1;
  }
  type(i: number): SqlType {
    return this.fields[i].type;
  }
}

function groupRows(rows: readonly Row[], cols: Columns, g: Grouping): Row[] {
  const keyIdx = g.keys.map((k) => cols.index(k));
  const groups = new Map<string, { row: Row; weighted: Map<number, number> }>();
  const avgCols = g.combine.flatMap((c, i) => (c.kind === 'avg' ? [{ i, sum: cols.index(c.sum), count: cols.index(c.count) }] : []));
  for (const row of rows) {
    const key = JSON.stringify(keyIdx.map((i) => (row[i] === null ? null : String(hashKey(cols.type(i), row[i]!)))));
    const weights = (target: Map<number, number>) => {
      for (const a of avgCols) {
        const avg = row[a.i], n = row[a.count] as bigint;
        if (avg !== null && typeof avg === 'number') target.set(a.i, (target.get(a.i) ?? 0) + avg * Number(n));
      }
    };
    const group = groups.get(key);
    if (!group) {
      const weighted = new Map<number, number>();
      weights(weighted);
      groups.set(key, { row: [...row], weighted });
      continue;
    }
    weights(group.weighted);
    g.combine.forEach((c, i) => {
      if (c.kind !== 'first' && c.kind !== 'avg') group.row[i] = combinePartials(c.kind, cols.type(i), group.row[i], row[i]);
    });
  }
  const out: Row[] = [];
  for (const { row, weighted } of groups.values()) {
    for (const a of avgCols) {
      row[a.i] = finishAvg(cols.type(a.i), cols.type(a.sum), row[a.sum], row[a.count] as bigint, weighted.get(a.i) ?? 0);
    }
    out.push(row);
  }
  return out;
}

function distinctRows(rows: readonly Row[], cols: Columns, on: readonly number[]): Row[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = JSON.stringify(on.map((i) => (row[i] === null ? null : String(hashKey(cols.type(i), row[i]!)))));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sortRows(rows: Row[], cols: Columns, keys: readonly SortKey[]): void {
  rows.sort(comparator(cols, keys));
}

function comparator(cols: Columns, keys: readonly SortKey[]): (a: Row, b: Row) => number {
  const resolved = keys.map((k) => ({ ...k, i: cols.index(k.col) }));
  return (a, b) => {
    for (const k of resolved) {
      const x = a[k.i], y = b[k.i];
      let c: number;
      if (x === null || y === null) {
        if (x === null && y === null) continue;
        c = (x === null) === k.nullsFirst ? -1 : 1;
      } else {
        c = compareValues(cols.type(k.i), x, y);
        if (k.desc) c = -c;
      }
      if (c !== 0) return c;
    }
    return 0;
  };
}

/** a bound's value; null: no bound (LIMIT ALL / LIMIT NULL, or no row to read it from) */
function boundValue(b: Bound, rows: readonly Row[], cols: Columns): bigint | null {
  if (b.kind === 'none') return null;
  if (b.kind === 'const') return b.n;
  const v = rows[0]?.[cols.index(b.col)];
  return v === undefined || v === null ? null : BigInt(v as bigint);
}

export function mergeShardResults(results: readonly ShardResult[], spec: MergeSpec): ShardResult {
  const fields = results[0]?.fields ?? [];
  const cols = new Columns(fields, spec.hiddenCount);
  let rows: Row[] = results.flatMap((r) => r.rows as Row[]);
  const limit = boundValue(spec.limit, rows, cols);
  const offset = boundValue(spec.offset, rows, cols);
  if (offset !== null && offset < 0n) throw new SqlError('2201X', 'OFFSET must not be negative');
  if (limit !== null && limit < 0n) throw new SqlError('2201W', 'LIMIT must not be negative');
  if (spec.grouping) {
    rows = groupRows(rows, cols, spec.grouping);
    const having = spec.grouping.having;
    if (having) rows = rows.filter((row) => evalHaving(having, row, (ref) => cols.index(ref), (i) => cols.type(i)) === true);
  }
  if (spec.distinct) rows = distinctRows(rows, cols, Array.from({ length: cols.visibleCount }, (_, i) => i));
  if (spec.sort.length > 0) sortRows(rows, cols, spec.sort);
  // after the sort: the first row of each DISTINCT ON value is the one PostgreSQL keeps
  if (spec.distinctOn) rows = distinctRows(rows, cols, spec.distinctOn.map((c) => cols.index(c)));
  const from = Number(offset ?? 0n);
  rows = limit === null ? rows.slice(from) : rows.slice(from, from + Number(limit));
  if (spec.hiddenCount === 0) return { fields, rows };
  return {
    fields: fields.slice(0, cols.visibleCount),
    rows: rows.map((r): Value[] => r.slice(0, cols.visibleCount)),
  };
}

/**
 * What a streamed merge (stream.ts) needs of a plan that only concatenates or sorts the shards'
 * rows (no grouping, no DISTINCT): the order of rows, the LIMIT / OFFSET (read from the first
 * row when they are hidden columns) and how many of the columns are the client's.
 */
export interface StreamOrder {
  readonly visibleCount: number;
  /** the columns `compare` and `bounds` read (the rest may stay the shards' text) */
  readonly keyColumns: readonly number[];
  /** null: concatenate in shard order */
  readonly compare: ((a: Row, b: Row) => number) | null;
  /** OFFSET and LIMIT (null: none); checked as mergeShardResults checks them */
  bounds(first: Row | undefined): { offset: bigint; limit: bigint | null };
}

export function streamOrder(fields: readonly FieldInfo[], spec: Pick<MergeSpec, 'hiddenCount' | 'sort' | 'limit' | 'offset'>): StreamOrder {
  const cols = new Columns(fields, spec.hiddenCount);
  const bounds = [spec.limit, spec.offset].flatMap((b) => (b.kind === 'column' ? [cols.index(b.col)] : []));
  return {
    visibleCount: cols.visibleCount,
    keyColumns: [...new Set([...spec.sort.map((k) => cols.index(k.col)), ...bounds])].filter((i) => i >= 0),
    compare: spec.sort.length > 0 ? comparator(cols, spec.sort) : null,
    bounds: (first) => {
      const rows = first ? [first] : [];
      const limit = boundValue(spec.limit, rows, cols);
      const offset = boundValue(spec.offset, rows, cols);
      if (offset !== null && offset < 0n) throw new SqlError('2201X', 'OFFSET must not be negative');
      if (limit !== null && limit < 0n) throw new SqlError('2201W', 'LIMIT must not be negative');
      return { offset: offset ?? 0n, limit };
    },
  };
}
