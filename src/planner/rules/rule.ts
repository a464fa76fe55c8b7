import type { Plan } from '../plan.js';

/** A rewrite rule: returns a new plan, or undefined when it does not apply. */
export interface Rule {
  readonly name: string;
  apply(plan: Plan): Plan | undefined;
}

/** Apply a rule bottom-up to every node of the plan. */
export function applyEverywhere(plan: Plan, rule: Rule): Plan {
  const withChildren = mapChildren(plan, (child) => applyEverywhere(child, rule));
  return rule.apply(withChildren) ?? withChildren;
}

export function mapChildren(plan: Plan, f: (p: Plan) => Plan): Plan {
  switch (plan.kind) {
    case 'filter': case 'project': case 'projectSet': case 'aggregate': case 'window':
    case 'sort': case 'topk': case 'limit': case 'distinct': {
      const input = f(plan.input);
      return input === plan.input ? plan : ({ ...plan, input } as Plan);
    }
    case 'join': case 'setop': {
      const left = f(plan.left);
      const right = f(plan.right);
      return left === plan.left && right === plan.right ? plan : ({ ...plan, left, right } as Plan);
    }
    default:
      return plan;
  }
}
