/**
 * Partition pruning: from a scan's filter, the conditions on a partitioned table's key
 * columns (=, IN, <, <=, >, >=, IS NULL in top-level AND; an operator with ANY / ALL over an
 * array, as partprune.c takes a ScalarArrayOpExpr: `= ANY` the union of each element's
 * partitions, `<> ALL` (NOT IN) the list partitions holding only excluded values removed),
 * so that only partitions whose bounds can hold matching rows are scanned. Constants prune
 * at plan time (visible in EXPLAIN); $n parameters prune again when the statement runs.
 */
import type { Catalog, TableDef } from '../catalog/catalog.js';
import { prune, withinLimits, type KeyConditions } from '../catalog/partitions.js';
import { compareValues } from '../types/compare.js';
import { elementTypeOf, type Value } from '../types/types.js';
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
    excluded: keys.map(() => undefined) as (Value[] | undefined)[],
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
      else limit(i, op, v.value);
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
    if (part.kind === 'anyall') {
      const i = keyIndex(part.left);
      if (i < 0 || elementTypeOf(part.right.type.oid) !== types[i].oid) continue;
      const elems = arrayElements(part.right, valueOf);
      if (elems) quantified(i, part.op ?? '', part.all, elems);
    }
  }
  // an equality's values outside the limits or excluded match nothing (= ANY (…) AND key < 400)
  c.equals.forEach((eq, k) => {
    if (eq) c.equals[k] = eq.filter((v) => withinLimits(types[k], v, c.lower[k], c.upper[k]) && !c.excluded[k]?.some((x) => compareValues(types[k], x, v) === 0));
  });
  return any ? c : undefined;

  /** key < v etc.: the tighter of this limit and one already found */
  function limit(i: number, op: string, value: Value): void {
    const inclusive = op === '<=' || op === '>=';
    const side = op === '<' || op === '<=' ? c.upper : c.lower;
    const prev = side[i];
    const cmp = prev ? compareValues(types[i], value, prev.value) : 0;
    const tighter = !prev || (side === c.upper ? cmp < 0 : cmp > 0) || (cmp === 0 && !inclusive);
    if (tighter) side[i] = { value, inclusive };
    any = true;
  }

  /**
   * key op ANY / ALL (elements): partprune.c expands it into one clause an element, ORed for
   * ANY and ANDed for ALL; a NULL element is never true (ANY: dropped; ALL: no row matches)
   */
  function quantified(i: number, op: string, all: boolean, elems: Value[]): void {
    const values = elems.filter((x) => x !== null);
    if (all && values.length < elems.length && (op === '=' || op === '<>' || FLIP[op])) return narrowEquals(i, []);
    if (op === '=') {
      if (!all) narrowEquals(i, values);
      else for (const v of values) narrowEquals(i, [v]);
    } else if (op === '<>' && all) {
      // NOT IN: prunes list partitions only (partprune.c's is_opne_listp)
      c.excluded[i] = [...(c.excluded[i] ?? []), ...values];
      any = true;
    } else if (FLIP[op] && values.length) {
      // the OR of key < a, key < b … is key < the largest; their AND key < the smallest
      const sorted = [...values].sort((x, y) => compareValues(types[i], x, y));
      const below = op === '<' || op === '<=';
      limit(i, op, below !== all ? sorted[sorted.length - 1] : sorted[0]);
    }
  }
}

/** The elements of an array constant, ARRAY[…] of constants or a known parameter (flattened); undefined when not known. */
function arrayElements(e: Expr, valueOf: ValueOf): Value[] | undefined {
  if (e.kind === 'array') {
    const out: Value[] = [];
    for (const x of e.elems) {
      const inner = x.kind === 'array' ? arrayElements(x, valueOf) : valueOf(x) && [valueOf(x)!.value];
      if (!inner) return undefined;
      out.push(...inner);
    }
    return out;
  }
  const v = valueOf(e);
  return v && Array.isArray(v.value) ? flatten(v.value as Value[]) : undefined;
}

function flatten(a: readonly Value[]): Value[] {
  return a.flatMap((x) => (Array.isArray(x) ? flatten(x as Value[]) : [x]));
}

/** The leaf partitions of `table` that rows matching `filter` can live in. */
export function prunePartitions(catalog: Catalog, table: TableDef, filter: Expr | null, valueOf: ValueOf): TableDef[] {
  return prune(catalog, table, (t) => (filter && t.partition ? conditionsFor(t, filter, valueOf) : undefined));
}

/** Constants only (plan time). */
export const constantValue: ValueOf = (e) => (e.kind === 'const' ? { value: e.value } : undefined);
