/**
 * PostgreSQL 15's costs for reading a table through B-tree indexes, used to choose between
 * an Index Scan and a Bitmap Heap Scan as PostgreSQL does (rules/use-bitmap-scan.ts), and
 * to price the Bitmap Heap Scan.
 *
 * A Bitmap Index Scan costs btcostestimate's index total for its conditions (btree-cost.ts);
 * its rows are the conditions' selectivity of the table's rows (create_bitmap_subplan).
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
import type { TableDef } from '../catalog/catalog.js';
import { and, btCostEstimate, btreeKeyOf, btreeQuals, expressionKeyQuals, relation } from './btree-cost.js';
import { CPU_OPERATOR_COST, CPU_TUPLE_COST, RANDOM_PAGE_COST, SEQ_PAGE_COST, clampRows, exprCost, type CostModel, type Estimate } from './cost.js';
import type { BitmapPath, Expr } from './plan.js';
import { clauseSelectivity } from './selectivity.js';

/** The table's live rows and relpages (at least 1) as the cost model counts them. */
function heapOf(model: CostModel, table: TableDef): { rows: number; pages: number } {
  const rel = relation(model, table);
  return { rows: rel.tuples, pages: Math.max(1, rel.pages) };
}

/** A Bitmap Index Scan's btcostestimate: its conditions as the index clauses of its key. */
function bitmapIndexCost(model: CostModel, table: TableDef, p: Extract<BitmapPath, { kind: 'index' }>) {
  const key = btreeKeyOf(table, p.keyName, p.columns);
  const quals = key.expression ? expressionKeyQuals(table, key.expression, and(p.cond)) : btreeQuals(and(p.cond), key.columns.length ? key.columns : p.columns);
  return btCostEstimate(model, table, key.columns.length || key.expression ? key : { ...key, columns: p.columns }, quals);
}

/** The estimates of a bitmap's nodes (EXPLAIN) and of the Bitmap Heap Scan over it. */
export interface BitmapCost {
  readonly heap: Estimate;
  readonly nodes: Map<BitmapPath, Estimate>;
}

export function bitmapHeapScanCost(model: CostModel, table: TableDef, filter: Expr | null, path: BitmapPath): BitmapCost {
  const rel = heapOf(model, table);
  const lookup = model.tableLookup(table);
  const width = model.tableWidth(table);
  const rows = filter ? clampRows(rel.rows * clauseSelectivity(filter, lookup)) : rel.rows;
  const nodes = new Map<BitmapPath, Estimate>();
  // cost_bitmap_tree_node: a node's cost and selectivity (a Bitmap Index Scan's cost with its per-row share)
  const tree = (p: BitmapPath): { cost: number; selectivity: number } => {
    if (p.kind === 'index') {
      const index = bitmapIndexCost(model, table, p);
      // create_bitmap_subplan: the index clauses' selectivity of the table's rows
      nodes.set(p, { startup: 0, total: index.total, rows: clampRows(index.selectivity * rel.rows), width: 0 });
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
    // create_bitmap_subplan: a BitmapOr's or BitmapAnd's rows are its selectivity's share of the table
    nodes.set(p, { startup: cost, total: cost, rows: clampRows(selectivity * rel.rows), width: 0 });
    return { cost, selectivity };
  };
  const bitmap = tree(path);
  const tuples = clampRows(bitmap.selectivity * rel.rows);
  const raw = (2 * rel.pages * tuples) / (2 * rel.pages + tuples);
  const pages = raw >= rel.pages ? rel.pages : Math.ceil(raw);
  const perPage = pages >= 2 ? RANDOM_PAGE_COST - (RANDOM_PAGE_COST - SEQ_PAGE_COST) * Math.sqrt(pages / rel.pages) : RANDOM_PAGE_COST;
  const startup = bitmap.cost;
  const total = startup + pages * perPage + tuples * (CPU_TUPLE_COST + exprCost(filter));
  return { heap: { startup, total, rows, width }, nodes };
}
