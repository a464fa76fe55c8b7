/**
 * Join order search over inner joins, as PostgreSQL's standard_join_search does it
 *
 *   SELECT … FROM big1 b1 JOIN big2 b2 ON b1.k = b2.k JOIN small s ON s.id = b2.s_id
 *    WHERE s.flag
 *
 * is written big ⋈ big first; joining the filtered small table first keeps the
 * intermediate result small. Inner joins (explicit `JOIN … ON`, `CROSS JOIN` and the
 * commas of a FROM list) are flattened into one list of relations with the conditions of
 * their ONs (where push-filter-into-joins already put the WHERE's), as deconstruct_jointree
 * does: an explicit JOIN's two sides are merged into one list only while it has at most
 * join_collapse_limit relations, and a FROM item's list joins its FROM list only while that
 * has at most from_collapse_limit; a list not merged is searched on its own and joined as
 * one relation. Outer, semi and anti joins and LATERAL ones are not taken apart (barriers:
 * their sides are searched on their own), nor an ON holding a subquery (its plan reads the
 * join's row by position).
 *
 * Two relations are joined in the written order unless the other one is cheaper. Each list
 * of 3 or more relations is searched by dynamic programming over its subsets
 * (join_search_one_level): the cheapest plan for every subset of k relations is the
 * cheapest join of two disjoint subsets' plans, each side as outer or inner, priced by the
 * cost model (cost.ts) with the join method and hashed side chosen as
 * rules/choose-join-algorithm.ts chooses them, and the conditions whose relations are all in
 * the subset but not all in one side as the join's ON. Only pairs linked by a condition are
 * joined, unless a side has no condition to any other relation (a cross product cannot be
 * avoided), as PostgreSQL avoids clauseless joins. A list longer than geqo_threshold (12,
 * where PostgreSQL switches to its genetic search) is ordered greedily instead: the cheapest
 * join of two relations first, until one is left (GOO).
 *
 * The joined relations' columns come out in the new order; a projection above restores the
 * written order, so nothing above the joins changes (merged into a projection above when
 * that reads only columns).
 */
import { T } from '../types/types.js';
import { CostModel } from './cost.js';
import { mapExpr } from './expr-walk.js';
import type { Expr, Plan } from './plan.js';
import { withCheapestAlgorithm } from './rules/choose-join-algorithm.js';
import { mapChildren, type RuleContext } from './rules/rule.js';

type JoinNode = Extract<Plan, { kind: 'join' }>;

/** PostgreSQL's default geqo_threshold: longer lists are not searched exhaustively. */
const EXHAUSTIVE_LIMIT = 12;

/** A relation of a flattened join list: its plan and where its columns start in the written join's row. */
interface Item { readonly plan: Plan; readonly offset: number }

/** A flattened join list: its relations and the conditions between them (columns of the written join's row). */
interface JoinList { readonly items: Item[]; readonly conds: Expr[] }

interface Limits { readonly join: number; readonly from: number }

function conjuncts(e: Expr | null): Expr[] {
  if (!e) return [];
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

function and(parts: readonly Expr[]): Expr | null {
  return parts.length === 0 ? null : parts.length === 1 ? parts[0] : { kind: 'and', type: T.bool, args: [...parts] };
}

/** Level-0 columns renumbered by f. Subquery plans are not entered (see hasSubquery). */
function renumber(e: Expr, f: (index: number) => number): Expr {
  return mapExpr(e, (x) => (x.kind === 'column' && x.level === 0 ? { ...x, index: f(x.index) } : undefined));
}

function hasSubquery(e: Expr): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'subquery' || x.kind === 'insubquery') found = true;
    return found ? x : undefined;
  });
  return found;
}

/** An inner join the search may take apart. */
function reorderable(p: Plan): p is JoinNode {
  return p.kind === 'join' && p.joinType === 'inner' && !p.lateral && !p.algorithm && !(p.on && hasSubquery(p.on));
}

const single = (plan: Plan, offset: number): JoinList => ({ items: [{ plan, offset }], conds: [] });

/** A list kept apart from its parent's: one relation, the join subtree as written (searched on its own later). */
function asOne(list: JoinList, subtree: Plan, offset: number): JoinList {
  return list.items.length === 1 ? list : single(subtree, offset);
}

/** deconstruct_recurse: the flattened list of the inner joins at p (p's columns start at offset). */
function flatten(p: Plan, offset: number, limits: Limits): JoinList {
  if (!reorderable(p)) return single(p, offset);
  if (p.fromList) return flattenFromList(p, offset, limits);
  const left = flatten(p.left, offset, limits);
  const right = flatten(p.right, offset + p.left.schema.length, limits);
  const on = conjuncts(p.on).map((c) => renumber(c, (i) => i + offset));
  if (left.items.length + right.items.length <= limits.join) {
    return { items: [...left.items, ...right.items], conds: [...left.conds, ...right.conds, ...on] };
  }
  const l = asOne(left, p.left, offset);
  const r = asOne(right, p.right, offset + p.left.schema.length);
  return { items: [...l.items, ...r.items], conds: [...l.conds, ...r.conds, ...on] };
}

/** A FROM list (a, b, c is bound as ((a, b), c)): each item's list joins it while within from_collapse_limit. */
function flattenFromList(p: JoinNode, offset: number, limits: Limits): JoinList {
  const fromItems: Plan[] = [];
  const on: Expr[] = [];
  let node: Plan = p;
  while (reorderable(node) && node.fromList) {
    fromItems.unshift(node.right);
    on.push(...conjuncts(node.on));
    node = node.left;
  }
  fromItems.unshift(node);
  const items: Item[] = [];
  const conds: Expr[] = on.map((c) => renumber(c, (i) => i + offset));
  let at = offset;
  let remaining = fromItems.length;
  for (const item of fromItems) {
    const sub = flatten(item, at, limits);
    remaining--;
    const kept = sub.items.length <= 1 || items.length + sub.items.length + remaining <= limits.from ? sub : single(item, at);
    items.push(...kept.items);
    conds.push(...kept.conds);
    at += item.schema.length;
  }
  return { items, conds };
}

/** Plans for the subsets of a join list, built and priced. */
class JoinSearch {
  private readonly model: CostModel;
  /** for each column of the written row, the item it belongs to */
  private readonly itemOfColumn: number[] = [];
  /** per condition: the items it reads (bit i = item i; 0 for none) */
  private readonly condItems: number[];

  private readonly plans: Plan[];

  constructor(private readonly list: JoinList, plans: readonly Plan[], ctx: RuleContext) {
    this.model = new CostModel(ctx.catalog, ctx.costEnv);
    list.items.forEach((item, i) => {
      for (let c = 0; c < item.plan.schema.length; c++) this.itemOfColumn[item.offset + c] = i;
    });
    this.condItems = list.conds.map((c) => {
      let mask = 0;
      renumber(c, (index) => { mask |= 1 << this.itemOfColumn[index]; return index; });
      return mask;
    });
    // a condition of an ON that reads one relation only (ON … AND p.category = 1) filters that relation
    this.plans = plans.map((plan, i) => {
      const own = list.conds.filter((_, ci) => this.condItems[ci] === 1 << i).map((c) => renumber(c, (g) => g - list.items[i].offset));
      const predicate = and(own);
      return predicate ? { kind: 'filter', schema: plan.schema, input: plan, predicate } : plan;
    });
  }

  /** The conditions that become the ON of joining a and b: all their items in a ∪ b, not all in one side. */
  private condsBetween(a: number, b: number): number[] {
    const both = a | b;
    const out: number[] = [];
    this.condItems.forEach((m, i) => {
      const needed = m === 0 ? this.full : m;
      if ((needed & both) === needed && (needed & a) !== needed && (needed & b) !== needed) out.push(i);
    });
    return out;
  }

  get full(): number {
    return (1 << this.list.items.length) - 1;
  }

  /** Some condition reads items of both a and b (have_relevant_joinclause). */
  linked(a: number, b: number): boolean {
    return this.condItems.some((m) => (m & a) !== 0 && (m & b) !== 0);
  }

  /** No condition links a to an item outside it: it can only be joined by a cross product. */
  isolated(a: number): boolean {
    return !this.linked(a, this.full & ~a);
  }

  /** The cheaper join of two subsets' plans (outer, inner), with its method chosen. */
  join(outer: Candidate, inner: Candidate): Candidate {
    const order = [...outer.order, ...inner.order];
    const start: number[] = [];
    let at = 0;
    for (const i of order) {
      start[i] = at;
      at += this.plans[i].schema.length;
    }
    const items = this.list.items;
    const on = this.condsBetween(outer.mask, inner.mask).map((ci) => renumber(this.list.conds[ci], (g) => {
      const i = this.itemOfColumn[g];
      return start[i] + g - items[i].offset;
    }));
    const node: JoinNode = {
      kind: 'join', schema: [...outer.plan.schema, ...inner.plan.schema], joinType: 'inner',
      left: outer.plan, right: inner.plan, on: and(on), lateral: false,
    };
    const plan = withCheapestAlgorithm(node, this.model);
    return { plan, order, mask: outer.mask | inner.mask, cost: this.model.estimate(plan).total };
  }

  base(i: number): Candidate {
    return { plan: this.plans[i], order: [i], mask: 1 << i, cost: this.model.estimate(this.plans[i]).total };
  }
}

interface Candidate { readonly plan: Plan; readonly order: readonly number[]; readonly mask: number; readonly cost: number }

function cheaper(a: Candidate | undefined, b: Candidate): Candidate {
  return !a || b.cost < a.cost ? b : a;
}

/** standard_join_search: the cheapest plan for every subset, smallest subsets first. */
function dynamicProgramming(search: JoinSearch, n: number): Candidate | undefined {
  const best = new Map<number, Candidate>();
  for (let i = 0; i < n; i++) best.set(1 << i, search.base(i));
  const bySize: number[][] = Array.from({ length: n + 1 }, () => []);
  for (let mask = 1; mask <= search.full; mask++) bySize[popcount(mask)].push(mask);
  for (let size = 2; size <= n; size++) {
    const tryLevel = (allowCross: boolean): boolean => {
      let any = false;
      for (const mask of bySize[size]) {
        let found = best.get(mask);
        // every split into (outer, inner), both orders: sub walks the non-empty proper subsets
        for (let sub = (mask - 1) & mask; sub > 0; sub = (sub - 1) & mask) {
          const outer = best.get(sub);
          const inner = best.get(mask ^ sub);
          if (!outer || !inner) continue;
          if (!allowCross && !search.linked(sub, mask ^ sub) && !search.isolated(sub) && !search.isolated(mask ^ sub)) continue;
          found = cheaper(found, search.join(outer, inner));
        }
        if (found) {
          best.set(mask, found);
          any = true;
        }
      }
      return any;
    };
    // no pair at this level is linked: cross products it must be (as join_search_one_level's last resort)
    if (!tryLevel(false)) tryLevel(true);
  }
  return best.get(search.full);
}

/** Greedy operator ordering: join the cheapest pair, until one plan is left. */
function greedy(search: JoinSearch, n: number): Candidate {
  let rels = Array.from({ length: n }, (_, i) => search.base(i));
  while (rels.length > 1) {
    let pick: { c: Candidate; a: number; b: number } | undefined;
    for (const linkedOnly of [true, false]) {
      for (let a = 0; a < rels.length; a++) {
        for (let b = 0; b < rels.length; b++) {
          if (a === b || (linkedOnly && !search.linked(rels[a].mask, rels[b].mask))) continue;
          const c = search.join(rels[a], rels[b]);
          if (!pick || c.cost < pick.c.cost) pick = { c, a, b };
        }
      }
      if (pick) break;
    }
    const { c, a, b } = pick!;
    rels = [...rels.filter((_, i) => i !== a && i !== b), c];
  }
  return rels[0];
}

function popcount(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

/** The relations joined in the chosen order, their columns put back in the written order. */
function restoreColumnOrder(written: JoinNode, list: JoinList, chosen: Candidate, plans: readonly Plan[]): Plan {
  const start: number[] = [];
  let at = 0;
  for (const i of chosen.order) {
    start[i] = at;
    at += plans[i].schema.length;
  }
  const position = (g: number): number => {
    const i = list.items.findIndex((item, k) => g >= item.offset && g < item.offset + plans[k].schema.length);
    return start[i] + g - list.items[i].offset;
  };
  const inOrder = written.schema.every((_, g) => position(g) === g);
  if (inOrder) return chosen.plan;
  const exprs: Expr[] = written.schema.map((c, g) => ({ kind: 'column', type: c.type, level: 0, index: position(g), name: c.name }));
  return { kind: 'project', schema: written.schema, input: chosen.plan, exprs };
}

/** Search the join list rooted at p; its relations' own joins first. */
function searchJoinList(p: JoinNode, ctx: RuleContext, limits: Limits): Plan {
  const list = flatten(p, 0, limits);
  const plans = list.items.map((item) => reorder(item.plan, ctx, limits));
  const n = plans.length;
  if (n < 2) return mapChildren(p, (child) => reorder(child, ctx, limits));
  const search = new JoinSearch(list, plans, ctx);
  if (n === 2) {
    // both orders, as PostgreSQL tries them; the written one stays unless the other is cheaper
    // (a hash join hashes either side in place; a nested loop holds its inner side)
    const written = search.join(search.base(0), search.base(1));
    const swapped = search.join(search.base(1), search.base(0));
    if (swapped.cost >= written.cost) return mapChildren(p, (child) => reorder(child, ctx, limits));
    return restoreColumnOrder(p, list, swapped, plans);
  }
  const chosen = (n <= EXHAUSTIVE_LIMIT ? dynamicProgramming(search, n) : undefined) ?? greedy(search, n);
  return restoreColumnOrder(p, list, chosen, plans);
}

/** A projection that only picks columns, composed into the projection above it. */
function composeProjection(p: Extract<Plan, { kind: 'project' }>): Plan {
  const inner = p.input;
  if (inner.kind !== 'project' || !inner.exprs.every((e) => e.kind === 'column' && e.level === 0)) return p;
  if (p.exprs.some(hasSubquery)) return p;
  const exprs = p.exprs.map((e) => renumber(e, (i) => (inner.exprs[i] as { index: number }).index));
  return { ...p, input: inner.input, exprs };
}

function reorder(p: Plan, ctx: RuleContext, limits: Limits): Plan {
  if (reorderable(p)) return searchJoinList(p, ctx, limits);
  const out = mapChildren(p, (child) => reorder(child, ctx, limits));
  return out.kind === 'project' && out.input !== (p as { input?: Plan }).input ? composeProjection(out) : out;
}

/** The whole plan with each list of inner joins in its cheapest order. */
export function reorderJoins(plan: Plan, ctx: RuleContext): Plan {
  const settings = ctx.costEnv?.settings;
  const limits = { join: settings?.joinCollapseLimit ?? 8, from: settings?.fromCollapseLimit ?? 8 };
  return reorder(plan, ctx, limits);
}
