/**
 * Merge Join paths (PostgreSQL's sort_inner_and_outer and match_unsorted_outer): a join with
 * equality keys may read both inputs in key order and walk them side by side
 * (executor/merge-join.ts). Each input is ordered either by a Sort on its keys or, for a
 * table's scan, by reading a B-tree index whose leading columns are the keys in key order
 * (an ordered Index Scan, storage/index-scan.ts). Every combination is priced
 * (merge-join-cost.ts), in both orders of the inputs for the join types that have a mirror
 * (inner, left / right, full), and the cheapest returned; choose-join-algorithm.ts sets it
 * against the hash join and the nested loops.
 */
import type { CostModel } from './cost.js';
import { hashJoinKeys, mergeJoinKeys, type JoinHashKey } from './join-keys.js';
import { mergeJoinType, mergeKeysOf } from './merge-join-cost.js';
import type { Expr, Plan, SortKey } from './plan.js';
import { exprIdentity } from './plan-order.js';
import { btreeKeys, fixedColumns, plainScan } from './rules/use-index-range.js';

type JoinNode = Extract<Plan, { kind: 'join' }>;

type Column = Extract<Expr, { kind: 'column' }>;

/**
 * An input's ordered forms per key list, built once: the join search offers one relation's
 * plan to many joins, and the same Sort or Index Scan object lets the cost model's cache
 * price it once (PostgreSQL keeps one sorted path per pathkeys on the relation).
 */
const orderedForms = new WeakMap<Plan, Map<string, unknown>>();

function memoized<T>(input: Plan, key: string, build: () => T): T {
  let forms = orderedForms.get(input);
  if (!forms) orderedForms.set(input, (forms = new Map()));
  if (!forms.has(key)) forms.set(key, build());
  return forms.get(key) as T;
}

/** An ordered Index Scan → the scan it was made from (asWritten gives that object back). */
const scanMadeFrom = new WeakMap<Plan, Plan>();

/**
 * A key column as a string: its position in the input (which fixes its type) and the names
 * EXPLAIN prints for it.
 */
function columnKey(c: Column): string {
  return `${c.index}.${c.name}.${c.table ?? ''}.${c.position ?? ''}`;
}

/**
 * The input under a Sort on its key columns or expressions (as the ON names them, for
 * EXPLAIN: `Sort Key: ((b.id + 1))`): ascending, NULLs last, or descending, NULLs first
 * (PostgreSQL's DESC).
 */
function sortedBy(input: Plan, exprs: readonly Expr[], desc: boolean): Plan {
  const id = exprs.map((e) => (e.kind === 'column' ? columnKey(e) : exprIdentity(e))).join(',');
  return memoized(input, `sort ${desc ? 'desc ' : ''}${id}`, (): Plan => {
    const keys: SortKey[] = exprs.map((expr) => ({ expr, desc, nullsFirst: desc }));
    return { kind: 'sort', schema: input.schema, input, keys };
  });
}

/** A key's side, over that side's input (the ON's own expression, so EXPLAIN names it as written). */
function keySide(key: JoinHashKey, side: 'left' | 'right'): Expr {
  return side === 'left' ? key.leftExpr : key.rightExpr;
}

/**
 * The input columns of the keys' sides, in key order, up to the first key on an expression
 * (its value is no column of the input, so no order of the input's columns comes of it).
 */
function keyColumnsInOrder(keys: readonly JoinHashKey[], side: 'left' | 'right'): number[] {
  const out: number[] = [];
  for (const k of keys) {
    const e = keySide(k, side);
    if (e.kind !== 'column') break;
    out.push(e.index);
  }
  return out;
}

/** An input in the order of some of the merge keys: `keys` are their positions, in that order. */
interface Form { readonly plan: Plan; readonly keys: readonly number[] }

/**
 * A table's scan read through each B-tree index whose leading key columns are key columns of
 * this side (`columns[k]`, for key k): the keys they give, in the index's order, as many as
 * lead (an index on (a, b) orders a merge on a, on a and b, or on b, a as a, b); forward, or
 * backward for a descending merge.
 */
function indexOrdered(input: Plan, columns: readonly number[], desc: boolean): Form[] {
  // a scan already through a range of an index stays as chosen
  if (!plainScan(input) || input.btreeBitmap || input.indexRange) return [];
  return memoized(input, `index ${desc ? 'desc ' : ''}${columns.join(',')}`, () => indexOrderedScans(input, columns, desc));
}

function indexOrderedScans(input: Extract<Plan, { kind: 'scan' }>, columns: readonly number[], desc: boolean): Form[] {
  const out: Form[] = [];
  for (const { index, columns: keyColumns } of btreeKeys(input.table)) {
    // key columns fixed by `=` do not break the order
    const fixed = fixedColumns(input, keyColumns);
    const order = keyColumns.filter((c) => !fixed.has(c) || columns.includes(c));
    const keys: number[] = [];
    for (const c of order) {
      const k = columns.findIndex((col, i) => col === c && !keys.includes(i));
      if (k < 0) break;
      keys.push(k);
    }
    if (!keys.length) continue;
    const last = columns[keys[keys.length - 1]];
    const ordered: Plan = { ...input, indexRange: { keyName: index.name, columns: keyColumns, order: desc ? 'desc' : 'asc', orderColumns: keyColumns.indexOf(last) + 1, merged: true } };
    scanMadeFrom.set(ordered, input);
    out.push({ plan: ordered, keys });
  }
  return out;
}

/**
 * The join output's columns a merge join hands on in order (ascending with NULLs last, or
 * with `desc` descending with NULLs first): the outer input's merge key columns, for an inner
 * join also the inner's (equal on every row out), as many keys as lead; none when the outer
 * input's rows may be NULL-extended (a full join, or a right join as walked: the inner side's
 * unmatched rows come in between), as build_join_pathkeys.
 */
export function mergeOrder(plan: JoinNode): { outer: number[]; inner: number[]; desc: boolean } {
  const keys = mergeKeysOf(plan);
  const width = plan.left.schema.length;
  const swapped = plan.mergeOuter === 'right';
  const desc = plan.mergeDesc === true;
  // the outer input's rows may come NULL-extended (a right or full join as walked): no order
  const type = mergeJoinType(plan);
  if (type === 'full' || type === 'right') return { outer: [], inner: [], desc };
  const outer = keyColumnsInOrder(keys, swapped ? 'right' : 'left').map((c) => (swapped ? width + c : c));
  const inner = plan.joinType === 'inner' ? keyColumnsInOrder(keys, swapped ? 'left' : 'right').map((c) => (swapped ? c : width + c)) : [];
  return { outer, inner, desc };
}

/** Options of cheapestMergeJoin. */
export interface MergeSearch {
  /** only candidates it accepts (an order wanted above the join) */
  readonly accept?: (candidate: JoinNode) => boolean;
  /**
   * a pair of inputs whose startup costs alone exceed it is not priced (add_path_precheck on
   * initial_cost_mergejoin's bound: the caller takes no merge join dearer than this)
   */
  readonly limit?: number;
  /** merge in descending key order (a backward Index Scan, a Sort DESC): for an ORDER BY … DESC */
  readonly desc?: boolean;
}

/** The length of the common prefix of two key lists. */
function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * The cheapest merge join for this join, or undefined when it has no equality keys (see
 * MergeSearch for the options).
 *
 * PostgreSQL's pairs: both inputs sorted on every key in the ON's order (sort_inner_and_outer;
 * with `accept`, also each key first, the others after it, for an order wanted above), or an
 * outer input already in the order of some keys (match_unsorted_outer: an Index Scan, or a
 * join below merged on them) with the inner sorted on those keys, or in the order of as many
 * of them as lead (the others tested as a Join Filter); never a sorted outer over an inner in
 * index order. A right or full join (as walked) merges on every key (useallclauses).
 */
export function cheapestMergeJoin(plan: JoinNode, model: CostModel, options: MergeSearch = {}): JoinNode | undefined {
  const { accept, limit = Infinity, desc = false } = options;
  // disabled: a hash join can always take its place (the same equality keys), so none is built
  if (plan.lateral || plan.parameterized || !model.env.settings.mergejoin) return undefined;
  const keys = mergeJoinKeys(plan.on, plan.left.schema.length);
  if (!keys) return undefined;
  // a full join merges only when every condition is a merge key (select_mergejoin_clauses)
  const conjuncts = plan.on?.kind === 'and' ? plan.on.args.length : 1;
  if (plan.joinType === 'full' && conjuncts !== keys.length) return undefined;
  const width = plan.left.schema.length;
  const all = keys.map((_, i) => i);
  const side = (input: Plan, which: 'left' | 'right') => {
    // an expression key (-1) is no column an index or a join below can give in order
    const columns = keys.map((k) => { const e = keySide(k, which); return e.kind === 'column' ? e.index : -1; });
    // read backward only where the ORDER BY's columns are (right_merge_direction): the
    // nullable side of an outer join has its own keys, ascending elsewhere
    const backward = which === 'left' || plan.joinType === 'inner';
    // the Sort per key order, looked up once per join (the pairs ask for each several times)
    const sorts = new Map<string, Plan>();
    return {
      sorted: (order: readonly number[]) => {
        const key = order.join(',');
        let sorted = sorts.get(key);
        if (!sorted) sorts.set(key, (sorted = sortedBy(input, order.map((k) => keySide(keys[k], which)), desc)));
        return sorted;
      },
      // inputs already in key order: an Index Scan, or a join below merged on every key
      ordered: desc ? (backward ? indexOrdered(input, columns, true) : [])
        : [...indexOrdered(input, columns, false), ...mergedInOrder(input, columns, model).map((p) => ({ plan: p, keys: all }))],
    };
  };
  const left = side(plan.left, 'left');
  const right = side(plan.right, 'right');
  // the both-sorted orders: the ON's, and with an order wanted above each key first
  const sortOrders = [all, ...(accept ? all.slice(1).map((k) => [k, ...all.filter((j) => j !== k)]) : [])];
  type Pair = { outer: Plan; inner: Plan; keys: readonly number[] };
  const pairs = (outer: ReturnType<typeof side>, inner: ReturnType<typeof side>): Pair[] => [
    ...sortOrders.map((order) => ({ outer: outer.sorted(order), inner: inner.sorted(order), keys: order })),
    ...outer.ordered.flatMap((o) => [
      { outer: o.plan, inner: inner.sorted(o.keys), keys: o.keys },
      ...inner.ordered.map((i) => ({ outer: o.plan, inner: i.plan, keys: o.keys.slice(0, commonPrefix(o.keys, i.keys)) })),
    ]),
  ];
  const mirrored = plan.joinType !== 'semi' && plan.joinType !== 'anti';
  let best: { plan: JoinNode; cost: number } | undefined;
  for (const swap of mirrored ? [false, true] : [false]) {
    for (const pair of swap ? pairs(right, left) : pairs(left, right)) {
      if (!pair.keys.length) continue;
      const [l, r] = swap ? [pair.inner, pair.outer] : [pair.outer, pair.inner];
      // the join reads both inputs' first rows before its own first: a floor under its total
      if (limit < Infinity && model.estimate(l).startup + model.estimate(r).startup > limit * (1 + 1e-9)) continue;
      const everyKey = pair.keys.length === all.length && pair.keys.every((k, i) => k === i);
      const candidate: JoinNode = {
        ...plan, left: l, right: r, algorithm: 'merge',
        ...(swap ? { mergeOuter: 'right' as const } : {}),
        ...(everyKey ? {} : { mergeKeys: pair.keys }),
        ...(desc ? { mergeDesc: true as const } : {}),
      };
      const type = mergeJoinType(candidate);
      if ((type === 'right' || type === 'full') && pair.keys.length < all.length) continue;
      if (accept && !accept(candidate)) continue;
      const cost = model.estimate(candidate).total;
      // a tie (within rounding) keeps the first, as add_path keeps the older path
      if (!best || cost < best.cost * (1 - 1e-9)) best = { plan: candidate, cost };
    }
  }
  return best?.plan;
}

/** Whether the merge join's order gives these columns in order, ascending (or with `desc` descending). */
export function givesOrder(candidate: JoinNode, columns: readonly number[], desc = false): boolean {
  const order = mergeOrder(candidate);
  return order.desc === desc && columns.length > 0 && columns.length <= order.outer.length
    && columns.every((c, i) => c === order.outer[i] || c === order.inner[i]);
}

/**
 * A join input planned again as the cheapest merge join handing on `columns` in order (a
 * join relation's path kept for its order, as PostgreSQL keeps paths with useful pathkeys).
 */
function mergedInOrder(input: Plan, columns: readonly number[], model: CostModel): Plan[] {
  if (input.kind !== 'join' || input.lateral || input.parameterized || input.semiUnique) return [];
  if (input.algorithm === 'merge' && givesOrder(input, columns)) return [input];
  // only the join's own key columns come out in order: any other, and no merge join of it will do
  const width = input.left.schema.length;
  const keyColumns = (hashJoinKeys(input.on, width) ?? []).flatMap((k) => [k.left, width + k.right]);
  if (!columns.every((c) => keyColumns.includes(c))) return [];
  // the join order search offers one input to many joins above it: planned once per order
  let byInput = orderedInputs.get(model);
  if (!byInput) orderedInputs.set(model, (byInput = new WeakMap()));
  let byColumns = byInput.get(input);
  if (!byColumns) byInput.set(input, (byColumns = new Map()));
  const key = columns.join(',');
  let found = byColumns.get(key);
  if (!found) {
    const merged = cheapestMergeJoin(asWritten(input), model, { accept: (c) => givesOrder(c, columns) });
    byColumns.set(key, (found = merged ? [merged] : []));
  }
  return found;
}

/** mergedInOrder's plans, per cost model (one planning) and input */
const orderedInputs = new WeakMap<CostModel, WeakMap<Plan, Map<string, Plan[]>>>();

/** A join as written: its inputs without the Sort or ordered Index Scan a merge join gave them, no method chosen. */
export function asWritten(join: JoinNode): JoinNode {
  if (join.algorithm !== 'merge') return { ...join, algorithm: undefined, hashBuild: undefined, mergeOuter: undefined, mergeKeys: undefined, mergeDesc: undefined };
  return { ...join, left: unsorted(join.left), right: unsorted(join.right), algorithm: undefined, hashBuild: undefined, mergeOuter: undefined, mergeKeys: undefined, mergeDesc: undefined };
}

function unsorted(p: Plan): Plan {
  if (p.kind === 'sort') return p.input;
  if (p.kind === 'scan' && p.indexRange?.merged) {
    const original = scanMadeFrom.get(p);
    if (original) return original;
    const { indexRange: _, ...scan } = p;
    return scan as Plan;
  }
  return p;
}
