/**
 * `OFFSET 0` without a LIMIT skips nothing: no Limit node (PostgreSQL's limit_needed)
 *
 *   SELECT * FROM t OFFSET 0          → Seq Scan on t
 *
 * A FROM subquery's `OFFSET 0` stays: PostgreSQL reads such a subquery through a Subquery
 * Scan (the node is its optimization fence, plan.ts readAsSubquery).
 */
import type { Expr, Plan } from '../plan.js';
import type { Rule } from './rule.js';

export const dropZeroOffset: Rule = {
  name: 'drop-zero-offset',
  apply(plan) {
    if (!offsetZeroOnly(plan) || plan.subqueryScan) return undefined;
    return plan.input;
  },
};

/** A Limit that is only `OFFSET 0`: no node in PostgreSQL (EXPLAIN shows a FROM subquery's without it) */
export function offsetZeroOnly(plan: Plan): plan is Extract<Plan, { kind: 'limit' }> {
  return plan.kind === 'limit' && plan.limit === null && isZero(plan.offset);
}

/** the constant 0 (an integer literal, or its cast to bigint) */
function isZero(e: Expr | null): boolean {
  if (e?.kind === 'cast') return isZero(e.arg);
  if (e?.kind !== 'const') return false;
  const v = e.value;
  return v === 0 || v === 0n || (typeof v === 'string' && v.trim() !== '' && Number(v) === 0);
}
