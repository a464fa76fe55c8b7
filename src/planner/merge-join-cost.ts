/**
 * Merge Join costs, PostgreSQL's (costsize.c: initial_cost_mergejoin, final_cost_mergejoin,
 * and cost_index for the ordered Index Scan a merge join may read its input through).
 *
 * Early stop (mergejoinscansel on the first merge key): the walk ends when either input runs
 * out, so an input whose keys go past the other's largest is read only up to there, and the
 * rows below the other's smallest are skipped at startup. With the range [min, max] of each
 * key column (histogram ends and most common values; without statistics, and so for a key
 * expression, no early stop):
 *   outer end = sel(outer <= inner max), inner end = sel(inner <= outer max): the smaller is
 *               believed, the other is 1;
 *   outer start = sel(outer < inner min), inner start = sel(inner < outer min): the larger
 *               is believed, the other is 0.
 * A left or anti join reads all its outer rows, a right join all its inner ones; a full
 * join everything. With skip = rint(rows × start), read = clamp(rows × end), each input costs
 *   startup += input startup + input run × skip / rows
 *   run     += input run × (read - skip) / rows
 * (an input sorted below the join: its Sort's costs). Then, with tuples = outer rows × inner
 * rows × selectivity of the merge keys (approx_tuple_count), and the inner rows met again for
 * outer rows with equal keys, rescanned = max(0, tuples - inner rows) (none for a semi or anti
 * join, or a unique inner side, whose conditions are all merge keys: no mark / restore; none
 * over an outer input made unique),
 * ratio = 1 + rescanned / inner read:
 *   inner run as is       = inner run × ratio
 *   under a Materialize   = inner run + cpu_operator_cost × inner read × ratio
 * the Materialize taken when cheaper (enable_material), or when the inner input cannot
 * restore (neither a Sort nor an Index Scan), or a Sort that spills past work_mem;
 *   startup += merge qual × (outer skip + inner skip × ratio)
 *   run     += merge qual × ((outer read - outer skip) + (inner read - inner skip) × ratio)
 *            + (cpu_tuple_cost + other ON conditions) × tuples
 * where merge qual = the merge clauses' own cost (cpu_operator_cost a key, more for a key
 * expression: `a.id = b.id + 1` is two). enable_mergejoin = off adds disable_cost.
 */
import type { TableDef } from '../catalog/catalog.js';
import { T } from '../types/types.js';
import {
  CPU_INDEX_TUPLE_COST, CPU_OPERATOR_COST, CPU_TUPLE_COST, DISABLE_COST, RANDOM_PAGE_COST, SEQ_PAGE_COST,
  btreePages, clampRows, exprCost, keyLookupCost, pagesFetched, typeWidth, type CostModel, type Estimate,
} from './cost.js';
import { mergeJoinKeys, type JoinHashKey } from './join-keys.js';
import type { Expr, Plan } from './plan.js';
import { boundingQuals, indexQuals } from './range-comparison.js';
import { clauseSelectivity, columnRange, DEFAULT_INEQ_SEL, inequalitySelectivity, type ColumnInfo } from './selectivity.js';

type JoinNode = Extract<Plan, { kind: 'join' }>;

/** The input read first (PostgreSQL's outer), and the other. */
export function mergeSides(plan: JoinNode): { outer: Plan; inner: Plan; swapped: boolean } {
  const swapped = plan.mergeOuter === 'right';
  return swapped ? { outer: plan.right, inner: plan.left, swapped } : { outer: plan.left, inner: plan.right, swapped };
}

/** The join type as seen from the outer input (a swapped left join is PostgreSQL's right join). */
export function mergeJoinType(plan: JoinNode): JoinNode['joinType'] {
  if (plan.mergeOuter !== 'right') return plan.joinType;
  return plan.joinType === 'left' ? 'right' : plan.joinType === 'right' ? 'left' : plan.joinType;
}

/** The merge clauses in merge order (plan.mergeKeys of the ON's equality keys, else all of them). */
export function mergeKeysOf(plan: JoinNode): JoinHashKey[] {
  const keys = mergeJoinKeys(plan.on, plan.left.schema.length) ?? [];
  return plan.mergeKeys ? plan.mergeKeys.map((i) => keys[i]) : keys;
}

/** Inputs that can mark and restore their position (ExecSupportsMarkRestore): a Sort, an Index Scan. */
function restores(p: Plan): boolean {
  return p.kind === 'sort' || (p.kind === 'scan' && p.indexRange !== undefined);
}

interface Fractions { outerStart: number; outerEnd: number; innerStart: number; innerEnd: number }

/** mergejoinscansel on the first merge key (see the top of this file). */
function scanFractions(model: CostModel, plan: JoinNode, key: JoinHashKey, swapped: boolean, desc: boolean): Fractions {
  const none: Fractions = { outerStart: 0, outerEnd: 1, innerStart: 0, innerEnd: 1 };
  // an expression key has no statistics, so no range: both inputs read whole
  const leftInfo = model.keyInfo(key.leftExpr, plan.left.schema);
  const rightInfo = model.keyInfo(key.rightExpr, plan.right.schema);
  const [outer, inner] = swapped ? [rightInfo, leftInfo] : [leftInfo, rightInfo];
  const outerRange = columnRange(outer);
  const innerRange = columnRange(inner);
  if (!outer || !inner || !outerRange || !innerRange) return none;
  // the same two columns' statistics give the same fractions (the join search asks often)
  const cache = desc ? descFractionsCache : fractionsCache;
  const cached = cache.get(outer.stats!)?.get(inner.stats!);
  if (cached) return cached;
  const f = fractions(outer, inner, outerRange, innerRange, desc);
  let byInner = cache.get(outer.stats!);
  if (!byInner) cache.set(outer.stats!, (byInner = new WeakMap()));
  byInner.set(inner.stats!, f);
  return f;
}

const fractionsCache = new WeakMap<object, WeakMap<object, Fractions>>();
const descFractionsCache = new WeakMap<object, WeakMap<object, Fractions>>();

type Range = NonNullable<ReturnType<typeof columnRange>>;

function fractions(outer: ColumnInfo, inner: ColumnInfo, outerRange: Range, innerRange: Range, desc: boolean): Fractions {
  // a descending walk comes from the top: its end is the other's minimum (mergejoinscansel's isgt)
  const sel = (info: ColumnInfo, value: unknown, orEqual: boolean, fallback: number) => {
    const s = inequalitySelectivity(info, { value: value as never }, desc, orEqual);
    return s === DEFAULT_INEQ_SEL ? fallback : s;
  };
  const [outerLast, outerFirst] = desc ? [outerRange.min, outerRange.max] : [outerRange.max, outerRange.min];
  const [innerLast, innerFirst] = desc ? [innerRange.min, innerRange.max] : [innerRange.max, innerRange.min];
  let outerEnd = sel(outer, innerLast, true, 1);
  let innerEnd = sel(inner, outerLast, true, 1);
  if (outerEnd > innerEnd) outerEnd = 1;
  else if (outerEnd < innerEnd) innerEnd = 1;
  else outerEnd = innerEnd = 1;
  let outerStart = sel(outer, innerFirst, false, 0);
  let innerStart = sel(inner, outerFirst, false, 0);
  if (outerStart < innerStart) outerStart = 0;
  else if (outerStart > innerStart) innerStart = 0;
  else outerStart = innerStart = 0;
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  return { outerStart: clamp(outerStart), outerEnd: clamp(outerEnd), innerStart: clamp(innerStart), innerEnd: clamp(innerEnd) };
}

/** A merge join's cost, and whether its inner input goes under a Materialize. */
export function mergeJoinCost(model: CostModel, plan: JoinNode, innerUnique: boolean): { startup: number; total: number; materializeInner: boolean } {
  const keys = mergeKeysOf(plan);
  const { outer: outerPlan, inner: innerPlan, swapped } = mergeSides(plan);
  const outer = model.estimate(outerPlan);
  const inner = model.estimate(innerPlan);
  const outerRows = Math.max(1, outer.rows);
  const innerRows = Math.max(1, inner.rows);
  const jt = mergeJoinType(plan);
  let f: Fractions = jt === 'full' ? { outerStart: 0, outerEnd: 1, innerStart: 0, innerEnd: 1 } : scanFractions(model, plan, keys[0], swapped, plan.mergeDesc === true);
  if (jt === 'left' || jt === 'anti') f = { ...f, outerStart: 0, outerEnd: 1 };
  else if (jt === 'right') f = { ...f, innerStart: 0, innerEnd: 1 };
  const outerSkip = Math.round(outerRows * f.outerStart);
  const innerSkip = Math.round(innerRows * f.innerStart);
  const outerRead = clampRows(outerRows * f.outerEnd);
  const innerRead = clampRows(innerRows * f.innerEnd);
  const os = outerSkip / outerRows, oe = outerRead / outerRows, is = innerSkip / innerRows, ie = innerRead / innerRows;
  let startup = outer.startup + (outer.total - outer.startup) * os + inner.startup + (inner.total - inner.startup) * is;
  let run = (outer.total - outer.startup) * (oe - os);
  const innerRun = (inner.total - inner.startup) * (ie - is);
  const settings = model.env.settings;
  if (!settings.mergejoin) startup += DISABLE_COST;

  // the merge clauses' whole cost, a key expression's (`b.id + 1`) included (final_cost_mergejoin's merge_qual_cost)
  const mergeQual = keys.reduce((s, k) => s + exprCost(k.cond), 0);
  const conjuncts = plan.on?.kind === 'and' ? plan.on.args : plan.on ? [plan.on] : [];
  const otherQual = Math.max(0, exprCost(plan.on) - mergeQual);
  const skipMarkRestore = (jt === 'semi' || jt === 'anti' || innerUnique) && conjuncts.length === keys.length;
  const lookup = model.joinColumnLookup(plan);
  const keySel = keys.reduce((s, k) => s * clauseSelectivity(k.cond, lookup), 1);
  const tuples = clampRows(outerRows * innerRows * keySel);
  // a semi join's right side made unique (unique-semi-join.ts) as the outer input: PostgreSQL's UniquePath outer
  const uniqueOuter = plan.semiUnique === true && swapped;
  const rescanned = skipMarkRestore || uniqueOuter ? 0 : Math.max(0, tuples - innerRows);
  const ratio = 1 + rescanned / innerRead;
  const bare = innerRun * ratio;
  const held = innerRun + CPU_OPERATOR_COST * innerRead * ratio;
  const spills = innerPlan.kind === 'sort' && innerRows * (Math.ceil(inner.width / 8) * 8 + 24) > settings.workMemKb * 1024;
  const materializeInner = skipMarkRestore ? false
    : settings.material && held < bare ? true
      : !restores(innerPlan) ? true
        : settings.material && spills;
  run += materializeInner ? held : bare;
  startup += mergeQual * (outerSkip + innerSkip * ratio);
  run += mergeQual * (outerRead - outerSkip + (innerRead - innerSkip) * ratio);
  run += (CPU_TUPLE_COST + otherQual) * tuples;
  return { startup, total: startup + run, materializeInner };
}

/**
 * An Index Scan reading the whole key range in key order (cost_index, loop_count 1, with
 * btcostestimate / genericcostestimate):
 *   index tuples = rows × selectivity of the boundary quals, index pages = ceil(tuples / rows × btree pages)
 *   startup = (ceil(log2(rows)) + 50 × (btree height + 1)) × cpu_operator_cost
 *   index   = startup + random_page_cost × index pages + tuples × (cpu_index_tuple_cost + cpu_operator_cost × index quals)
 *   heap    = max IO + c² × (min IO - max IO), max IO = random_page_cost × fetched(tuples, relpages),
 *             min IO = random_page_cost + seq_page_cost × (ceil(sel × relpages) - 1), c the first key
 *             column's correlation (× 0.75 for an index of several columns); as an Index Only
 *             Scan both page counts × (1 - allvisfrac)
 *   total   = index + heap + tuples × (cpu_tuple_cost + cost of the filter's other conditions)
 * An expression index's key: no Index Cond, its statistics' width and correlation, and the
 * key computed per row (its calls' cpu_operator_cost, its type's width in the row).
 */
export function orderedIndexScanCost(model: CostModel, table: TableDef, filter: Expr | null, keyName: string, columns: readonly number[], allVisible = 0): Estimate {
  const rowsIn = model.env.rowCount(table.oid);
  const width = model.schemaWidth(table.columns.map((c, i) => ({ name: c.name, type: c.type, tableOid: table.oid, attnum: i + 1 })));
  const lookup = model.tableLookup(table);
  const index = table.indexes.find((i) => i.name === keyName);
  // an expression index read in its key's order: no Index Cond; its key's width and correlation from its own statistics
  const expression = index?.expression;
  const keyStats = expression ? table.stats?.indexes?.[index!.name] : table.stats?.columns[table.columns[columns[0]]?.name ?? ''];
  const quals = indexQuals(filter, expression ? [] : columns);
  const bounding = boundingQuals(quals, columns).map((c) => c.cond);
  const indexSel = bounding.length ? clauseSelectivity({ kind: 'and', type: T.bool, args: bounding }, lookup) : 1;
  const tuples = clampRows(rowsIn * indexSel);
  const rows = filter ? clampRows(rowsIn * clauseSelectivity(filter, lookup)) : tuples;
  const keyWidth = expression ? keyStats?.avgWidth || typeWidth(expression.type) : (index?.columns ?? columns).reduce((w, c) => w + (table.columns[c] ? typeWidth(table.columns[c].type) : 4), 0);
  const indexPages = Math.ceil((tuples * btreePages(rowsIn, keyWidth)) / Math.max(rowsIn, 1));
  const height = Math.max(0, Math.ceil(Math.log(Math.max(model.liveRows(table.oid), 2)) / Math.log(256)) - 1);
  // btcostestimate's two descent terms, added in its order (the sum rounds as PostgreSQL's)
  const startup = Math.ceil(Math.log2(Math.max(rowsIn, 2))) * CPU_OPERATOR_COST + (height + 1) * 50 * CPU_OPERATOR_COST + (model.env.settings.indexscan ? 0 : DISABLE_COST);
  const indexCost = RANDOM_PAGE_COST * indexPages + tuples * (CPU_INDEX_TUPLE_COST + CPU_OPERATOR_COST * quals.length);
  const relpages = Math.max(1, model.tablePages(table, rowsIn, width));
  // as an Index Only Scan only the rows not all-visible are fetched (allvisfrac, index-only.ts)
  const maxIo = RANDOM_PAGE_COST * Math.ceil(pagesFetched(tuples, relpages) * (1 - allVisible));
  const minPages = Math.ceil(Math.ceil(indexSel * relpages) * (1 - allVisible));
  const minIo = minPages > 0 ? RANDOM_PAGE_COST + SEQ_PAGE_COST * (minPages - 1) : 0;
  // btcostestimate: the first column's correlation, × 0.75 for an index of several columns
  const c = (keyStats?.correlation ?? 0) * ((index?.columns.length ?? columns.length) > 1 ? 0.75 : 1);
  const heapIo = maxIo + c * c * (minIo - maxIo);
  const otherQual = Math.max(0, exprCost(filter) - quals.reduce((s, q) => s + exprCost(q.cond), 0));
  // an expression key is also computed for each row, in the scan's target list, as PostgreSQL orders by it there
  const keyCost = expression ? keyLookupCost(table, keyName) : 0;
  const total = startup + indexCost + heapIo + tuples * (CPU_TUPLE_COST + otherQual + keyCost);
  return { startup, total, rows, width: width + (expression ? typeWidth(expression.type) : 0) };
}
