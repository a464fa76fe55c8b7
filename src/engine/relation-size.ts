/**
 * pg_class.relpages / reltuples as PostgreSQL keeps them: written by VACUUM, ANALYZE and
 * CREATE INDEX, read by the catalog as they were then (TableDef.relStats), while the
 * planner scales the table's current pages by their density (planner/cost.ts plannedRows,
 * estimate_rel_size).
 *
 *   ANALYZE       the table: ANALYZE's relpages and reltuples; each B-tree or hash index: the pages its
 *                 keys fill over those rows (planner/btree-cost.ts btreeKeyLayout), the same tuples
 *   VACUUM        the table: its live rows and the pages they fill; the indexes as they were
 *                 (PostgreSQL's VACUUM leaves an index without dead tuples alone)
 *   CREATE INDEX  the table as VACUUM does and the new B-tree's or hash index's pages and tuples; on a table
 *                 with no rows that none of these has seen, nothing (PostgreSQL keeps reltuples
 *                 -1 there), the index's meta page alone when shown
 */
import type { Catalog, IndexDef, RelationPages, TableDef } from '../catalog/catalog.js';
import { btreeKeyLayout } from '../planner/btree-cost.js';
import type { Storage, Transaction } from '../storage/api.js';
import { countHeapPages } from './analyze.js';
import { CostModel } from '../planner/cost.js';
import { hashInitialBuckets } from '../planner/hash-index-size.js';

/** The pages of the table's B-tree index over `rows` rows. */
function indexPages(model: CostModel, table: TableDef, index: IndexDef, rows: number, widths?: readonly number[]): RelationPages {
  const hash = index.method === 'hash' ? index : undefined;
  if (rows <= 0 && !hash) return { pages: 1, tuples: 0 };
  const key = { columns: index.columns, unique: index.unique, expression: index.expression ? index : undefined, hash, builtRows: index.builtRows };
  return { pages: btreeKeyLayout(model, table, key, rows, widths).pages, tuples: rows };
}

/** The indexes whose pages Quiver counts: B-trees and hash indexes. */
function btrees(table: TableDef): IndexDef[] {
  return table.indexes.filter((i) => i.method === 'btree' || i.method === 'hash');
}

/** After ANALYZE of a leaf table: its statistics' pages and rows, its B-trees' over them. */
export function recordAnalyzed(catalog: Catalog, table: TableDef): void {
  const st = table.stats;
  if (!st) return;
  const model = new CostModel(catalog);
  const pages = st.relpages ?? model.heapPages(table, st.reltuples);
  const indexes = Object.fromEntries(btrees(table).map((i) => [i.oid, indexPages(model, table, i, st.reltuples)]));
  table.relStats = { pages, tuples: st.reltuples, indexes };
}

/** The table's live rows, the heap pages they fill and, counted without ANALYZE, its columns' average widths. */
interface HeapNow {
  readonly pages: number;
  readonly rows: number;
  readonly widths?: readonly number[];
}

/**
 * The table's live rows and the heap pages they fill now: at ANALYZE's density when it has
 * run, else counted as ANALYZE counts them (analyze.ts countHeapPages).
 */
export async function currentHeap(catalog: Catalog, storage: Storage, table: TableDef, txn?: Transaction): Promise<HeapNow> {
  if (table.stats?.relpages !== undefined && table.stats.reltuples > 0) {
    const rows = storage.rowCount(table.oid);
    return { pages: new CostModel(catalog).heapPages(table, rows), rows };
  }
  return countHeapPages(storage, table, txn);
}

/** After VACUUM of a leaf table holding `rows` live rows. */
export function recordVacuumed(catalog: Catalog, table: TableDef, heap: HeapNow): void {
  table.relStats = { ...table.relStats, pages: heap.pages, tuples: heap.rows };
}

/** After CREATE INDEX `index` on a leaf table holding `rows` live rows. */
export function recordIndexBuilt(catalog: Catalog, table: TableDef, index: IndexDef, heap: HeapNow): void {
  // hashbuild sizes its buckets by the table's rows as the planner estimates them before the build
  if (index.method === 'hash') index.hashBuckets = hashInitialBuckets(new CostModel(catalog).env.rowCount(table.oid));
  if (index.method === 'btree') index.builtRows = Math.max(0, heap.rows);
  if (index.method !== 'btree' && index.method !== 'hash') return;
  if (heap.rows <= 0 && !table.relStats) return;
  const indexes = { ...table.relStats?.indexes, [index.oid]: indexPages(new CostModel(catalog), table, index, heap.rows, heap.widths) };
  table.relStats = { pages: heap.pages, tuples: heap.rows, indexes };
}
