/**
 * HAVING after the merge: a condition of comparisons, null tests and AND/OR/NOT whose
 * operands are the combined aggregates, per-group columns and constants. The router has no
 * expression evaluator, so the planner admits only these forms (others are 0A000).
 */
import { compareValues } from '../../types/compare.js';
import { compareNumeric } from '../../types/numeric.js';
import { parseText } from '../../types/text-io.js';
import { TYPES, type SqlType, type Value } from '../../types/types.js';
import type { ColumnRef } from './fanout-merge.js';

export type HavingTerm = { readonly col: ColumnRef } | { readonly literal: string | null };
export type Comparison = '=' | '<>' | '<' | '>' | '<=' | '>=';

export type HavingExpr =
  | { readonly op: 'and' | 'or'; readonly args: readonly HavingExpr[] }
  | { readonly op: 'not'; readonly arg: HavingExpr }
  | { readonly op: 'cmp'; readonly cmp: Comparison; readonly left: HavingTerm; readonly right: HavingTerm }
  | { readonly op: 'isnull'; readonly negated: boolean; readonly arg: HavingTerm }
  | { readonly op: 'bool'; readonly term: HavingTerm };

type Lookup = (ref: ColumnRef) => number;
type TypeOf = (column: number) => SqlType;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const isNumberType = (t: SqlType) => TYPES.get(t.oid)?.category === 'N';

function compareTerms(left: HavingTerm, right: HavingTerm, row: readonly Value[], at: Lookup, typeOf: TypeOf): number | null {
  if ('literal' in left && 'literal' in right) {
    return left.literal === null || right.literal === null ? null : compareText(left.literal, right.literal);
  }
  if ('literal' in left) {
    const c = compareTerms(right, left, row, at, typeOf);
    return c === null ? null : -c;
  }
  const li = at(left.col), lt = typeOf(li), lv = row[li];
  let rv: Value, rt: SqlType;
  if ('literal' in right) {
    if (right.literal === null) return null;
    // count(*) > 2.5 compares as numeric, as PostgreSQL resolves int8 > numeric
    if (lv !== null && isNumberType(lt) && NUMBER.test(right.literal.trim())) return compareNumeric(String(lv), right.literal.trim());
    rt = lt;
    rv = parseText(lt, right.literal);
  } else {
    const ri = at(right.col);
    rt = typeOf(ri);
    rv = row[ri];
  }
  if (lv === null || rv === null) return null;
  if (lt.oid !== rt.oid && isNumberType(lt) && isNumberType(rt)) return compareNumeric(String(lv), String(rv));
  return compareValues(lt, lv, rv);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function termValue(t: HavingTerm, row: readonly Value[], at: Lookup): Value {
  return 'literal' in t ? t.literal : row[at(t.col)];
}

/** SQL's three-valued result (null: unknown, which HAVING treats as false) */
export function evalHaving(e: HavingExpr, row: readonly Value[], at: Lookup, typeOf: TypeOf): boolean | null {
  switch (e.op) {
    case 'and': {
      let unknown = false;
      for (const a of e.args) {
        const v = evalHaving(a, row, at, typeOf);
        if (v === false) return false;
        if (v === null) unknown = true;
      }
      return unknown ? null : true;
    }
    case 'or': {
      let unknown = false;
      for (const a of e.args) {
        const v = evalHaving(a, row, at, typeOf);
        if (v === true) return true;
        if (v === null) unknown = true;
      }
      return unknown ? null : false;
    }
    case 'not': {
      const v = evalHaving(e.arg, row, at, typeOf);
      return v === null ? null : !v;
    }
    case 'isnull': return (termValue(e.arg, row, at) === null) !== e.negated;
    case 'bool': {
      const v = termValue(e.term, row, at);
      return v === null ? null : v === true;
    }
    case 'cmp': {
      const c = compareTerms(e.left, e.right, row, at, typeOf);
      if (c === null) return null;
      switch (e.cmp) {
        case '=': return c === 0;
        case '<>': return c !== 0;
        case '<': return c < 0;
        case '>': return c > 0;
        case '<=': return c <= 0;
        case '>=': return c >= 0;
      }
    }
  }
}
