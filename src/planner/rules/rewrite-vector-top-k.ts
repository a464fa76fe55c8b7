/**
 * ORDER BY <keys> LIMIT k  →  TopK(k)
 *
 *   SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10
 *
 * A full sort holds and sorts every row; TopK keeps a bounded heap of offset + k rows and
 * computes each row's sort key (the distance) once. This is the exact path; ANN plans
 * for indexed vector columns replace it per segment when they are cheaper.
 */
import type { Expr, Plan, VectorSearchInfo } from '../plan.js';
import type { Rule } from './rule.js';

const DISTANCE_OPS = new Set(['<->', '<#>', '<=>', '<+>', '<~>', '<%>']);

export function vectorSearchInfo(plan: { keys: Plan extends never ? never : Extract<Plan, { kind: 'sort' }>['keys']; input: Plan }): VectorSearchInfo | undefined {
  const key = plan.keys[0]?.expr;
  if (!key || plan.keys[0].desc) return undefined;
  // The key is usually a column of a projection below the sort: look through it.
  let e: Expr = key;
  if (e.kind === 'column' && plan.input.kind === 'project') e = plan.input.exprs[e.index];
  if (e.kind !== 'call' || !DISTANCE_OPS.has(e.name)) return undefined;
  // the column, also under casts (embedding::halfvec(3) <-> $1 orders by embedding)
  const columnOf = (x: Expr): string | undefined => (x.kind === 'column' ? x.name : x.kind === 'cast' ? columnOf(x.arg) : undefined);
  const column = e.args.map(columnOf).find((c) => c !== undefined);
  return { operator: e.name, column: column ?? 'expression', strategy: 'exact' };
}

export const rewriteVectorTopK: Rule = {
  name: 'rewrite-vector-top-k',
  apply(plan) {
    // WITH TIES may pass more than k rows: a bounded heap of k would drop the ties
    if (plan.kind !== 'limit' || !plan.limit || plan.withTies || plan.input.kind !== 'sort') return undefined;
    const sort = plan.input;
    return {
      kind: 'topk', schema: plan.schema, input: sort.input, keys: sort.keys, limit: plan.limit, offset: plan.offset,
      vectorSearch: vectorSearchInfo(sort),
      // a FROM subquery's top stays read through a SubqueryScan (plan.ts readAsSubquery)
      ...(plan.subqueryScan ? { subqueryScan: true as const, subqueryAlias: plan.subqueryAlias } : {}),
    };
  },
};
