/**
 * Scan(filter: key = value AND …) → key lookup
 *
 *   SELECT abalance FROM pgbench_accounts WHERE aid = $1
 *
 * When the filter fixes every column of a btree or hash index (PRIMARY KEY, UNIQUE, or a
 * plain CREATE INDEX) with a constant or parameter and the cost model finds it cheaper than
 * reading the table, the rows come from the storage's key index
 * instead of a full scan; the whole filter is still applied to them. (A plain index whose
 * key turns out to be shared by many rows falls back to the scan at run time.)
 */
import { keyHoldsEveryRow, type TableDef } from '../../catalog/catalog.js';
import { resolveCast } from '../../functions/casts.js';
import { OID, elementTypeOf, type SqlType } from '../../types/types.js';
import type { Expr } from '../plan.js';
import type { Rule, RuleContext } from './rule.js';
import { planIsCorrelated } from '../expr-walk.js';
import { CostModel } from '../cost.js';
import { expressionKeyIndex } from '../expression-index-match.js';

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/**
 * The same value for every row of one execution, computed once when the lookup runs: a
 * constant, a parameter, a column of an enclosing query's row, casts and non-volatile
 * functions of them (`id = 2 + 3`, `id = $1 + 1`), or an uncorrelated scalar subquery
 * (`id = (SELECT max(id) FROM t)`, PostgreSQL's InitPlan).
 */
export function isValue(x: Expr): boolean {
  switch (x.kind) {
    case 'const': case 'param': return true;
    // a column of an enclosing query's row: fixed for each run of this (correlated) subquery,
    // as PostgreSQL's parameterized index scan (`Index Cond: (customer = c.id)`)
    case 'column': return x.level > 0;
    case 'cast': return isValue(x.arg);
    case 'call': return !x.fn.volatile && x.args.every(isValue);
    case 'subquery': return x.mode === 'scalar' && !planIsCorrelated(x.plan);
    default: return false;
  }
}

/** Integer types a value may be widened from without changing it (int2 ⊂ int4 ⊂ int8). */
const WIDER_INTEGER: Record<number, readonly number[]> = {
  [OID.int8]: [OID.int4, OID.int2],
  [OID.int4]: [OID.int2],
};

/**
 * `value` as the key column's type, or undefined: same type as is (`id = $1`,
 * `id = 5::bigint`); a narrower integer widened exactly (`bigint_id = 5` compares with
 * int84eq, whose answer equals looking up 5::bigint). Other cross-type equalities
 * (`int_id = 2.5`) are left to the scan: a cast could round or overflow.
 */
export function asKeyValue(type: SqlType, value: Expr): Expr | undefined {
  if (!isValue(value)) return undefined;
  if (value.type.oid === type.oid) return value;
  if (!WIDER_INTEGER[type.oid]?.includes(value.type.oid)) return undefined;
  const fn = resolveCast(value.type, type, 'implicit');
  return fn ? { kind: 'cast', type, arg: value, fn } : undefined;
}

/** column index → the value (constant, parameter) it must equal, as the column's type */
function equalities(filter: Expr): Map<number, Expr> {
  const out = new Map<number, Expr>();
  for (const c of conjuncts(filter)) {
    if (c.kind !== 'call' || c.name !== '=' || c.args.length !== 2) continue;
    const [a, b] = c.args;
    const [col, other] = a.kind === 'column' ? [a, b] : [b, a];
    if (col.kind !== 'column' || col.level !== 0) continue;
    const v = asKeyValue(col.type, other);
    if (v) out.set(col.index, v);
  }
  return out;
}

/**
 * btree and hash indexes on plain columns, unique ones first (they find at most one row):
 * the storage keeps both as key indexes, and equality is all a hash index answers
 */
function uniqueKeys(table: TableDef): { name: string; columns: readonly number[] }[] {
  return table.indexes.filter((i) => (i.method === 'btree' || i.method === 'hash') && i.columns.length > 0 && !i.expression && keyHoldsEveryRow(i))
    .sort((a, b) => Number(b.unique) - Number(a.unique))
    .map((i) => ({ name: i.name, columns: i.columns }));
}

/**
 * `column = ANY (array)` conjuncts (IN lists are bound so, as in PostgreSQL) whose array is
 * known before the scan: a constant, a parameter, ARRAY[…] of such values. column index → array.
 */
function anyOfs(filter: Expr): Map<number, Expr> {
  const out = new Map<number, Expr>();
  for (const c of conjuncts(filter)) {
    if (c.kind !== 'anyall' || c.all || (c.op ?? '=') !== '=' || c.left.kind !== 'column' || c.left.level !== 0) continue;
    const arrayOk = c.right.kind === 'array' ? c.right.elems.every(isValue) : isValue(c.right);
    if (!arrayOk || elementTypeOf(c.right.type.oid) !== c.left.type.oid) continue;
    out.set(c.left.index, c.right);
  }
  return out;
}

/**
 * `expression = value` where the expression is an expression index's key (`lower(email) =
 * 'a@x.com'`): the index and the value as the key's type.
 */
function expressionEquality(table: TableDef, filter: Expr): { name: string; value: Expr } | undefined {
  for (const c of conjuncts(filter)) {
    if (c.kind !== 'call' || c.name !== '=' || c.args.length !== 2) continue;
    for (const [key, other] of [[c.args[0], c.args[1]], [c.args[1], c.args[0]]] as const) {
      const index = expressionKeyIndex(table, key);
      const value = index && asKeyValue(index.expression!.type, other);
      if (index && value) return { name: index.name, value };
    }
  }
  return undefined;
}

/** whether a lookup through a key of `columns` columns costs no more than reading the table */
function cheaperThanScan(ctx: RuleContext, table: TableDef, filter: Expr, keyName: string): boolean {
  const model = new CostModel(ctx.catalog, ctx.costEnv);
  return model.tableScan(table, filter, { keyName }).total <= model.tableScan(table, filter).total;
}

export const useKeyLookup: Rule = {
  name: 'use-key-lookup',
  apply(plan, ctx) {
    if (plan.kind !== 'scan' || !plan.filter || plan.partitions || plan.keyLookup) return undefined;
    const eq = equalities(plan.filter);
    const keys = uniqueKeys(plan.table);
    const key = eq.size ? keys.find((k) => k.columns.every((c) => eq.has(c))) : undefined;
    if (!key) {
      // an expression index's key: a lookup of its value (the expression is computed for it)
      const byExpression = expressionEquality(plan.table, plan.filter);
      if (byExpression && cheaperThanScan(ctx, plan.table, plan.filter, byExpression.name)) return { ...plan, keyLookup: { keyName: byExpression.name, values: [byExpression.value] } };
    }
    // else a one-column key equal to one of a list's values: a lookup per value
    const anys = key ? undefined : anyOfs(plan.filter);
    const anyKey = anys?.size ? keys.find((k) => k.columns.length === 1 && anys.has(k.columns[0])) : undefined;
    if (!key && !anyKey) return undefined;
    // by cost: a tiny table is read faster whole; enable_indexscan / enable_seqscan = off add disable_cost
    // (the filter's selectivity counts every value of a list: as many lookups)
    if (!cheaperThanScan(ctx, plan.table, plan.filter, (key ?? anyKey)!.name)) return undefined;
    if (key) return { ...plan, keyLookup: { keyName: key.name, values: key.columns.map((c) => eq.get(c)!) } };
    return { ...plan, keyLookup: { keyName: anyKey!.name, values: [], anyOf: anys!.get(anyKey!.columns[0])! } };
  },
};
