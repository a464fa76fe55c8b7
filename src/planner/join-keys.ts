/**
 * The hash keys of a join: equalities in the ON condition's top-level AND between an
 * expression of the left input's row and one of the right input's, of the same type (or,
 * for a hash join, of one hash family). The planner prices a hash join on them; the
 * executor builds its hash table on them (the whole ON is still evaluated on each
 * candidate pair, so the other conditions need no special treatment).
 */
import { OID, type SqlType } from '../types/types.js';
import { mapExpr } from './expr-walk.js';
import type { Expr } from './plan.js';

/** A key of two plain columns: what a merge join, an index probe or a unique-key test can use. */
export interface HashKey {
  /** column of the left input */
  readonly left: number;
  /** column of the right input (0-based within the right input) */
  readonly right: number;
  readonly type: SqlType;
  /** the equality itself, for EXPLAIN's Hash Cond */
  readonly cond: Expr;
}

/**
 * A key a hash join can hash: `a.id = b.id + 1`, `lower(a.s) = lower(b.s)`, as PostgreSQL's
 * check_hashjoinable and clause_sides_match_join allow — each side reads columns of one
 * input only (at least one), nothing volatile, no subquery.
 */
export interface JoinHashKey {
  /** over the left input's row */
  readonly leftExpr: Expr;
  /** over the right input's row (its columns numbered from 0) */
  readonly rightExpr: Expr;
  /** the left side's type */
  readonly type: SqlType;
  /** the equality itself, for EXPLAIN's Hash Cond */
  readonly cond: Expr;
  /** the two sides' types differ within one family (int4 = int8): hashed by their values' text */
  readonly crossType?: true;
}

/** Same-type equalities of two plain columns: what a merge join, an index probe or a unique-key test can use. */
export function hashJoinKeys(on: Expr | null, leftWidth: number): HashKey[] | null {
  const keys: HashKey[] = [];
  for (const k of equalityKeys(on, leftWidth)) {
    if (k.crossType || k.leftExpr.kind !== 'column' || k.rightExpr.kind !== 'column') continue;
    keys.push({ left: k.leftExpr.index, right: k.rightExpr.index, type: k.type, cond: k.cond });
  }
  return keys.length ? keys : null;
}

/**
 * The keys a hash join can hash: expressions of either side (plain columns the commonest),
 * of the same type or of types within a hash operator family, as PostgreSQL's integer_ops
 * (int2/int4/int8) and float_ops (float4/float8) hash int4 = int8 alike
 * (`orders.customer_id int = customers.id bigint`).
 */
export function hashableJoinKeys(on: Expr | null, leftWidth: number): JoinHashKey[] | null {
  const keys = equalityKeys(on, leftWidth);
  return keys.length ? keys : null;
}

/**
 * The keys a merge join can sort both inputs on and walk: same-type equalities of plain
 * columns or expressions (`Sort Key: ((b.id + 1))`), in the ON's order.
 */
export function mergeJoinKeys(on: Expr | null, leftWidth: number): JoinHashKey[] | null {
  const keys = equalityKeys(on, leftWidth).filter((k) => !k.crossType);
  return keys.length ? keys : null;
}

const FAMILIES: readonly (readonly number[])[] = [[OID.int2, OID.int4, OID.int8], [OID.float4, OID.float8]];

function sameFamily(a: number, b: number): boolean {
  return FAMILIES.some((f) => f.includes(a) && f.includes(b));
}

function equalityKeys(on: Expr | null, leftWidth: number): JoinHashKey[] {
  if (!on) return [];
  const parts = on.kind === 'and' ? on.args : [on];
  const keys: JoinHashKey[] = [];
  for (const p of parts) {
    if (p.kind !== 'call' || p.name !== '=' || p.args.length !== 2 || p.fn.volatile) continue;
    const [a, b] = p.args;
    const cross = a.type.oid !== b.type.oid;
    if (cross && !sameFamily(a.type.oid, b.type.oid)) continue;
    const flag = cross ? { crossType: true as const } : {};
    const sideA = inputSide(a, leftWidth), sideB = inputSide(b, leftWidth);
    if (sideA === 'left' && sideB === 'right') keys.push({ leftExpr: a, rightExpr: rebased(b, leftWidth), type: a.type, cond: p, ...flag });
    else if (sideA === 'right' && sideB === 'left') keys.push({ leftExpr: b, rightExpr: rebased(a, leftWidth), type: b.type, cond: p, ...flag });
  }
  return keys;
}

/**
 * Which input's columns `e` reads: 'left' or 'right' when only that one's (at least one
 * column), undefined when both, none, a column of an enclosing query, a subquery or a
 * volatile function (a key is computed once per row, not once per pair).
 */
export function inputSide(e: Expr, leftWidth: number): 'left' | 'right' | undefined {
  let left = false, right = false, ok = true;
  mapExpr(e, (x) => {
    if (x.kind === 'column') {
      if (x.level !== 0) ok = false;
      else if (x.index < leftWidth) left = true;
      else right = true;
    } else if ((x.kind === 'call' && x.fn.volatile) || x.kind === 'subquery' || x.kind === 'insubquery' || x.kind === 'sqlCall' || x.kind === 'agg' || x.kind === 'window') ok = false;
    return ok ? undefined : x;
  });
  if (!ok || left === right) return undefined;
  return left ? 'left' : 'right';
}

/** a right-side expression over the right input's own row */
function rebased(e: Expr, leftWidth: number): Expr {
  return mapExpr(e, (x) => (x.kind === 'column' && x.level === 0 ? { ...x, index: x.index - leftWidth } : undefined));
}
