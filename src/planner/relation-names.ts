/**
 * The names EXPLAIN gives the relations of a statement, as PostgreSQL's
 * select_rtable_names_for_explain does: each its alias (else its name), made unique over the
 * whole statement by `_1`, `_2`, … in range table order — the statement's own relations,
 * then each subquery's in the order of their numbers (set_plan_references) — so a table
 * read again in a subquery shows as `Seq Scan on t t_1`.
 */
import type { Plan } from './plan.js';
import type { SubplanNumbers } from './subplan-numbers.js';

type Named = Extract<Plan, { kind: 'scan' | 'cteScan' | 'functionScan' }>;

/** the relations one query reads, in FROM order (not those of its subqueries) */
export function relationsOf(plan: Plan, out: Named[] = []): Named[] {
  collect(plan, out);
  return out;
}

function collect(plan: Plan, out: Named[]): void {
  switch (plan.kind) {
    case 'scan': case 'cteScan': case 'functionScan': out.push(plan); return;
    case 'join': case 'setop': collect(plan.left, out); collect(plan.right, out); return;
    case 'recursiveUnion': collect(plan.nonRecursive, out); collect(plan.recursive, out); return;
    case 'result': if (plan.gated) collect(plan.gated, out); return;
    case 'sqlFunctionScan': return;
    default: if ('input' in plan) collect(plan.input, out);
  }
}

function nameOf(p: Named): string {
  if (p.kind === 'scan') return p.alias ?? p.table.name;
  if (p.kind === 'cteScan') return p.alias ?? p.cte.name ?? `cte_${p.cte.id}`;
  return p.name;
}

export function relationNames(root: Plan, numbers: SubplanNumbers, taken: readonly string[] = []): Map<Plan, string> {
  const order: Named[] = [];
  relationsOf(root, order);
  for (const [plan] of [...numbers.plans].sort((a, b) => a[1] - b[1])) relationsOf(plan, order);
  // names the range table holds before the plan's relations (an INSERT's target)
  const used = new Set<string>(taken);
  const names = new Map<Plan, string>();
  for (const p of order) {
    if (names.has(p)) continue;
    const base = nameOf(p);
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    names.set(p, name);
  }
  return names;
}
