/**
 * The hash keys of a join: equalities between one left column and one right column of
 * the same type in the ON condition's top-level AND. The planner prices a hash join on
 * them; the executor builds its hash table on them (the whole ON is still evaluated on
 * each candidate pair, so the other conditions need no special treatment).
 */
import type { SqlType } from '../types/types.js';
import type { Expr } from './plan.js';

export interface HashKey {
  /** column of the left input */
  readonly left: number;
  /** column of the right input (0-based within the right input) */
  readonly right: number;
  readonly type: SqlType;
  /** the equality itself, for EXPLAIN's Hash Cond */
  readonly cond: Expr;
}

export function hashJoinKeys(on: Expr | null, leftWidth: number): HashKey[] | null {
  if (!on) return null;
  const parts = on.kind === 'and' ? on.args : [on];
  const keys: HashKey[] = [];
  for (const p of parts) {
    if (p.kind !== 'call' || p.name !== '=' || p.args.length !== 2) continue;
    const [a, b] = p.args;
    if (a.kind !== 'column' || b.kind !== 'column' || a.level !== 0 || b.level !== 0) continue;
    if (a.type.oid !== b.type.oid) continue;
    if (a.index < leftWidth && b.index >= leftWidth) keys.push({ left: a.index, right: b.index - leftWidth, type: a.type, cond: p });
    else if (b.index < leftWidth && a.index >= leftWidth) keys.push({ left: b.index, right: a.index - leftWidth, type: a.type, cond: p });
  }
  return keys.length ? keys : null;
}
