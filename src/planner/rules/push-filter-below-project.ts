/**
 * Filter(Project) → Project(Filter), Filter(Sort) → Sort(Filter), and on through the
 * WindowAgg, Aggregate, DISTINCT and set operation of a subquery where it is safe
 *
 *   SELECT * FROM (SELECT id, a * 2 AS b FROM t) x WHERE x.id = 5
 *   WITH x AS (SELECT * FROM t) SELECT * FROM x WHERE id = 5      (inlined: inline-ctes.ts)
 *
 * A WHERE over a subquery in FROM tests the subquery's output; written in terms of the
 * subquery's own columns it can reach the scan below (a key lookup, a pruned partition, a
 * filtered vector search) instead of testing every row the subquery produces. As
 * PostgreSQL's set_subquery_pathlist, only when it is safe: the predicate contains no
 * subquery (its references to this row would have to be rewritten too) and the output
 * columns it reads are no volatile function and no subquery (they would be evaluated twice);
 * over window functions only conditions on columns every window partitions by, over a
 * GROUP BY only those on its keys, none into a LIMIT or an EXCEPT (subquery_is_pushdown_safe).
 * What stays is PostgreSQL's Subquery Scan's Filter (plan.ts readAsSubquery).
 */
import { mapExpr } from '../expr-walk.js';
import type { Expr, Plan } from '../plan.js';
import { windowChain } from '../window-tlists.js';
import type { Rule } from './rule.js';
import { T } from '../../types/types.js';
import { emptyRelation, foldConstants, isEmptyRelation } from '../constant-quals.js';
import { coercedColumns } from '../union-members.js';

function simple(e: Expr): boolean {
  let ok = true;
  mapExpr(e, (x) => {
    if (x.kind === 'subquery' || x.kind === 'insubquery' || x.kind === 'sqlCall' || x.kind === 'agg' || x.kind === 'window' || (x.kind === 'call' && x.fn.volatile)) {
      ok = false;
      return x;
    }
    return undefined;
  });
  return ok;
}

/**
 * Over window functions, the input columns every window partitions by: PostgreSQL's
 * check_output_expressions marks any other output column unsafe (a condition on it would
 * change which rows are in a partition, or reads a window function's result). Undefined:
 * no windows below, every column is safe.
 */
function partitionColumns(input: Plan): Set<number> | undefined {
  const chain = windowChain(input);
  if (!chain) return undefined;
  const fns = chain.windows.flatMap((w) => w.fns);
  const base = chain.base.schema.length;
  const safe = new Set<number>();
  for (let c = 0; c < base; c++) {
    if (fns.every((fn) => fn.partitionBy.some((k) => k.kind === 'column' && k.level === 0 && k.index === c))) safe.add(c);
  }
  return safe;
}

/** The input columns a condition over this select list may read to pass it (undefined: any). */
function safeBelow(project: Extract<Plan, { kind: 'project' }>): Set<number> | undefined {
  if (project.windowSafeColumns) return new Set(project.windowSafeColumns);
  return partitionColumns(project.input) ?? distinctOnKeys(project.input);
}

/** A Limit or Top-K under a subquery's select list (the projection hiding its ORDER BY keys, plan.ts readAsSubquery). */
function limited(plan: Plan): boolean {
  if (plan.kind === 'project') return limited(plan.input);
  return plan.kind === 'limit' || plan.kind === 'topk';
}

/** The predicate in terms of the project's input, or undefined when it is not safe to move. */
function below(predicate: Expr, exprs: readonly Expr[], safeColumns?: ReadonlySet<number>): Expr | undefined {
  if (!simple(predicate)) return undefined;
  let ok = true;
  const out = mapExpr(predicate, (x) => {
    if (x.kind !== 'column' || x.level !== 0) return undefined;
    const def = exprs[x.index];
    if (!def || !simple(def)) ok = false;
    else if (safeColumns && !(def.kind === 'column' && def.level === 0 && safeColumns.has(def.index))) ok = false;
    return def ?? x;
  });
  return ok ? out : undefined;
}

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' && !e.stopOnNull ? e.args.flatMap(conjuncts) : [e];
}

function readsColumnIn(e: Expr, columns: ReadonlySet<number>): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'column' && x.level === 0 && columns.has(x.index)) found = true;
    return found ? x : undefined;
  });
  return found;
}

function and(parts: readonly Expr[]): Expr {
  return parts.length === 1 ? parts[0] : { kind: 'and', type: T.bool, args: [...parts] };
}

/** Filter(Project) → Project(Filter) (and through a Sort), undefined when nothing can move. */
export function pushBelowProject(plan: Extract<Plan, { kind: 'filter' }>): Plan | undefined {
  const input = plan.input;
  if (input.kind === 'sort') {
    // what cannot pass a select list below the Sort (over window functions) stays above it
    const sorted = input.input;
    const safe = sorted.kind === 'project' ? safeBelow(sorted) : undefined;
    const stay = safe && sorted.kind === 'project' ? conjuncts(plan.predicate).filter((c) => !below(c, sorted.exprs, safe)) : [];
    const passing = conjuncts(plan.predicate).filter((c) => !stay.includes(c));
    if (passing.length === 0) return undefined;
    const inner: Extract<Plan, { kind: 'filter' }> = { kind: 'filter', schema: sorted.schema, input: sorted, predicate: and(passing) };
    const pushed: Plan = { ...input, input: pushBelowProject(inner) ?? inner };
    return stay.length ? { ...plan, input: pushed, predicate: and(stay) } : pushed;
  }
  if (input.kind === 'window') return belowWindow(plan, input);
  if (input.kind === 'setop') return intoSetOperands(plan, input);
  if (input.kind === 'aggregate') return belowAggregate(plan, input);
  if (input.kind === 'distinct' && input.on === null) {
    // DISTINCT over every column: a row's condition keeps or drops all its duplicates alike
    if (!simple(plan.predicate)) return undefined;
    const inner: Extract<Plan, { kind: 'filter' }> = { kind: 'filter', schema: input.input.schema, input: input.input, predicate: plan.predicate };
    return { ...input, input: pushBelowProject(inner) ?? inner };
  }
  if (input.kind === 'distinct') return belowDistinctOn(plan, input);
  if (input.kind !== 'project') return undefined;
  // a subquery with a LIMIT / OFFSET takes no condition (subquery_is_pushdown_safe)
  if (input.subqueryScan && limited(input.input)) return undefined;
  const safe = safeBelow(input);
  // each conjunct on its own: the safe ones move, the rest stay above
  const moved: Expr[] = [];
  const stay: Expr[] = [];
  for (const c of conjuncts(plan.predicate)) {
    const b = below(c, input.exprs, safe);
    if (b) moved.push(b);
    else stay.push(c);
  }
  if (moved.length === 0) return undefined;
  const inner: Extract<Plan, { kind: 'filter' }> = { kind: 'filter', schema: input.input.schema, input: input.input, predicate: and(moved) };
  const pushed: Plan = { ...input, input: pushBelowProject(inner) ?? inner };
  return stay.length ? { ...plan, input: pushed, predicate: and(stay) } : pushed;
}

/** Under DISTINCT ON, its key columns: a condition on any other column must not pass it. Undefined: no DISTINCT ON. */
function distinctOnKeys(plan: Plan): Set<number> | undefined {
  if (plan.kind !== 'distinct' || plan.on === null) return undefined;
  return new Set(plan.on.flatMap((k) => (k.kind === 'column' && k.level === 0 ? [k.index] : [])));
}

/**
 * Filter(Unique) → Unique(Filter) over DISTINCT ON: the conjuncts on its keys keep or drop
 * every row of a key alike, so they can be tested first; one on another column would change
 * which row of a key is first, so it stays above (check_output_expressions), in the Subquery Scan.
 */
function belowDistinctOn(plan: Extract<Plan, { kind: 'filter' }>, distinct: Extract<Plan, { kind: 'distinct' }>): Plan | undefined {
  const keys = distinctOnKeys(distinct) ?? new Set<number>();
  const onKeys = (c: Expr): boolean => {
    if (!simple(c)) return false;
    let ok = true;
    mapExpr(c, (x) => {
      if (x.kind !== 'column' || x.level !== 0) return undefined;
      if (!keys.has(x.index)) ok = false;
      return x;
    });
    return ok;
  };
  const moved = conjuncts(plan.predicate).filter(onKeys);
  if (moved.length === 0) return undefined;
  const stay = conjuncts(plan.predicate).filter((c) => !moved.includes(c));
  const inner: Extract<Plan, { kind: 'filter' }> = { kind: 'filter', schema: distinct.input.schema, input: distinct.input, predicate: and(moved) };
  const pushed: Plan = { ...distinct, input: pushBelowProject(inner) ?? inner };
  return stay.length ? { ...plan, input: pushed, predicate: and(stay) } : pushed;
}

/**
 * Filter(WindowAgg) → WindowAgg(Filter): the conjuncts on columns of its input that every
 * one of its windows partitions by drop whole partitions, so they can be tested first, as
 * PostgreSQL puts them in the subquery's WHERE (the others stay above).
 */
function belowWindow(plan: Extract<Plan, { kind: 'filter' }>, window: Extract<Plan, { kind: 'window' }>): Plan | undefined {
  const width = window.input.schema.length;
  const onPartition = (c: Expr): boolean => {
    if (!simple(c)) return false;
    let ok = true;
    mapExpr(c, (x) => {
      if (x.kind !== 'column' || x.level !== 0) return undefined;
      if (x.index >= width || !window.fns.every((fn) => fn.partitionBy.some((k) => k.kind === 'column' && k.level === 0 && k.index === x.index))) ok = false;
      return x;
    });
    return ok;
  };
  const moved = conjuncts(plan.predicate).filter(onPartition);
  if (moved.length === 0) return undefined;
  const stay = conjuncts(plan.predicate).filter((c) => !moved.includes(c));
  const inner: Extract<Plan, { kind: 'filter' }> = { kind: 'filter', schema: window.input.schema, input: window.input, predicate: and(moved) };
  const pushed: Plan = { ...window, input: pushBelowProject(inner) ?? inner };
  return stay.length ? { ...plan, input: pushed, predicate: and(stay) } : pushed;
}

/**
 * Filter(Aggregate) → Aggregate(Filter) for the conjuncts on its GROUP BY keys alone: they
 * keep or drop whole groups, so they can be tested on the rows before grouping — a WHERE
 * over a GROUP BY subquery, or a HAVING without aggregates, as PostgreSQL moves both into
 * the WHERE (subquery_push_qual, subquery_planner's HAVING to WHERE). The others stay above.
 */
function belowAggregate(plan: Extract<Plan, { kind: 'filter' }>, aggregate: Extract<Plan, { kind: 'aggregate' }>): Plan | undefined {
  // grouping sets: a key is NULL in the groups of sets without it (kept simple: nothing moves)
  if (aggregate.groupBy.length === 0 || aggregate.groupingSets) return undefined;
  const moved: Expr[] = [];
  const stay: Expr[] = [];
  for (const c of conjuncts(plan.predicate)) {
    // below(): undefined when a column read is an aggregate's result (no GROUP BY key there)
    const b = readsColumn(c) ? below(c, aggregate.groupBy) : undefined;
    if (b) moved.push(b);
    else stay.push(c);
  }
  if (moved.length === 0) return undefined;
  const inner: Extract<Plan, { kind: 'filter' }> = { kind: 'filter', schema: aggregate.input.schema, input: aggregate.input, predicate: and(moved) };
  const pushed: Plan = { ...aggregate, input: pushBelowProject(inner) ?? inner };
  return stay.length ? { ...plan, input: pushed, predicate: and(stay) } : pushed;
}

/** the expression reads a column of this row (one that reads none is a one-time condition, constant-quals.ts) */
function readsColumn(e: Expr): boolean {
  let any = false;
  mapExpr(e, (x) => {
    if (x.kind === 'column' && x.level === 0) any = true;
    return any ? x : undefined;
  });
  return any;
}

/**
 * Filter(UNION [ALL] / INTERSECT) → the set operation over each operand filtered: a row's
 * condition commutes with them, as PostgreSQL pushes a subquery's quals into every leaf of its
 * set operation (subquery_push_qual) and into each member of a UNION ALL it pulled up.
 */
function intoSetOperands(plan: Extract<Plan, { kind: 'filter' }>, setop: Extract<Plan, { kind: 'setop' }>): Plan | undefined {
  // EXCEPT takes none (subquery_is_pushdown_safe): the Subquery Scan above it filters
  if (setop.op === 'except') return undefined;
  if (!simple(plan.predicate)) return undefined;
  // a conjunct on a column some operand's type is coerced for stays above, the others go
  const unsafe = coercedColumns(setop);
  if (unsafe.size > 0) {
    const stay = conjuncts(plan.predicate).filter((c) => readsColumnIn(c, unsafe));
    if (stay.length > 0) {
      const passing = conjuncts(plan.predicate).filter((c) => !stay.includes(c));
      const pushed = passing.length > 0 ? intoSetOperands({ ...plan, predicate: and(passing) }, setop) : undefined;
      return pushed ? { ...plan, input: pushed, predicate: and(stay) } : undefined;
    }
  }
  // a VALUES list operand keeps the condition above (as a Filter on the Append)
  if (valuesIn(setop.left) || valuesIn(setop.right)) return undefined;
  const operand = (p: Plan): Plan => {
    // an operand giving a column as a constant (SELECT 1, 2): the condition folded there, as
    // PostgreSQL's eval_const_expressions does in that arm: true goes, false empties the arm
    if (p.kind === 'project' && constantIn(p, plan.predicate)) {
      const mapped = below(plan.predicate, p.exprs);
      if (mapped) {
        const folded = foldConstants(mapped);
        if (folded.kind === 'const') {
          if (folded.value === true) return p;
          // a UNION ALL drops the arm (below); another set operation still reads it, gated by
          // `One-Time Filter: false`, as PostgreSQL plans that arm's subquery
          return setop.all && setop.op === 'union' ? emptyRelation(p.schema) : { ...p, input: { kind: 'result', schema: p.input.schema, gated: p.input, oneTime: folded } };
        }
        const inner: Extract<Plan, { kind: 'filter' }> = { kind: 'filter', schema: p.input.schema, input: p.input, predicate: folded };
        return { ...p, input: pushBelowProject(inner) ?? inner };
      }
    }
    const inner: Extract<Plan, { kind: 'filter' }> = { kind: 'filter', schema: p.schema, input: p, predicate: plan.predicate };
    return pushBelowProject(inner) ?? inner;
  };
  const left = operand(setop.left);
  const right = operand(setop.right);
  // UNION ALL of an emptied arm: the other one (PostgreSQL drops a dummy append member)
  if (setop.op === 'union' && setop.all && (isEmptyRelation(left) || isEmptyRelation(right))) {
    const kept = isEmptyRelation(left) ? right : left;
    if (isEmptyRelation(kept)) return emptyRelation(setop.schema);
    return { kind: 'project', schema: setop.schema, input: kept, exprs: kept.schema.map((c, i): Expr => ({ kind: 'column', type: setop.schema[i]!.type, level: 0, index: i, name: c.name })) };
  }
  return { ...setop, left, right };
}

/** A VALUES list among the operands (through nested set operations). */
function valuesIn(operand: Plan): boolean {
  if (operand.kind === 'setop') return valuesIn(operand.left) || valuesIn(operand.right);
  return operand.kind === 'values' && operand.rows.length > 1;
}

/** Some column the predicate reads is a constant in this select list. */
function constantIn(operand: Extract<Plan, { kind: 'project' }>, predicate: Expr): boolean {
  let found = false;
  mapExpr(predicate, (x) => {
    if (x.kind === 'column' && x.level === 0 && operand.exprs[x.index]?.kind === 'const') found = true;
    return found ? x : undefined;
  });
  return found;
}

export const pushFilterBelowProject: Rule = {
  name: 'push-filter-below-project',
  apply(plan) {
    return plan.kind === 'filter' ? pushBelowProject(plan) : undefined;
  },
};
