/** TRUNCATE: the tables named (the session deletes their rows in its transaction); RESTART IDENTITY resets owned sequences. */
import { SqlError, SqlState } from '../../errors.js';
import type { TableDef } from '../../catalog/catalog.js';
import type { BoundDdl } from '../../sql/ddl/index.js';
import { mustFindTable, type DdlContext } from './context.js';
import { leafPartitions } from '../../catalog/partitions.js';
import { littleDataNotice } from './indexes.js';
import { CostModel } from '../../planner/cost.js';
import { hashInitialBuckets } from '../../planner/hash-index-size.js';

export function truncate(ctx: DdlContext, stmt: Extract<BoundDdl, { kind: 'truncate' }>): TableDef[] {
  const tables = stmt.tables.map((r) => mustFindTable(ctx, r));
  const notTable = tables.find((t) => t.kind !== 'r' && t.kind !== 'p');
  if (notTable) throw new SqlError(SqlState.wrongObjectType, `"${notTable.name}" is not a table`);
  if (stmt.restartSequences) {
    for (const t of tables) {
      for (const s of ctx.catalog.sequences.values()) if (s.ownedBy?.table === t.oid) { s.last = s.start; s.isCalled = false; }
    }
  }
  // PostgreSQL builds every index of an emptied table anew: an IVFFlat build then has no rows to sample
  for (const t of tables) {
    for (const leaf of t.kind === 'p' ? leafPartitions(ctx.catalog, t) : [t]) {
      for (const idx of leaf.indexes) if (idx.method === 'ivfflat') ctx.notices.push(littleDataNotice());
      forgetSize(ctx, leaf);
    }
  }
  return tables;
}

/**
 * The new, empty relation files TRUNCATE gives the table and its indexes have pg_class
 * relpages 0 and reltuples -1, relallvisible 0 (RelationSetNewRelfilenode), whatever ANALYZE
 * or VACUUM recorded; pg_statistic stays. The planner then estimates the table as one never
 * analyzed (10 pages' worth while it fills fewer), at its columns' analyzed widths.
 */
function forgetSize(ctx: DdlContext, table: TableDef): void {
  const indexes = Object.fromEntries(table.indexes.map((i) => [i.oid, { pages: 0, tuples: -1 }]));
  table.relStats = { pages: 0, tuples: -1, indexes };
  table.allVisibleRows = undefined;
  // a hash index is built anew for the empty table: its buckets for 10 pages' worth of rows
  const model = new CostModel(ctx.catalog);
  for (const i of table.indexes) {
    if (i.method === 'hash') i.hashBuckets = hashInitialBuckets(model.emptyTableRows(table));
    if (i.method === 'btree') i.builtRows = 0;
  }
}
