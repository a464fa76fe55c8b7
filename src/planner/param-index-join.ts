/**
 * Join → Nested Loop over a parameterized Index Scan of the inner table
 *
 *   SELECT * FROM orders o JOIN customers c ON o.customer_id = c.id WHERE o.day = $1
 *
 * PostgreSQL's commonest plan for few outer rows and a key on the inner table: for each
 * outer row the inner table's index is probed with that row's value
 * (`Index Cond: (id = o.customer_id)`), instead of hashing or reading the whole inner
 * table. Here it is the join rewritten as a LATERAL one whose right side is a key lookup
 * (use-key-lookup.ts's keyLookup) reading the left row as its outer row: the executor
 * already runs a lateral right side per left row, holding nothing.
 *
 * Taken: an inner, left, semi or anti join whose right input is a plain table scan
 * (maybe filtered, not correlated), where ON equalities `left column = right column`
 * (same type, or the left one a narrower integer) fix every column of a btree or hash
 * index of the right table; else where an ON comparison bounds the first column of a
 * B-tree index (`o.customer < c.id`: a range scan per left row, `Index Cond: (id >
 * o.customer)`). The ON moves into the scan's filter: the conditions on the index are its
 * Index Cond, the rest its Filter. The join keeps the written ON and right input in
 * `parameterized`: its rows and match fractions are estimated from them, as PostgreSQL's
 * join relation's are whatever path it takes (cost.ts).
 */
import { keyHoldsEveryRow, type TableDef } from '../catalog/catalog.js';
import { hashJoinKeys } from './join-keys.js';
import { mapExpr, planIsCorrelated, readsColumnAt } from './expr-walk.js';
import type { Expr, Plan } from './plan.js';
import { T } from '../types/types.js';
import { asKeyValue } from './rules/use-key-lookup.js';
import { BTREE_RANGE_TYPES, indexComparisons } from './range-comparison.js';
import { resolveOperator } from '../functions/index.js';

type JoinNode = Extract<Plan, { kind: 'join' }>;
type ScanNode = Extract<Plan, { kind: 'scan' }>;

function conjuncts(e: Expr | null): Expr[] {
  if (!e) return [];
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

function and(parts: readonly Expr[]): Expr | null {
  return parts.length === 0 ? null : parts.length === 1 ? parts[0] : { kind: 'and', type: T.bool, args: [...parts] };
}

/** a subquery reading the row it is evaluated on (an uncorrelated one, an InitPlan, reads none) */
function hasCorrelatedSubquery(e: Expr): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if ((x.kind === 'subquery' || x.kind === 'insubquery' || x.kind === 'sqlCall') && (x.kind === 'sqlCall' || planIsCorrelated(x.plan))) found = true;
    return found ? x : undefined;
  });
  return found;
}

/** A table scan a key lookup can replace: no other access path chosen, one table, nothing correlated. */
function plainScan(p: Plan): ScanNode | undefined {
  if (p.kind !== 'scan' || p.partitions || p.keyLookup || p.indexRange || p.textLookup || p.bm25TopK || p.indexQual || p.withRowId) return undefined;
  return planIsCorrelated(p) ? undefined : p;
}

/** btree and hash indexes on plain columns, unique ones first (as use-key-lookup takes them) */
function keyIndexes(table: TableDef): { name: string; columns: readonly number[] }[] {
  return table.indexes.filter((i) => (i.method === 'btree' || i.method === 'hash') && i.columns.length > 0 && !i.predicate && !i.expression && keyHoldsEveryRow(i))
    .sort((a, b) => Number(b.unique) - Number(a.unique))
    .map((i) => ({ name: i.name, columns: i.columns }));
}

/**
 * The ON conjunct as the inner scan sees it: the right input's columns its own (level 0),
 * the left input's those of its outer row (level 1), an enclosing query's one level further out.
 */
function asInnerCondition(c: Expr, leftWidth: number): Expr {
  return mapExpr(c, (x) => {
    if (x.kind !== 'column') return undefined;
    if (x.level > 0) return { ...x, level: x.level + 1 };
    return x.index < leftWidth ? { ...x, level: 1 } : { ...x, index: x.index - leftWidth };
  });
}

/** The join with its right input probed per left row (`outerRows` of them) through an index, or undefined when no index fits. */
export function parameterizedIndexJoin(plan: JoinNode, outerRows: number): JoinNode | undefined {
  if (plan.lateral || plan.parameterized || plan.joinType === 'right' || plan.joinType === 'full') return undefined;
  const scan = plainScan(plan.right);
  if (!scan) return undefined;
  const leftWidth = plan.left.schema.length;
  const keys = hashJoinKeys(plan.on, leftWidth) ?? [];
  // right key column → the left row's value it must equal (as the key column's type), and the conjunct
  const fixed = new Map<number, { value: Expr; cond: Expr }>();
  for (const k of keys) {
    const cond = k.cond;
    if (cond.kind !== 'call' || cond.name !== '=') continue;
    const [a, b] = cond.args;
    const isLeft = (x: Expr) => x.kind === 'column' && x.level === 0 && x.index < leftWidth;
    const isRight = (x: Expr) => x.kind === 'column' && x.level === 0 && x.index >= leftWidth;
    const [outer, inner] = isLeft(a) && isRight(b) ? [a, b] : isLeft(b) && isRight(a) ? [b, a] : [undefined, undefined];
    if (!outer || inner?.kind !== 'column' || outer.kind !== 'column') continue;
    const value = asKeyValue(inner.type, { ...outer, level: 1 });
    const column = inner.index - leftWidth;
    if (value && !fixed.has(column)) fixed.set(column, { value, cond });
  }
  const index = keyIndexes(scan.table).find((i) => i.columns.every((c) => fixed.has(c)));
  if (!index) return rangeJoin(plan, scan, outerRows);
  // every ON conjunct is tested by the inner scan (its Filter beside the Index Cond), as
  // PostgreSQL moves join clauses into a parameterized path; one holding a correlated
  // subquery stays the join's (its plan reads the join's row by position)
  const moved = conjuncts(plan.on).filter((c) => !hasCorrelatedSubquery(c));
  const rest = conjuncts(plan.on).filter((c) => !moved.includes(c));
  const right: ScanNode = { ...scan, filter: innerFilter(scan, moved, leftWidth), keyLookup: { keyName: index.name, values: index.columns.map((c) => fixed.get(c)!.value), loops: outerRows } };
  return { ...plan, right, on: and(rest), lateral: true, algorithm: 'nestloop', parameterized: { on: plan.on, right: plan.right } };
}

/**
 * The inner scan's filter: its own, then the ON conjuncts it takes over (after row-level
 * security's quals, stopping at their NULL as the scan's own filter does).
 */
function innerFilter(scan: ScanNode, moved: readonly Expr[], leftWidth: number): Expr | null {
  const inner = moved.map((c) => asInnerCondition(c, leftWidth));
  return scan.filter?.kind === 'and' && scan.filter.stopOnNull
    ? { ...scan.filter, args: [...scan.filter.args, ...inner] }
    : and([...conjuncts(scan.filter), ...inner]);
}

/** an expression of the left input's columns alone (some), nothing volatile, no subquery */
function readsOnlyLeft(e: Expr, leftWidth: number): boolean {
  let ok = true;
  let any = false;
  mapExpr(e, (x) => {
    if (x.kind === 'column' && x.level === 0) {
      if (x.index < leftWidth) any = true;
      else ok = false;
    }
    if ((x.kind === 'call' && x.fn.volatile) || x.kind === 'subquery' || x.kind === 'insubquery' || x.kind === 'sqlCall') ok = false;
    return ok ? undefined : x;
  });
  return ok && any;
}

/** reads the left row (the inner scan's outer row, level 1) */
const readsOuterRow = (e: Expr): boolean => readsColumnAt(e, (level) => level === 1);

const FLIPPED: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/**
 * `outer.col op inner.col` as the inner scan's Index Cond prints it, the inner column first
 * (`id > o.customer` for `o.customer < c.id`), or the conjunct as it is when it is so already.
 */
function innerColumnFirst(c: Expr, leftWidth: number): Expr {
  // an equality the key lookup did not take (`a.id + 1 = b.id`): a range of one value, `id = (a.id + 1)`
  if (c.kind === 'call' && c.name === '=' && c.args.length === 2) {
    const [a, b] = c.args;
    if (!(readsOnlyLeft(a, leftWidth) && b.kind === 'column' && b.level === 0 && b.index >= leftWidth)) return c;
    return { ...c, fn: resolveOperator('=', b.type, a.type), args: [b, a] };
  }
  if (c.kind !== 'call' || !(c.name in FLIPPED) || c.args.length !== 2) return c;
  const [a, b] = c.args;
  if (!(readsOnlyLeft(a, leftWidth) && b.kind === 'column' && b.level === 0 && b.index >= leftWidth)) return c;
  const name = FLIPPED[c.name];
  return { ...c, name, fn: resolveOperator(name, b.type, a.type), args: [b, a] };
}

/**
 * No key fits: a B-tree range scan (storage/index-scan.ts) of an index whose first column an
 * ON comparison `inner.col op outer.col` bounds (=, <, <=, >, >=, the same type on both sides).
 */
function rangeJoin(plan: JoinNode, scan: ScanNode, outerRows: number): JoinNode | undefined {
  const leftWidth = plan.left.schema.length;
  const on = conjuncts(plan.on).map((c) => innerColumnFirst(c, leftWidth));
  const moved = on.filter((c) => !hasCorrelatedSubquery(c));
  const filter = innerFilter(scan, moved, leftWidth);
  const joinQuals = indexComparisons(filter).filter((q) => readsOuterRow(q.value) && q.value.type.oid === scan.table.columns[q.column]?.type.oid);
  for (const index of scan.table.indexes) {
    if (index.method !== 'btree' || index.predicate || index.expression || index.tsvectorConfig) continue;
    const columns: number[] = [];
    for (const c of index.columns) {
      if (!BTREE_RANGE_TYPES.has(scan.table.columns[c]?.type.oid ?? 0)) break;
      columns.push(c);
    }
    if (!columns.length || !joinQuals.some((q) => q.column === columns[0])) continue;
    const right: ScanNode = { ...scan, filter, indexRange: { keyName: index.name, columns, loops: outerRows } };
    return { ...plan, right, on: and(on.filter((c) => !moved.includes(c))), lateral: true, algorithm: 'nestloop', parameterized: { on: plan.on, right: plan.right } };
  }
  return undefined;
}
