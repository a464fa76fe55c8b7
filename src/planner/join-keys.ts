/**
 * The hash keys of a join: equalities between one left column and one right column of
 * the same type (or, for a hash join, of one hash family) in the ON condition's top-level AND. The planner prices a hash join on
 * them; the executor builds its hash table on them (the whole ON is still evaluated on
 * each candidate pair, so the other conditions need no special treatment).
 */
import { OID, type SqlType } from '../types/types.js';
import type { Expr } from './plan.js';

export interface HashKey {
  /** column of the left input */
  readonly left: number;
  /** column of the right input (0-based within the right input) */
  readonly right: number;
  readonly type: SqlType;
  /** the equality itself, for EXPLAIN's Hash Cond */
  readonly cond: Expr;
  /** the two columns' types differ within one family (int4 = int8): hashed by their values' text */
  readonly crossType?: true;
}

/** Same-type equality keys: what a merge join, an index probe or a unique-key test can use. */
export function hashJoinKeys(on: Expr | null, leftWidth: number): HashKey[] | null {
  const keys = equalityKeys(on, leftWidth).filter((k) => !k.crossType);
  return keys.length ? keys : null;
}

/**
 * The keys a hash join can hash: the same-type ones and those whose types differ within a
 * hash operator family, as PostgreSQL's integer_ops (int2/int4/int8) and float_ops
 * (float4/float8) hash int4 = int8 alike (`orders.customer_id int = customers.id bigint`).
 */
export function hashableJoinKeys(on: Expr | null, leftWidth: number): HashKey[] | null {
  const keys = equalityKeys(on, leftWidth);
  return keys.length ? keys : null;
}

const FAMILIES: readonly (readonly number[])[] = [[OID.int2, OID.int4, OID.int8], [OID.float4, OID.float8]];

function sameFamily(a: number, b: number): boolean {
  return FAMILIES.some((f) => f.includes(a) && f.includes(b));
}

function equalityKeys(on: Expr | null, leftWidth: number): HashKey[] {
  if (!on) return [];
  const parts = on.kind === 'and' ? on.args : [on];
  const keys: HashKey[] = [];
  for (const p of parts) {
    if (p.kind !== 'call' || p.name !== '=' || p.args.length !== 2) continue;
    const [a, b] = p.args;
    if (a.kind !== 'column' || b.kind !== 'column' || a.level !== 0 || b.level !== 0) continue;
    const cross = a.type.oid !== b.type.oid;
    if (cross && !sameFamily(a.type.oid, b.type.oid)) continue;
    const flag = cross ? { crossType: true as const } : {};
    if (a.index < leftWidth && b.index >= leftWidth) keys.push({ left: a.index, right: b.index - leftWidth, type: a.type, cond: p, ...flag });
    else if (b.index < leftWidth && a.index >= leftWidth) keys.push({ left: b.index, right: a.index - leftWidth, type: b.type, cond: p, ...flag });
  }
  return keys;
}
