/**
 * Join(X, FunctionScan(f(consts))) → Project(Filter(X))   (the function's value inlined)
 *
 *   SELECT … FROM docs, plainto_tsquery('english', 'cats') query WHERE to_tsvector('english', content) @@ query
 *
 * (the keyword side of pgvector's reciprocal-rank-fusion query). A non-set function in FROM
 * is a one-row relation; when its arguments are constants or parameters and it is not
 * volatile, joining it to X is X with one more column of the same value in every row. The
 * join's condition then refers to the call itself, so the filter reaches X's scan and
 * `key @@ plainto_tsquery(…)` is a condition the GIN index answers (use-text-index).
 */
import { mapExpr } from '../expr-walk.js';
import type { Expr, Plan } from '../plan.js';
import type { Rule } from './rule.js';
import { isValue } from './use-key-lookup.js';

type FunctionScan = Extract<Plan, { kind: 'functionScan' }>;

function inlinable(p: Plan): p is FunctionScan {
  return p.kind === 'functionScan' && p.scalar === true && !p.withOrdinality && !p.rowsFrom && p.args.length === 1 && isValue(p.args[0]);
}

export const inlineScalarFunctionScan: Rule = {
  name: 'inline-scalar-function-scan',
  apply(plan) {
    if (plan.kind !== 'join' || plan.joinType !== 'inner') return undefined;
    const fnLeft = inlinable(plan.left);
    if (!fnLeft && !inlinable(plan.right)) return undefined;
    const fs = (fnLeft ? plan.left : plan.right) as FunctionScan;
    const other = fnLeft ? plan.right : plan.left;
    const value = fs.args[0];
    // the join's columns: the function's one column and the other side's, in FROM order
    const fsIndex = fnLeft ? 0 : other.schema.length;
    const otherColumn = (i: number): number => (fnLeft ? i - 1 : i);
    const exprs: Expr[] = plan.schema.map((c, i) => (i === fsIndex ? value : { kind: 'column', type: c.type, level: 0, index: otherColumn(i), name: c.name }));
    let input: Plan = other;
    if (plan.on) {
      const predicate = mapExpr(plan.on, (x) => (x.kind === 'column' && x.level === 0 ? exprs[x.index] : undefined));
      input = { kind: 'filter', schema: other.schema, input: other, predicate };
    }
    return { kind: 'project', schema: plan.schema, input, exprs };
  },
};
