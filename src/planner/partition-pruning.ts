/**
 * Partition pruning: from a scan's filter, the conditions on a partitioned table's key
 * columns (=, IN, = ANY, <, <=, >, >=, IS NULL in top-level AND), so that only partitions
 * whose bounds can hold matching rows are scanned. Constants prune at plan time
 * (visible in EXPLAIN); $n parameters prune again when the statement runs.
 */
import type { Catalog, TableDef } from '../catalog/catalog.js';
import { prune, type KeyConditions } from '../catalog/partitions.js';
import type { Value } from '../types/types.js';
import type { Expr } from './plan.js';

/** Evaluates a constant or parameter; undefined when the value is not known yet. */
export type ValueOf = (e: Expr) => { value: Value } | undefined;

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

function conditionsFor(table: TableDef, filter: Expr, valueOf: ValueOf): KeyConditions | undefined {
  const keys = table.partition!.columns;
  const types = keys.map((k) => table.columns[k].type);
  const c = {
    equals: keys.map(() => undefined) as (Value[] | undefined)[],
    lower: keys.map(() => undefined) as KeyConditions['lower'],
    upper: keys.map(() => undefined) as KeyConditions['upper'],
    isNull: keys.map(() => false),
  };
  let any = false;
  const keyIndex = (e: Expr): number => (e.kind === 'column' && e.level === 0 ? keys.indexOf(e.index) : -1);
  const narrowEquals = (i: number, values: Value[]) => {
    const prev = c.equals[i];
    c.equals[i] = prev ? prev.filter((p) => values.some((v) => v === p || String(v) === String(p))) : values;
    any = true;
  };
  for (const part of conjuncts(filter)) {
    if (part.kind === 'isnull' && !part.negate) {
      const i = keyIndex(part.arg);
      if (i >= 0) { c.isNull[i] = true; any = true; }
      continue;
    }
    if (part.kind === 'call' && part.args.length === 2 && FLIP[part.name]) {
      let [a, b] = part.args;
      let op = part.name;
      if (keyIndex(a) < 0) { [a, b] = [b, a]; op = FLIP[op]; }
      const i = keyIndex(a);
      if (i < 0 || b.type.oid !== types[i].oid) continue;
      const v = valueOf(b);
      if (!v || v.value === null) continue;
      if (op === '=') narrowEquals(i, [v.value]);
      else if (op === '<' || op === '<=') { c.upper[i] = { value: v.value, inclusive: op === '<=' }; any = true; }
      else { c.lower[i] = { value: v.value, inclusive: op === '>=' }; any = true; }
      continue;
    }
    if (part.kind === 'or') {
      // k = a OR k = b OR …  (what IN (…) binds to)
      let idx = -1;
      const values: Value[] = [];
      const ok = part.args.every((x) => {
        if (x.kind !== 'call' || x.name !== '=' || x.args.length !== 2) return false;
        const [a, b] = keyIndex(x.args[0]) >= 0 ? x.args : [x.args[1], x.args[0]];
        const i = keyIndex(a);
        if (i < 0 || (idx >= 0 && i !== idx) || b.type.oid !== types[i].oid) return false;
        idx = i;
        const v = valueOf(b);
        if (!v || v.value === null) return false;
        values.push(v.value);
        return true;
      });
      if (ok && idx >= 0) narrowEquals(idx, values);
      continue;
    }
    if (part.kind === 'anyall' && !part.all && part.fn && keyIndex(part.left) >= 0) {
      const i = keyIndex(part.left);
      const v = valueOf(part.right);
      if (v && Array.isArray(v.value)) narrowEquals(i, (v.value as Value[]).filter((x) => x !== null));
    }
  }
  return any ? c : undefined;
}

/** The leaf partitions of `table` that rows matching `filter` can live in. */
export function prunePartitions(catalog: Catalog, table: TableDef, filter: Expr | null, valueOf: ValueOf): TableDef[] {
  return prune(catalog, table, (t) => (filter && t.partition ? conditionsFor(t, filter, valueOf) : undefined));
}

/** Constants only (plan time). */
export const constantValue: ValueOf = (e) => (e.kind === 'const' ? { value: e.value } : undefined);
