/**
 * Scan(filter: col > a AND col <= b …) → Index Scan through a B-tree index (range)
 * TopK(ORDER BY key columns LIMIT k, Scan) → Limit(Index Scan in the index's order)
 *
 *   SELECT … FROM events WHERE id BETWEEN 1000 AND 2000
 *   SELECT … FROM events WHERE id > $1 ORDER BY id LIMIT 100
 *   SELECT … FROM events WHERE user_id = 7 AND ts > $1            (index on (user_id, ts))
 *   SELECT … FROM events WHERE user_id = 7 ORDER BY ts DESC LIMIT 20
 *
 * A B-tree index (not partial) whose first column is an integer, date/time, float, numeric,
 * text or varchar one (range-comparison.ts's BTREE_RANGE_TYPES; `col LIKE 'prefix%'` is a
 * range too, as PostgreSQL makes it under the C collation) is read per sealed segment from
 * its sorted index (storage/index-scan.ts). Its key is the longest prefix of the index's
 * columns of those types. The Index Cond is every comparison on a key column; a range
 * reads only the rows its boundary conditions allow (the key's first columns fixed by `=`,
 * then a range on the next: `a = 1 AND b > 5` on (a, b)). The range is taken when the cost
 * model prices it below the sequential scan and the other indexes (cost.ts indexRangeScan).
 *
 * An ORDER BY with a LIMIT is read in index order when its keys are the index's columns in
 * order, skipping columns fixed by `=` (PostgreSQL's pathkeys: `WHERE a = 1 ORDER BY b` on
 * (a, b)), all ascending or all descending (backward), each with NULLs where the index has
 * them (ASC NULLS LAST, DESC NULLS FIRST) unless the column cannot be NULL here.
 */
import type { IndexDef, TableDef } from '../../catalog/catalog.js';
import { CostModel } from '../cost.js';
import type { Expr, Plan } from '../plan.js';
import { OID } from '../../types/types.js';
import { BTREE_RANGE_TYPES, boundingQuals, indexQuals } from '../range-comparison.js';
import type { Rule } from './rule.js';
import { expressionKeyIndex } from '../expression-index-match.js';

type Scan = Extract<Plan, { kind: 'scan' }>;

/** The plain B-tree indexes with their range-scannable key (a prefix of their columns, at least one). */
export function btreeKeys(table: TableDef): { index: IndexDef; columns: number[] }[] {
  const out: { index: IndexDef; columns: number[] }[] = [];
  for (const index of table.indexes) {
    if (index.method !== 'btree' || index.predicate || index.expression || index.tsvectorConfig) continue;
    const columns: number[] = [];
    for (const c of index.columns) {
      const def = table.columns[c];
      if (!def || !BTREE_RANGE_TYPES.has(def.type.oid)) break;
      columns.push(c);
    }
    if (columns.length) out.push({ index, columns });
  }
  return out;
}

const INTEGERS = new Set<number>([OID.int2, OID.int4, OID.int8]);

/** whether the key lookup takes `value` for the column: the column's type, or an integer into an integer */
function lookupType(table: TableDef, column: number, value: Expr): boolean {
  const type = table.columns[column].type.oid;
  return value.type.oid === type || (INTEGERS.has(type) && INTEGERS.has(value.type.oid));
}

export function plainScan(p: Plan): p is Scan {
  return p.kind === 'scan' && !p.partitions && !p.keyLookup && !p.textLookup && !p.bm25TopK;
}

/** key columns fixed by an equality (`a = 1`, `t LIKE 'abc'`) */
export function fixedColumns(scan: Scan, columns: readonly number[]): Set<number> {
  return new Set(indexQuals(scan.filter, columns).filter((c) => c.op === '=').map((c) => c.column));
}

export const useIndexRange: Rule = {
  name: 'use-index-range',
  apply(plan, ctx) {
    if (!plainScan(plan) || plan.indexRange) return undefined;
    const model = new CostModel(ctx.catalog, ctx.costEnv);
    let best: { keyName: string; columns: number[]; cost: number } | undefined;
    for (const { index, columns } of btreeKeys(plan.table)) {
      const quals = indexQuals(plan.filter, columns);
      if (!quals.some((c) => c.column === columns[0])) continue;
      // a unique key fixed by `=`: the key lookup's (use-key-lookup.ts), which priced it against
      // the Seq Scan already; a plain index's key shared by many rows (flag = true) or a value
      // the lookup cannot take (f4 = 3.5, a float8) is priced here
      if (index.unique && index.columns.every((c) => quals.some((q) => q.column === c && q.op === '=' && !q.fromLike && lookupType(plan.table, c, q.value)))) continue;
      const cost = model.indexRangeScan(plan.table, plan.filter, columns, 0, index.name).total;
      // the cheapest (a narrower range: more boundary conditions); equal costs: the first index
      if (!best || cost < best.cost) best = { keyName: index.name, columns, cost };
    }
    if (!best || model.tableScan(plan.table, plan.filter).total <= best.cost) return undefined;
    return { ...plan, indexRange: { keyName: best.keyName, columns: best.columns } };
  },
};

/** How many of the index's key columns the ORDER BY keys take in order (0: the index does not give that order). */
function orderedPrefix(scan: Scan, keys: readonly { column: number; desc: boolean; nullsFirst: boolean }[], columns: readonly number[]): number {
  const fixed = fixedColumns(scan, columns);
  const wanted = keys.filter((k) => !fixed.has(k.column));
  // every key fixed (WHERE flag ORDER BY flag): any order is the order; the range on the first column
  if (!wanted.length) return fixed.has(columns[0]) ? 1 : 0;
  if (wanted.some((k) => k.desc !== wanted[0].desc)) return 0;
  const conditioned = new Set(indexQuals(scan.filter, columns).map((c) => c.column));
  // NULLs where the index puts them (last forward, first backward), or none possible
  const nullsFit = (k: { column: number; desc: boolean; nullsFirst: boolean }) =>
    k.nullsFirst === k.desc || scan.table.columns[k.column].notNull || conditioned.has(k.column);
  if (!wanted.every(nullsFit)) return 0;
  let i = 0, j = 0;
  while (j < wanted.length && i < columns.length) {
    if (columns[i] === wanted[j].column) { i++; j++; }
    else if (fixed.has(columns[i])) i++;
    else break;
  }
  return j < wanted.length ? 0 : i;
}

/**
 * TopK(ORDER BY lower(email) LIMIT k, Scan) → Limit(Index Scan through an index on lower(email)),
 * its rows in the key's order (storage/expression-key-scan.ts), NULL keys where the index has
 * them; the whole filter stays the scan's Filter.
 */
function orderByExpressionIndex(plan: Extract<Plan, { kind: 'topk' }>, scan: Scan): Plan | undefined {
  const k = plan.keys[0];
  const index = expressionKeyIndex(scan.table, k.expr);
  if (!index || index.method !== 'btree' || index.predicateSql || k.nullsFirst !== k.desc) return undefined;
  const input: Scan = { ...scan, indexRange: { keyName: index.name, columns: [index.columns[0]], order: k.desc ? 'desc' : 'asc', orderColumns: 1 } };
  return { kind: 'limit', schema: plan.schema, input, limit: plan.limit, offset: plan.offset };
}

export const orderByIndex: Rule = {
  name: 'order-by-index',
  apply(plan, ctx) {
    if (plan.kind !== 'topk' || plan.vectorSearch || !plan.limit || !plainScan(plan.input)) return undefined;
    // enable_indexscan = off: the Top-K over the scan stays (how users check an index's answers)
    if (!new CostModel(ctx.catalog, ctx.costEnv).env.settings.indexscan) return undefined;
    const scan = plan.input;
    if (plan.keys.length === 1 && plan.keys[0].expr.kind !== 'column') return orderByExpressionIndex(plan, scan);
    const keys: { column: number; desc: boolean; nullsFirst: boolean }[] = [];
    for (const key of plan.keys) {
      if (key.expr.kind !== 'column' || key.expr.level !== 0 || key.expr.index >= scan.table.columns.length) return undefined;
      keys.push({ column: key.expr.index, desc: key.desc, nullsFirst: key.nullsFirst });
    }
    // the index whose range the filter bounds by the most conditions, then the shortest key
    let best: { keyName: string; columns: number[]; orderColumns: number; bounding: number } | undefined;
    for (const { index, columns } of btreeKeys(scan.table)) {
      const orderColumns = orderedPrefix(scan, keys, columns);
      if (!orderColumns) continue;
      const bounding = boundingQuals(indexQuals(scan.filter, columns), columns).length;
      if (!best || bounding > best.bounding || (bounding === best.bounding && columns.length < best.columns.length)) {
        best = { keyName: index.name, columns, orderColumns, bounding };
      }
    }
    if (!best) return undefined;
    const desc = keys.find((k) => !fixedColumns(scan, best!.columns).has(k.column))?.desc ?? false;
    const input: Scan = { ...scan, indexRange: { keyName: best.keyName, columns: best.columns, order: desc ? 'desc' : 'asc', orderColumns: best.orderColumns } };
    return { kind: 'limit', schema: plan.schema, input, limit: plan.limit, offset: plan.offset };
  },
};
