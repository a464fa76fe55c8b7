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
import { hashJoinKeys } from './join-keys.js';
import { mergeJoinType } from './merge-join-cost.js';
import type { Expr, Plan, SortKey } from './plan.js';
import { btreeKeys, fixedColumns, plainScan } from './rules/use-index-range.js';

type JoinNode = Extract<Plan, { kind: 'join' }>;

type Column = Extract<Expr, { kind: 'column' }>;

/**
 * An input's ordered forms per key list, built once: the join search offers one relation's
 * plan to many joins, and the same Sort or Index Scan object lets the cost model's cache
 * price it once (PostgreSQL keeps one sorted path per pathkeys on the relation).
 */
const orderedForms = new WeakMap<Plan, Map<string, Plan[]>>();

function memoized(input: Plan, key: string, build: () => Plan[]): Plan[] {
  let forms = orderedForms.get(input);
  if (!forms) orderedForms.set(input, (forms = new Map()));
  let found = forms.get(key);
  if (!found) forms.set(key, (found = build()));
  return found;
}

/** An ordered Index Scan → the scan it was made from (asWritten gives that object back). */
const scanMadeFrom = new WeakMap<Plan, Plan>();

/** Types numbered by identity, for columnKey. */
const typeIds = new WeakMap<object, number>();
let typesNumbered = 0;

/** Everything a column reference holds, as a string (its type by identity). */
function columnKey(c: Column): string {
  let type = typeIds.get(c.type);
  if (type === undefined) typeIds.set(c.type, (type = typesNumbered++));
  return `${c.level}.${c.index}.${type}.${c.name}.${c.table ?? ''}.${c.position ?? ''}`;
}

/** The input under a Sort on its key columns (as the ON names them, for EXPLAIN), ascending, NULLs last. */
function sortedBy(input: Plan, columns: readonly Column[]): Plan {
  return memoized(input, 'sort ' + columns.map(columnKey).join(','), () => {
    const keys: SortKey[] = columns.map((expr) => ({ expr, desc: false, nullsFirst: false }));
    return [{ kind: 'sort', schema: input.schema, input, keys }];
  })[0];
}

/** The ON's column of one side of a key equality, numbered within that side's input. */
function keyColumn(cond: Expr, leftWidth: number, side: 'left' | 'right'): Column {
  const args = (cond as Extract<Expr, { kind: 'call' }>).args as Column[];
  const c = args.find((a) => (side === 'left' ? a.index < leftWidth : a.index >= leftWidth))!;
  return side === 'left' ? c : { ...c, index: c.index - leftWidth };
}

/** A table's scan read through a B-tree index whose leading key columns are `columns` (in that order). */
function indexOrdered(input: Plan, columns: readonly number[]): Plan[] {
  // a scan already through a range of an index stays as chosen
  if (!plainScan(input) || input.btreeBitmap || input.indexRange) return [];
  return memoized(input, 'index ' + columns.join(','), () => indexOrderedScans(input, columns));
}

function indexOrderedScans(input: Extract<Plan, { kind: 'scan' }>, columns: readonly number[]): Plan[] {
  const out: Plan[] = [];
  for (const { index, columns: keyColumns } of btreeKeys(input.table)) {
    // key columns fixed by `=` do not break the order
    const fixed = fixedColumns(input, keyColumns);
    const order = keyColumns.filter((c) => !fixed.has(c) || columns.includes(c));
    if (columns.some((c, i) => order[i] !== c)) continue;
    const ordered: Plan = { ...input, indexRange: { keyName: index.name, columns: keyColumns, order: 'asc', orderColumns: keyColumns.indexOf(columns[columns.length - 1]) + 1, merged: true } };
    scanMadeFrom.set(ordered, input);
    out.push(ordered);
  }
  return out;
}

/**
 * The join output's columns a merge join hands on in ascending order, NULLs last: the outer
 * input's key columns, for an inner join also the inner's (equal on every row out), as many
 * keys as lead; none when the outer input's rows may be NULL-extended (a full join, or a
 * right join as walked: the inner side's unmatched rows come in between), as
 * build_join_pathkeys.
 */
export function mergeOrder(plan: JoinNode): { outer: number[]; inner: number[] } {
  const keys = hashJoinKeys(plan.on, plan.left.schema.length) ?? [];
  const width = plan.left.schema.length;
  const swapped = plan.mergeOuter === 'right';
  // the outer input's rows may come NULL-extended (a right or full join as walked): no order
  const type = mergeJoinType(plan);
  if (type === 'full' || type === 'right') return { outer: [], inner: [] };
  const outer = keys.map((k) => (swapped ? width + k.right : k.left));
  const inner = plan.joinType === 'inner' ? keys.map((k) => (swapped ? k.left : width + k.right)) : [];
  return { outer, inner };
}

/**
 * The cheapest merge join for this join, or undefined when it has no equality keys; with
 * `accept`, the cheapest of those it accepts (an order wanted above the join). With `limit`,
 * a pair of inputs whose startup costs alone exceed it is not priced (add_path_precheck on
 * initial_cost_mergejoin's bound: the caller takes no merge join dearer than `limit`).
 */
export function cheapestMergeJoin(plan: JoinNode, model: CostModel, accept?: (candidate: JoinNode) => boolean, limit = Infinity): JoinNode | undefined {
  // disabled: a hash join can always take its place (the same equality keys), so none is built
  if (plan.lateral || plan.parameterized || !model.env.settings.mergejoin) return undefined;
  const keys = hashJoinKeys(plan.on, plan.left.schema.length);
  if (!keys) return undefined;
  // a full join merges only when every condition is a merge key (select_mergejoin_clauses)
  const conjuncts = plan.on?.kind === 'and' ? plan.on.args.length : 1;
  if (plan.joinType === 'full' && conjuncts !== keys.length) return undefined;
  const leftCols = keys.map((k) => k.left);
  const rightCols = keys.map((k) => k.right);
  const width = plan.left.schema.length;
  const sortedLeft = sortedBy(plan.left, keys.map((k) => keyColumn(k.cond, width, 'left')));
  const sortedRight = sortedBy(plan.right, keys.map((k) => keyColumn(k.cond, width, 'right')));
  // inputs already in key order: an Index Scan, or a join below merged on these keys
  const indexLeft = [...indexOrdered(plan.left, leftCols), ...mergedInOrder(plan.left, leftCols, model)];
  const indexRight = [...indexOrdered(plan.right, rightCols), ...mergedInOrder(plan.right, rightCols, model)];
  // PostgreSQL's pairs: both sorted (sort_inner_and_outer), or an outer input already in
  // order with the inner sorted or in order too (match_unsorted_outer); never a sorted outer
  // over an inner in index order
  const pairs = (outers: Plan[], sortedOuter: Plan, inners: Plan[], sortedInner: Plan): [Plan, Plan][] =>
    [[sortedOuter, sortedInner], ...outers.flatMap((o) => [sortedInner, ...inners].map((i): [Plan, Plan] => [o, i]))];
  const mirrored = plan.joinType !== 'semi' && plan.joinType !== 'anti';
  let best: { plan: JoinNode; cost: number } | undefined;
  for (const swap of mirrored ? [false, true] : [false]) {
    const options = swap
      ? pairs(indexRight, sortedRight, indexLeft, sortedLeft).map(([o, i]): [Plan, Plan] => [i, o])
      : pairs(indexLeft, sortedLeft, indexRight, sortedRight);
    for (const [left, right] of options) {
      {
        // the join reads both inputs' first rows before its own first: a floor under its total
        if (limit < Infinity && model.estimate(left).startup + model.estimate(right).startup > limit * (1 + 1e-9)) continue;
        const candidate: JoinNode = { ...plan, left, right, algorithm: 'merge', ...(swap ? { mergeOuter: 'right' as const } : {}) };
        if (accept && !accept(candidate)) continue;
        const cost = model.estimate(candidate).total;
        // a tie (within rounding) keeps the first, as add_path keeps the older path
        if (!best || cost < best.cost * (1 - 1e-9)) best = { plan: candidate, cost };
      }
    }
  }
  return best?.plan;
}

/** Whether the merge join's order gives these columns in order. */
export function givesOrder(candidate: JoinNode, columns: readonly number[]): boolean {
  const order = mergeOrder(candidate);
  return columns.length > 0 && columns.length <= order.outer.length
    && columns.every((c, i) => c === order.outer[i] || c === order.inner[i]);
}

/**
 * A join input planned again as the cheapest merge join handing on `columns` in order (a
 * join relation's path kept for its order, as PostgreSQL keeps paths with useful pathkeys).
 */
function mergedInOrder(input: Plan, columns: readonly number[], model: CostModel): Plan[] {
  if (input.kind !== 'join' || input.lateral || input.parameterized || input.semiUnique) return [];
  if (input.algorithm === 'merge' && givesOrder(input, columns)) return [input];
  // the join order search offers one input to many joins above it: planned once per order
  let byInput = orderedInputs.get(model);
  if (!byInput) orderedInputs.set(model, (byInput = new WeakMap()));
  let byColumns = byInput.get(input);
  if (!byColumns) byInput.set(input, (byColumns = new Map()));
  const key = columns.join(',');
  let found = byColumns.get(key);
  if (!found) {
    const merged = cheapestMergeJoin(asWritten(input), model, (c) => givesOrder(c, columns));
    byColumns.set(key, (found = merged ? [merged] : []));
  }
  return found;
}

/** mergedInOrder's plans, per cost model (one planning) and input */
const orderedInputs = new WeakMap<CostModel, WeakMap<Plan, Map<string, Plan[]>>>();

/** A join as written: its inputs without the Sort or ordered Index Scan a merge join gave them, no method chosen. */
export function asWritten(join: JoinNode): JoinNode {
  if (join.algorithm !== 'merge') return { ...join, algorithm: undefined, hashBuild: undefined, mergeOuter: undefined };
  return { ...join, left: unsorted(join.left), right: unsorted(join.right), algorithm: undefined, hashBuild: undefined, mergeOuter: undefined };
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
