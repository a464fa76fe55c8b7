import type { Catalog } from '../../catalog/catalog.js';
import type { Plan } from '../plan.js';
import type { CostEnv } from '../cost.js';

/** What rules may consult (never storage: the planner does no I/O). */
export interface RuleContext {
  readonly catalog: Catalog;
  /** live rows per table and the enable_* settings, for rules that choose by cost (defaults: cost.ts) */
  readonly costEnv?: CostEnv;
}

/** A rewrite rule: returns a new plan, or undefined when it does not apply. */
export interface Rule {
  readonly name: string;
  apply(plan: Plan, ctx: RuleContext): Plan | undefined;
}

/** Apply a rule bottom-up to every node of the plan. */
export function applyEverywhere(plan: Plan, rule: Rule, ctx: RuleContext): Plan {
  const withChildren = mapChildren(plan, (child) => applyEverywhere(child, rule, ctx));
  return rule.apply(withChildren, ctx) ?? withChildren;
}

export function mapChildren(plan: Plan, f: (p: Plan) => Plan): Plan {
  switch (plan.kind) {
    case 'projectSet': {
      // SQL functions in the select list: their bodies are plans too
      const input = f(plan.input);
      const srfs = plan.srfs.map((s) => (s.plan ? { ...s, plan: f(s.plan) } : s));
      return input === plan.input && srfs.every((s, i) => s.plan === plan.srfs[i].plan) ? plan : { ...plan, input, srfs };
    }
    case 'filter': case 'project': case 'aggregate': case 'window':
    case 'sort': case 'topk': case 'limit': case 'distinct': {
      const input = f(plan.input);
      return input === plan.input ? plan : ({ ...plan, input } as Plan);
    }
    case 'result': {
      const gated = plan.gated && f(plan.gated);
      return gated === plan.gated ? plan : { ...plan, gated };
    }
    case 'sqlFunctionScan': {
      const body = f(plan.body);
      return body === plan.body ? plan : { ...plan, body };
    }
    case 'recursiveUnion': {
      const nonRecursive = f(plan.nonRecursive);
      const recursive = f(plan.recursive);
      return nonRecursive === plan.nonRecursive && recursive === plan.recursive ? plan : { ...plan, nonRecursive, recursive };
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
