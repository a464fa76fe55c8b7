/**
 * Scan(filter: key = value AND …) → key lookup
 *
 *   SELECT abalance FROM pgbench_accounts WHERE aid = $1
 *
 * When the filter fixes every column of a btree index (PRIMARY KEY, UNIQUE, or a plain
 * CREATE INDEX) with a constant or parameter, the rows come from the storage's key index
 * instead of a full scan; the whole filter is still applied to them. (A plain index whose
 * key turns out to be shared by many rows falls back to the scan at run time.)
 */
import type { TableDef } from '../../catalog/catalog.js';
import type { Expr } from '../plan.js';
import type { Rule } from './rule.js';

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** column index → the constant/parameter it must equal */
function equalities(filter: Expr): Map<number, Expr> {
  const out = new Map<number, Expr>();
  for (const c of conjuncts(filter)) {
    if (c.kind !== 'call' || c.name !== '=' || c.args.length !== 2) continue;
    const [a, b] = c.args;
    const isValue = (x: Expr) => x.kind === 'const' || x.kind === 'param';
    if (a.kind === 'column' && a.level === 0 && isValue(b) && a.type.oid === b.type.oid) out.set(a.index, b);
    else if (b.kind === 'column' && b.level === 0 && isValue(a) && a.type.oid === b.type.oid) out.set(b.index, a);
  }
  return out;
}

/** btree indexes on plain columns, unique ones first (they find at most one row) */
function uniqueKeys(table: TableDef): { name: string; columns: readonly number[] }[] {
  return table.indexes.filter((i) => i.method === 'btree' && i.columns.length > 0)
    .sort((a, b) => Number(b.unique) - Number(a.unique))
    .map((i) => ({ name: i.name, columns: i.columns }));
}

export const useKeyLookup: Rule = {
  name: 'use-key-lookup',
  apply(plan) {
    if (plan.kind !== 'scan' || !plan.filter || plan.partitions || plan.keyLookup) return undefined;
    const eq = equalities(plan.filter);
    if (eq.size === 0) return undefined;
    const key = uniqueKeys(plan.table).find((k) => k.columns.every((c) => eq.has(c)));
    if (!key) return undefined;
    return { ...plan, keyLookup: { keyName: key.name, values: key.columns.map((c) => eq.get(c)!) } };
  },
};
