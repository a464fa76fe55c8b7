/**
 * TopK(Project(X)) → Project(TopK(X))
 *
 *   SELECT id, content, embedding <-> $1 AS d FROM items ORDER BY d LIMIT 10
 *
 * The select list is then computed for the k surviving rows only, and the TopK sees the
 * distance expression over the scan's own columns — the shape the vector search paths
 * (exact kernel, ANN index) recognise. Sort keys are rewritten in terms of X.
 */
import { mapExpr, planIsCorrelated } from '../expr-walk.js';
import type { Expr, Plan } from '../plan.js';
import type { Rule } from './rule.js';

/**
 * Whether the select list may be computed below the TopK instead of above it. An
 * uncorrelated scalar subquery may: it runs once either way (an InitPlan), and as the
 * query vector (`ORDER BY embedding <-> (SELECT embedding FROM t WHERE id = 5)`) it lets
 * the TopK see the distance over the scan's column and use the vector index.
 */
function isMovable(e: Expr): boolean {
  let ok = true;
  mapExpr(e, (x) => {
    const correlatedSubquery = (x.kind === 'subquery' && planIsCorrelated(x.plan)) || x.kind === 'insubquery';
    if (correlatedSubquery || (x.kind === 'call' && x.fn.volatile)) ok = false;
    return ok ? undefined : x;
  });
  return ok;
}

export const pushTopKBelowProject: Rule = {
  name: 'push-top-k-below-project',
  apply(plan) {
    if (plan.kind !== 'topk' || plan.input.kind !== 'project') return undefined;
    const project = plan.input;
    if (!project.exprs.every(isMovable)) return undefined;
    const keys = plan.keys.map((k) => ({
      ...k,
      expr: mapExpr(k.expr, (x) => (x.kind === 'column' && x.level === 0 ? project.exprs[x.index] : undefined)),
    }));
    const topk: Plan = { ...plan, schema: project.input.schema, input: project.input, keys };
    return { ...project, input: topk };
  },
};
