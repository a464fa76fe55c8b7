/**
 * Scan(filter) → Bitmap Heap Scan over Bitmap Index Scans on B-tree indexes
 *
 *   SELECT … FROM t WHERE a = 1 OR a = 5 OR b = 7        (BitmapOr; indexes on a and b)
 *   SELECT … FROM t WHERE b BETWEEN 100 AND 130          (uncorrelated b: many heap pages)
 *   SELECT … FROM t WHERE a = 1 AND b = 7                (BitmapAnd, when it pays)
 *
 * PostgreSQL's choice between Index Scan and Bitmap Heap Scan, by its own formulas
 * (bitmap-cost.ts): an Index Scan reads the heap in the index's order (random pages unless
 * the column is correlated with the table's order), a bitmap reads each page once in
 * physical order. Quiver keeps every sealed segment in memory, so its Index Scan without an
 * order reads positions in order too (storage/index-scan.ts) and costs no random page
 * (cost.ts indexRangeScan); that cost still decides index against Seq Scan
 * (use-index-range.ts), and PostgreSQL's decides which index plan it is:
 *   - an unordered Index Scan that PostgreSQL would not take at all (its Seq Scan is within
 *     1 % of its best index plan, or cheaper) becomes the Seq Scan;
 *   - an unordered Index Scan becomes a Bitmap Heap Scan on the same index where
 *     cost_bitmap_heap_scan < cost_index;
 *   - a scan with no index plan gets a bitmap where it is cheaper than the Seq Scan: an OR
 *     whose every arm has a condition on some B-tree index's first column (BitmapOr), or
 *     one index's conditions;
 *   - bitmaps of different conjuncts are intersected (BitmapAnd) while that lowers the cost,
 *     PostgreSQL's choose_bitmap_and.
 * An index plan on a column without statistics (no correlation known) is left as it is.
 * Never with enable_bitmapscan off. Below a vector Top-K (which reads the scan its own way)
 * the bitmap is taken off again.
 */
import { CostModel } from '../cost.js';
import type { IndexDef } from '../../catalog/catalog.js';
import { expressionKeyIndex } from '../expression-index-match.js';
import { isValue } from './use-key-lookup.js';
import { bitmapHeapScanCost } from '../bitmap-cost.js';
import type { BitmapPath, Expr, Plan } from '../plan.js';
import { cutRow, indexQuals } from '../range-comparison.js';
import type { Rule, RuleContext } from './rule.js';
import { btreeKeys } from './use-index-range.js';

type Scan = Extract<Plan, { kind: 'scan' }>;

/** PostgreSQL's STD_FUZZ_FACTOR: a path must be cheaper by more than 1 % to win (else the lower startup wins) */
const FUZZ = 1.01;
interface Candidate { readonly path: BitmapPath; readonly recheck: readonly Expr[]; readonly cost: number }

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/**
 * The table's B-tree keys, the newest index first: PostgreSQL's planner lists a relation's
 * indexes so (get_relation_info), and of two bitmaps that cost the same keeps the first.
 */
function newestFirst(table: Scan['table']): ReturnType<typeof btreeKeys> {
  return [...btreeKeys(table)].reverse();
}

/**
 * The table's hash indexes on one plain column with the conjuncts of `cond` they can answer:
 * `column = value` only (hash_ops has no other operator; an `= ANY` stays the Index Scan's).
 */
function hashLeaves(table: Scan['table'], cond: Expr | null): { index: IndexDef; columns: number[]; conds: Expr[] }[] {
  const out: { index: IndexDef; columns: number[]; conds: Expr[] }[] = [];
  for (const index of [...table.indexes].reverse()) {
    if (index.method !== 'hash' || index.predicate || index.predicateSql || index.expression || index.columns.length !== 1) continue;
    const conds = indexQuals(cond, index.columns).filter((q) => q.op === '=' && !q.replaces && !q.row && !q.fromLike).map((q) => q.cond);
    if (conds.length) out.push({ index, columns: [...index.columns], conds });
  }
  return out;
}

/** The cheapest Bitmap Index Scan for the conditions `cond` (a conjunction): an index whose first column they compare. */
function leafFor(model: CostModel, scan: Scan, cond: Expr): { path: BitmapPath; conds: Expr[]; cost: number } | undefined {
  let best: { path: BitmapPath; conds: Expr[]; cost: number } | undefined;
  for (const { index, columns, conds } of hashLeaves(scan.table, cond)) {
    const path: BitmapPath = { kind: 'index', keyName: index.name, columns, cond: conds };
    const cost = bitmapHeapScanCost(model, scan.table, cond, path).heap.total;
    if (!best || cost < best.cost) best = { path, conds, cost };
  }
  for (const { index, columns } of newestFirst(scan.table)) {
    const quals = indexQuals(cond, columns);
    if (!quals.some((q) => q.column === columns[0])) continue;
    const conds = quals.map((q) => q.cond);
    const path: BitmapPath = { kind: 'index', keyName: index.name, columns, cond: conds };
    const cost = bitmapHeapScanCost(model, scan.table, cond, path).heap.total;
    if (!best || cost < best.cost) best = { path, conds, cost };
  }
  return best;
}

/** Bitmaps for single conjuncts: one index's conditions, or an OR of indexable arms. */
function candidates(model: CostModel, scan: Scan): Candidate[] {
  const all = conjuncts(scan.filter!);
  const cost = (path: BitmapPath) => bitmapHeapScanCost(model, scan.table, scan.filter, path).heap.total;
  const out: Candidate[] = [];
  for (const { index, columns } of newestFirst(scan.table)) {
    const quals = indexQuals(scan.filter, columns);
    if (!quals.some((q) => q.column === columns[0])) continue;
    // a unique key fixed by `=`: one row, PostgreSQL's Index Scan (the key lookup's) while index scans are on
    if (model.env.settings.indexscan && index.unique && columns.length === index.columns.length && columns.every((c) => quals.some((q) => q.column === c && q.op === '='))) continue;
    const path: BitmapPath = { kind: 'index', keyName: index.name, columns, cond: quals.map((q) => q.cond) };
    // a comparison standing for a boolean clause (`NOT flag` as `flag = false`) is not
    // rechecked: PostgreSQL tests the clause itself as the Filter
    out.push({ path, recheck: quals.filter((q) => !q.replaces && !cutRow(q)).map((q) => q.cond), cost: cost(path) });
  }
  for (const { index, columns, conds } of hashLeaves(scan.table, scan.filter)) {
    const path: BitmapPath = { kind: 'index', keyName: index.name, columns, cond: conds };
    out.push({ path, recheck: conds, cost: cost(path) });
  }
  for (const e of expressionCandidates(model, scan, all)) out.push({ ...e, cost: cost(e.path) });
  for (const c of all) {
    if (c.kind !== 'or') continue;
    const arms: BitmapPath[] = [];
    for (const arm of c.args) {
      const leaf = leafFor(model, scan, arm);
      if (!leaf) break;
      arms.push(leaf.path);
    }
    if (arms.length !== c.args.length) continue;
    const path: BitmapPath = { kind: 'or', args: arms };
    out.push({ path, recheck: [c], cost: cost(path) });
  }
  return out;
}

const COMPARISONS = new Set(['=', '<', '<=', '>', '>=']);

/**
 * Bitmap Index Scans on expression indexes: the conjuncts comparing an index's key with a
 * value known before the scan, of the key's type (`(n + 1) BETWEEN 5 AND 7`); a unique key
 * fixed by `=` is the key lookup's (one row), as for columns.
 */
function expressionCandidates(model: CostModel, scan: Scan, all: readonly Expr[]): Omit<Candidate, 'cost'>[] {
  const byIndex = new Map<IndexDef, Expr[]>();
  for (const c of all) {
    if (c.kind !== 'call' || c.args.length !== 2 || !COMPARISONS.has(c.name)) continue;
    for (const [key, other] of [[c.args[0], c.args[1]], [c.args[1], c.args[0]]] as const) {
      const index = expressionKeyIndex(scan.table, key);
      if (!index || index.method !== 'btree' || index.predicateSql || !isValue(other) || other.type.oid !== index.expression!.type.oid) continue;
      byIndex.set(index, [...(byIndex.get(index) ?? []), c]);
      break;
    }
  }
  const out: Omit<Candidate, 'cost'>[] = [];
  for (const [index, cond] of byIndex) {
    if (model.env.settings.indexscan && index.unique && cond.some((c) => (c as { name: string }).name === '=')) continue;
    out.push({ path: { kind: 'index', keyName: index.name, columns: [index.columns[0]], cond, expression: true }, recheck: cond });
  }
  return out;
}

/** choose_bitmap_and: the cheapest, then each other one (on other conjuncts) intersected while that lowers the cost. */
function chooseBitmap(model: CostModel, scan: Scan, found: Candidate[]): Candidate | undefined {
  const sorted = [...found].sort((a, b) => a.cost - b.cost);
  let best = sorted[0];
  if (!best) return undefined;
  for (const next of sorted.slice(1)) {
    if (next.recheck.some((c) => best!.recheck.includes(c))) continue;
    const args = best.path.kind === 'and' ? [...best.path.args, next.path] : [best.path, next.path];
    const path: BitmapPath = { kind: 'and', args };
    const cost = bitmapHeapScanCost(model, scan.table, scan.filter, path).heap.total;
    if (cost < best.cost) best = { path, recheck: [...best.recheck, ...next.recheck], cost };
  }
  return best;
}

function convertible(plan: Plan): plan is Scan {
  return plan.kind === 'scan' && !!plan.filter && !plan.partitions && !plan.keyLookup?.anyOf && !plan.textLookup && !plan.bm25TopK
    && !plan.btreeBitmap && !plan.indexRange?.order && !plan.indexQual;
}

export const useBitmapScan: Rule = {
  name: 'use-bitmap-scan',
  apply(plan, ctx) {
    // a vector Top-K reads its scan its own way (filter bitmaps per segment): its scan as it was
    if (plan.kind === 'topk' && plan.vectorSearch) {
      const original = replacedScans.get(plan.input);
      return original ? { ...plan, input: original } : undefined;
    }
    if (!convertible(plan)) return undefined;
    // a key looked up per outer row (a correlated subquery's): PostgreSQL's parameterized Index Scan
    if (plan.keyLookup && !plan.keyLookup.values.every(knownNow)) return undefined;
    const out = choose(plan, ctx);
    if (out) replacedScans.set(out, plan);
    return out;
  },
};

/** a value fixed for the whole statement: constants and parameters, casts and calls of them */
function knownNow(e: Expr): boolean {
  if (e.kind === 'const' || e.kind === 'param') return true;
  if (e.kind === 'cast') return knownNow(e.arg);
  return e.kind === 'call' && !e.fn.volatile && e.args.every(knownNow);
}

/** rewritten scans → the scans they were (undone under a vector Top-K) */
const replacedScans = new WeakMap<Plan, Scan>();

/** An expression index's key lookup (Index Scan) or a bitmap, whichever PostgreSQL's costs prefer (add_path's fuzz). */
function expressionLookupOrBitmap(model: CostModel, plan: Scan, keyName: string): Scan | undefined {
  if (!model.env.settings.bitmapscan) return undefined;
  const bitmap = chooseBitmap(model, plan, candidates(model, plan));
  const index = model.tableScan(plan.table, plan.filter, { keyName }).total;
  if (!bitmap || bitmap.cost * FUZZ >= index) return undefined;
  const { keyLookup: _key, ...rest } = plan;
  return { ...rest, btreeBitmap: { path: bitmap.path, recheck: bitmap.recheck } } satisfies Scan;
}

function choose(plan: Scan, ctx: RuleContext): Scan | undefined {
  // an index plan on a column ANALYZE has not seen: no correlation to weigh its heap reads
  // by (PostgreSQL's estimates come from statistics too), so Quiver's choice stands
  const lookedUp = plan.table.indexes.find((i) => i.name === plan.keyLookup?.keyName);
  const model = new CostModel(ctx.catalog, ctx.costEnv);
  // an expression index's lookup: against a bitmap (its key's statistics priced both), never given up for the Seq Scan
  if (lookedUp?.expression) return expressionLookupOrBitmap(model, plan, lookedUp.name);
  const current = plan.indexRange?.columns[0] ?? lookedUp?.columns[0];
  if (current !== undefined && plan.table.stats?.columns[plan.table.columns[current].name]?.correlation == null) return undefined;
  const bitmap = model.env.settings.bitmapscan ? chooseBitmap(model, plan, candidates(model, plan)) : undefined;
  // PostgreSQL's add_path: a plan beats another when cheaper by more than 1 %, or within
  // 1 % with a lower startup cost (the Seq Scan's is 0)
  const seq = model.tableScan(plan.table, plan.filter).total;
  const indexed = plan.indexRange !== undefined || plan.keyLookup !== undefined;
  const index = indexed ? model.estimate(plan).total : Infinity;
  const { indexRange: _range, keyLookup: _key, ...rest } = plan;
  // an index plan PostgreSQL would not take at all: the Seq Scan
  if (indexed && seq <= Math.min(index, bitmap?.cost ?? Infinity) * FUZZ) return rest;
  if (!bitmap || bitmap.cost * FUZZ >= Math.min(index, seq)) return undefined;
  return { ...rest, btreeBitmap: { path: bitmap.path, recheck: bitmap.recheck } } satisfies Scan;
}
