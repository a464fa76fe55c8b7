/**
 * PostgreSQL 15's costs for reading a table through B-tree indexes, used to choose between
 * an Index Scan and a Bitmap Heap Scan as PostgreSQL does (rules/use-bitmap-scan.ts), and
 * to price the Bitmap Heap Scan.
 *
 * B-tree pages (Quiver has none): an index tuple is MAXALIGN(8 + key width) + 4 bytes (line
 * pointer) for a distinct key, about 6.5 bytes for each repeat of one (PostgreSQL 13+
 * deduplicates repeats into posting lists), on pages filled to 90 %:
 *   index pages = 1 + ceil(rows × bytes per row / (0.9 × 8192)),  height = ceil(log_300(pages))
 *
 * Index path (btcostestimate with genericcostestimate), for the Index Cond's comparisons:
 *   index tuples = rows × selectivity of the boundary comparisons (the leading columns' `=`
 *                  and the next column's range), at least 1
 *   index total  = random_page_cost × ceil(index tuples × index pages / rows)
 *                + index tuples × (cpu_index_tuple_cost + cpu_operator_cost × comparisons)
 *                + ceil(log2(rows)) × cpu_operator_cost + 50 × (height + 1) × cpu_operator_cost
 *
 * Index Scan (cost_index), heap rows = rows × selectivity of all Index Cond comparisons:
 *   uncorrelated: pages = min(2 T N / (2 T + N), T) (Mackert-Lohman, T = relpages, N = heap
 *   rows), each at random_page_cost; perfectly correlated: ceil(sel × T) pages, the first
 *   random, the rest sequential; between them by correlation² (ANALYZE's pg_stats
 *   correlation of the index's first column, 0 without statistics)
 *   total = index total + IO + heap rows × (cpu_tuple_cost + cost of the other conditions)
 *
 * Bitmap Heap Scan (cost_bitmap_heap_scan, cost_bitmap_tree_node, cost_bitmap_and_node /
 * cost_bitmap_or_node): a Bitmap Index Scan costs its index total + 0.1 × cpu_operator_cost
 * × the scan's rows; a BitmapAnd the sum + 100 × cpu_operator_cost per intersection, its
 * selectivity the product; a BitmapOr the sum (unions of Bitmap Index Scans are free), its
 * selectivity the sum (at most 1). With N = rows × bitmap selectivity:
 *   pages = min(2 T N / (2 T + N), T), whole; cost per page = random_page_cost
 *           - (random_page_cost - seq_page_cost) × sqrt(pages / T) (random_page_cost under 2 pages)
 *   startup = bitmap cost
 *   total   = startup + pages × cost per page + N × (cpu_tuple_cost + cost of the whole filter)
 * enable_bitmapscan = off: the rule builds no bitmap (PostgreSQL's disable_cost makes it lose).
 */
import type { IndexDef, TableDef } from '../catalog/catalog.js';
import { T } from '../types/types.js';
import { CPU_INDEX_TUPLE_COST, CPU_OPERATOR_COST, CPU_TUPLE_COST, RANDOM_PAGE_COST, SEQ_PAGE_COST, exprCost, typeWidth, type CostModel, type Estimate } from './cost.js';
import type { BitmapPath, Expr } from './plan.js';
import { boundingQuals, indexQuals } from './range-comparison.js';
import { clauseSelectivity, distinctCount } from './selectivity.js';

const PAGE_SIZE = 8192;
const FILL = 0.9;
const DEDUPLICATED_BYTES = 6.5;

function and(parts: readonly Expr[]): Expr | null {
  return parts.length === 0 ? null : parts.length === 1 ? parts[0] : { kind: 'and', type: T.bool, args: parts };
}

function clampRows(rows: number): number {
  return rows <= 1 || !Number.isFinite(rows) ? 1 : Math.round(rows);
}

/** The table's live rows and relpages as the cost model counts them. */
function relation(model: CostModel, table: TableDef): { rows: number; pages: number } {
  const rows = model.env.rowCount(table.oid);
  const width = model.schemaWidth(table.columns.map((c, i) => ({ name: c.name, type: c.type, tableOid: table.oid, attnum: i + 1 })));
  return { rows, pages: Math.max(1, model.tablePages(table, rows, width)) };
}

/** B-tree pages and height of an index on `columns`, as described at the top. */
export function btreeShape(model: CostModel, table: TableDef, columns: readonly number[], rows: number, expression?: IndexDef): { pages: number; height: number } {
  const lookup = model.tableLookup(table);
  // an expression index's key: its statistics' width and distinct values
  const keyStats = expression && table.stats?.indexes?.[expression.name];
  const key = expression ? keyStats?.avgWidth || typeWidth(expression.expression!.type) : columns.reduce((w, c) => w + typeWidth(table.columns[c].type), 0);
  const tuple = Math.ceil((8 + key) / 8) * 8 + 4;
  // repeats of the leading column (the whole key when all distinct) share a posting list
  const info = expression ? (keyStats ? { type: expression.expression!.type, stats: keyStats, rows, unique: expression.unique } : undefined)
    : lookup({ kind: 'column', type: table.columns[columns[0]].type, level: 0, index: columns[0], name: table.columns[columns[0]].name });
  const distinct = columns.length > 1 ? rows : Math.min(rows, distinctCount(info));
  const bytes = distinct * tuple + (rows - distinct) * DEDUPLICATED_BYTES;
  const pages = 1 + Math.ceil(bytes / (FILL * PAGE_SIZE));
  return { pages, height: pages <= 2 ? 0 : Math.ceil(Math.log(pages - 1) / Math.log(300)) };
}

/** btcostestimate for the comparisons `conds` on the key `columns`: the index part of an index or bitmap scan. */
export function btreeIndexCost(model: CostModel, table: TableDef, columns: readonly number[], conds: readonly Expr[], expression?: IndexDef): { startup: number; total: number; tuples: number; selectivity: number } {
  const rel = relation(model, table);
  const lookup = model.tableLookup(table);
  const quals = indexQuals(and(conds), columns);
  // an expression index's conditions all bound its one key
  const bounding = expression ? conds : boundingQuals(quals, columns).map((q) => q.cond);
  const boundSel = bounding.length ? clauseSelectivity(and(bounding)!, lookup) : 1;
  const selectivity = conds.length ? clauseSelectivity(and(conds)!, lookup) : 1;
  const tuples = Math.max(1, Math.round(boundSel * rel.rows));
  const shape = btreeShape(model, table, columns, rel.rows, expression);
  const pages = shape.pages > 1 && rel.rows > 1 ? Math.ceil((tuples * shape.pages) / rel.rows) : 1;
  const descent = (rel.rows > 1 ? Math.ceil(Math.log2(rel.rows)) : 0) * CPU_OPERATOR_COST + 50 * (shape.height + 1) * CPU_OPERATOR_COST;
  const total = RANDOM_PAGE_COST * pages + tuples * (CPU_INDEX_TUPLE_COST + CPU_OPERATOR_COST * conds.length) + descent;
  return { startup: descent, total, tuples, selectivity };
}

/** Mackert-Lohman: heap pages read for `tuples` rows at random among `pages`. */
function pagesFetched(tuples: number, pages: number): number {
  return Math.min(pages, (2 * pages * tuples) / (2 * pages + tuples));
}

/** cost_index: an Index Scan through the B-tree on `columns` whose Index Cond is every comparison of the filter on them. */
export function indexScanCost(model: CostModel, table: TableDef, filter: Expr | null, columns: readonly number[]): number {
  const rel = relation(model, table);
  const conds = indexQuals(filter, columns).map((q) => q.cond);
  const index = btreeIndexCost(model, table, columns, conds);
  const heapRows = clampRows(index.selectivity * rel.rows);
  const maxIO = Math.ceil(pagesFetched(heapRows, rel.pages)) * RANDOM_PAGE_COST;
  const sequential = Math.ceil(index.selectivity * rel.pages);
  const minIO = sequential > 0 ? RANDOM_PAGE_COST + (sequential - 1) * SEQ_PAGE_COST : 0;
  const stats = table.stats?.columns[table.columns[columns[0]].name];
  const c2 = (stats?.correlation ?? 0) ** 2;
  const io = maxIO + c2 * (minIO - maxIO);
  const shown = new Set<Expr>(conds);
  const others = filter ? conjunctsOf(filter).filter((c) => !shown.has(c)) : [];
  const qual = others.reduce((s, c) => s + exprCost(c), 0);
  return index.total + io + heapRows * (CPU_TUPLE_COST + qual);
}

function conjunctsOf(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjunctsOf) : [e];
}

/** The estimates of a bitmap's nodes (EXPLAIN) and of the Bitmap Heap Scan over it. */
export interface BitmapCost {
  readonly heap: Estimate;
  readonly nodes: Map<BitmapPath, Estimate>;
}

export function bitmapHeapScanCost(model: CostModel, table: TableDef, filter: Expr | null, path: BitmapPath): BitmapCost {
  const rel = relation(model, table);
  const lookup = model.tableLookup(table);
  const width = model.schemaWidth(table.columns.map((c, i) => ({ name: c.name, type: c.type, tableOid: table.oid, attnum: i + 1 })));
  const rows = filter ? clampRows(rel.rows * clauseSelectivity(filter, lookup)) : rel.rows;
  const nodes = new Map<BitmapPath, Estimate>();
  // cost_bitmap_tree_node: a node's cost and selectivity (a Bitmap Index Scan's cost with its per-row share)
  const tree = (p: BitmapPath): { cost: number; selectivity: number } => {
    if (p.kind === 'index') {
      const index = btreeIndexCost(model, table, p.columns, p.cond, p.expression ? table.indexes.find((i) => i.name === p.keyName) : undefined);
      nodes.set(p, { startup: 0, total: index.total, rows: index.tuples, width: 0 });
      return { cost: index.total + 0.1 * CPU_OPERATOR_COST * rows, selectivity: index.selectivity };
    }
    let cost = 0;
    let selectivity = p.kind === 'and' ? 1 : 0;
    p.args.forEach((arg, i) => {
      const sub = tree(arg);
      cost += sub.cost + (i > 0 && (p.kind === 'and' || arg.kind !== 'index') ? 100 * CPU_OPERATOR_COST : 0);
      selectivity = p.kind === 'and' ? selectivity * sub.selectivity : selectivity + sub.selectivity;
    });
    selectivity = Math.min(1, selectivity);
    const childRows = p.args.map((a) => nodes.get(a)!.rows);
    nodes.set(p, { startup: cost, total: cost, rows: p.kind === 'or' ? childRows.reduce((s, r) => s + r, 0) : clampRows(selectivity * rel.rows), width: 0 });
    return { cost, selectivity };
  };
  const bitmap = tree(path);
  const tuples = clampRows(bitmap.selectivity * rel.rows);
  const raw = pagesFetched(tuples, rel.pages);
  const pages = raw >= rel.pages ? rel.pages : Math.ceil(raw);
  const perPage = pages >= 2 ? RANDOM_PAGE_COST - (RANDOM_PAGE_COST - SEQ_PAGE_COST) * Math.sqrt(pages / rel.pages) : RANDOM_PAGE_COST;
  const startup = bitmap.cost;
  const total = startup + pages * perPage + tuples * (CPU_TUPLE_COST + exprCost(filter));
  return { heap: { startup, total, rows, width }, nodes };
}
