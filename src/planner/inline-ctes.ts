/**
 * A WITH query read once becomes part of the query that reads it
 *
 *   WITH x AS (SELECT * FROM t) SELECT * FROM x WHERE id = 5
 *
 * As a CTE Scan, x is all of t, computed and held before the WHERE looks at it; inlined,
 * `id = 5` reaches t's scan and is a key lookup. PostgreSQL (12 and later) inlines a
 * WITH query that is referenced once, is not recursive, has no volatile functions and is
 * not `AS MATERIALIZED`; so does this pass, over the whole statement (references inside
 * subqueries count), before any other rewrite. `AS NOT MATERIALIZED` is inlined at every
 * reference, as PostgreSQL copies the query into each place: the binder bound each
 * reference's query apart (CteRef.plan), so each place gets a plan of its own.
 */
import { planIsCorrelated, walkPlanExprs } from './expr-walk.js';
import { readAsSubquery, type CteRef, type Plan } from './plan.js';
import { mapChildren } from './rules/rule.js';

function forEachNode(plan: Plan, f: (p: Plan) => void): void {
  f(plan);
  mapChildren(plan, (c) => {
    forEachNode(c, f);
    return c;
  });
}

/** Every subquery plan in the plan's expressions, at any depth. */
function subqueryPlans(plan: Plan): { plan: Plan }[] {
  const out: { plan: Plan }[] = [];
  walkPlanExprs(plan, 0, (e) => {
    if (e.kind === 'subquery' || e.kind === 'insubquery') out.push(e as { plan: Plan });
  });
  return out;
}

/** A volatile function (or a SQL function, volatile unless declared otherwise) anywhere in it. */
function hasVolatile(plan: Plan): boolean {
  let found = false;
  walkPlanExprs(plan, 0, (e) => {
    if ((e.kind === 'call' && e.fn.volatile) || e.kind === 'sqlCall') found = true;
  });
  return found;
}

export function inlineCtes(plan: Plan): Plan {
  const refs = new Map<number, number>();
  const ctes = new Map<number, CteRef>();
  // each reference carries its own CteRef (sharing the plan): all of them get the rewritten plan
  const refObjects = new Map<number, CteRef[]>();
  // a NOT MATERIALIZED query's references have plans of their own: each is counted
  const counted = new Set<Plan>();
  const count = (p: Plan): void => {
    const visit = (n: Plan): void => {
      if (n.kind !== 'cteScan') return;
      refs.set(n.cte.id, (refs.get(n.cte.id) ?? 0) + 1);
      refObjects.set(n.cte.id, [...(refObjects.get(n.cte.id) ?? []), n.cte]);
      if (!ctes.has(n.cte.id)) ctes.set(n.cte.id, n.cte);
      if (counted.has(n.cte.plan)) return;
      counted.add(n.cte.plan);
      count(n.cte.plan);
    };
    forEachNode(p, visit);
    for (const s of subqueryPlans(p)) forEachNode(s.plan, visit);
  };
  count(plan);
  const inline = new Set<number>();
  for (const [id, cte] of ctes) {
    const once = refs.get(id) === 1 && cte.materialized !== 'always';
    if (!(once || cte.materialized === 'never') || cte.recursive || cte.modifying) continue;
    if (hasVolatile(cte.plan) || planIsCorrelated(cte.plan)) continue;
    inline.add(id);
  }
  if (inline.size === 0) return plan;

  const replaced = new Set<Plan>();
  const replace = (p: Plan): Plan => {
    const withChildren = mapChildren(p, replace);
    if (withChildren.kind !== 'cteScan' || !inline.has(withChildren.cte.id)) return withChildren;
    return replace(readAsSubquery(withChildren.cte.plan, withChildren.alias ?? withChildren.cte.name));
  };
  // subqueries in expressions are replaced in place (the bound tree is this statement's own)
  const replaceAll = (p: Plan): Plan => {
    const out = replace(p);
    for (const s of subqueryPlans(out)) {
      if (replaced.has(s.plan)) continue;
      s.plan = replace(s.plan);
      replaced.add(s.plan);
    }
    return out;
  };
  for (const [id, cte] of ctes) {
    if (inline.has(id)) continue;
    const rewritten = replaceAll(cte.plan);
    for (const r of refObjects.get(id)!) r.plan = rewritten;
  }
  return replaceAll(plan);
}
