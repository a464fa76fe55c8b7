/**
 * Index Only Scan: a B-tree scan whose every column read is a key column of its index
 *
 *   SELECT id FROM t WHERE id BETWEEN 10 AND 20          -- Index Only Scan using t_pkey on t
 *   SELECT count(*) FROM t WHERE k > 5                   -- (index on k)
 *
 * PostgreSQL's check_index_only (indxpath.c): the scan's target list and its quals read no
 * column outside the index's keys and INCLUDE columns. An expression or partial index
 * (only HNSW ones exist here) is never one. The scan must not
 * hand on its RowId (UPDATE / DELETE read their rows through the row store) and reads one
 * table (a partitioned table's scans are an Append of Seq Scans). `scan.columns` is what
 * rules/read-scan-columns.ts found the query reads, set after the rewrite rules: the rules
 * cost every path as an Index Scan, then rules/use-index-only-scan.ts weighs the index-only
 * paths and markIndexOnlyScans marks the scans that are (`scan.indexOnly`), which EXPLAIN,
 * the cost model and the executor read. An Index Only Scan costs what an Index Scan does as
 * long as no row is all-visible (allVisibleFraction below), as in PostgreSQL on a table not
 * yet vacuumed.
 *
 * Executed (storage/index-scan.ts), a sealed segment hands on only the read columns of the
 * rows at its index's positions, decoded a chunk at a time; nothing else of the row is read.
 * EXPLAIN ANALYZE's `Heap Fetches: N` is what PostgreSQL counts for an index tuple whose
 * page is not all-visible: here the rows handed on whose visibility needed the row store —
 * rows of the growing segment, rows with a tombstone (a delete or update, committed or
 * not), the transaction's own rows, and every row a key lookup fetches by RowId. A sealed
 * row never deleted counts 0, before any VACUUM too (PostgreSQL: every row until VACUUM
 * sets the visibility map).
 */
import type { IndexDef, TableDef } from '../catalog/catalog.js';
import type { Plan } from './plan.js';
import type { Rule } from './rules/rule.js';

type Scan = Extract<Plan, { kind: 'scan' }>;

/** The B-tree index a scan can read without the row store, or undefined. */
export function coveringIndex(scan: Scan): IndexDef | undefined {
  if (scan.partitions || scan.withRowId) return undefined;
  const name = scan.keyLookup?.keyName ?? scan.indexRange?.keyName;
  if (name === undefined) return undefined;
  const index = scan.table.indexes.find((i) => i.name === name);
  if (!index || index.method !== 'btree' || index.expression || index.predicate) return undefined;
  // INCLUDE columns are in the index's tuples too
  const keys = new Set([...index.columns, ...(index.include ?? [])]);
  // no `columns`: the scan hands on whole rows
  const read = scan.columns ?? scan.table.columns.map((_, i) => i);
  return read.every((c) => keys.has(c)) ? index : undefined;
}

/** Whether the plan reads this scan as an Index Only Scan (markIndexOnlyScans). */
export function isIndexOnly(scan: Scan): boolean {
  return scan.indexOnly === true;
}

/**
 * Scans that can be Index Only Scans become them, unless enable_indexonlyscan is off (then
 * they stay Index Scans, as check_index_only refuses): run once over the final plan, after
 * rules/read-scan-columns.ts.
 */
export const markIndexOnlyScans: Rule = {
  name: 'mark-index-only-scans',
  apply(plan, ctx) {
    if (plan.kind !== 'scan' || plan.indexOnly) return undefined;
    if (ctx.costEnv?.settings.indexonlyscan === false || !coveringIndex(plan)) return undefined;
    return { ...plan, indexOnly: true };
  },
};

/**
 * allvisfrac of cost_index: relallvisible / relpages. Quiver's all-visible rows are those
 * the last VACUUM found in sealed segments without a tombstone (TableDef.allVisibleRows):
 * their visibility needs no row store, as a page all-visible in PostgreSQL's visibility map
 * needs no heap fetch. Over the rows there are now (new rows are not all-visible), at most 1.
 */
export function allVisibleFraction(table: TableDef, rows: number): number {
  const visible = table.allVisibleRows ?? 0;
  if (visible <= 0 || rows <= 0) return 0;
  return Math.min(1, visible / rows);
}
