/**
 * REINDEX INDEX | TABLE | SCHEMA | DATABASE | SYSTEM. A vector index (HNSW, IVFFlat) is
 * built again for every sealed segment of each table it covers, partitions included; B-tree
 * and hash indexes are key indexes the storage keeps in memory and builds at start, so
 * there is nothing to rebuild (SYSTEM: the system catalogs are computed, none is stored).
 * Neither form blocks the table's readers or writers (rows committed meanwhile go to the
 * growing segment, indexed when it is sealed).
 *
 * REINDEX drops a vector index's files and builds them again: meanwhile its segments are
 * searched exactly, and if the rebuild fails (cancel, timeout) the index stays in the
 * catalog without files, searched exactly until a REINDEX succeeds. REINDEX CONCURRENTLY
 * builds the new index beside the old one, under another name (PostgreSQL's `_ccnew`),
 * then swaps them (storage renameVectorIndex): searches keep using the old index during
 * the build, and a failed build leaves the old index as it was. It also refuses what
 * PostgreSQL refuses: a transaction block, the system catalogs. pg_stat_progress_create_index
 * shows each index as it is built.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { IndexDef, TableDef } from '../../catalog/catalog.js';
import { leafPartitions } from '../../catalog/partitions.js';
import type { BoundDdl } from '../../sql/ddl/index.js';
import { mustFindTable, findIndex, type DdlContext } from './context.js';
import { createStoredVectorIndex, storesVectorIndex } from './indexes.js';

type Reindex = Extract<BoundDdl, { kind: 'reindex' }>;

export async function reindex(ctx: DdlContext, stmt: Reindex): Promise<void> {
  const what = stmt.target.toUpperCase();
  if (ctx.inTransactionBlock && (stmt.concurrently || stmt.target === 'schema' || stmt.target === 'database' || stmt.target === 'system')) {
    throw new SqlError(SqlState.activeSqlTransaction, `REINDEX ${stmt.concurrently ? 'CONCURRENTLY' : what} cannot run inside a transaction block`);
  }
  if (stmt.concurrently && stmt.target === 'system') throw new SqlError(SqlState.featureNotSupported, 'cannot reindex system catalogs concurrently');
  try {
    for (const [table, idx] of targets(ctx, stmt)) await rebuild(ctx, stmt, table, idx);
  } finally {
    ctx.indexBuild?.end();
  }
}

/** One index built again (on a partitioned table: each partition's), shown in pg_stat_progress_create_index. */
async function rebuild(ctx: DdlContext, stmt: Reindex, table: TableDef, idx: IndexDef): Promise<void> {
  const leaves = table.kind === 'p' ? leafPartitions(ctx.catalog, table) : [table];
  ctx.indexBuild?.start(stmt.concurrently ? 'REINDEX CONCURRENTLY' : 'REINDEX', table.oid, idx.oid, table.kind === 'p' ? leaves.length : 0);
  for (const leaf of leaves) {
    // a partitioned table's index: each partition has its own, made for it
    const own = leaf === table ? idx : leaf.indexes.find((i) => i.parentIndex === idx.oid);
    if (own && storesVectorIndex(idx, leaf)) {
      ctx.checkCancelled?.();
      try {
        if (stmt.concurrently) {
          const beside = besideName(leaf, own.name);
          await createStoredVectorIndex(ctx, leaf, own, beside);
          await ctx.storage.renameVectorIndex(leaf.oid, beside, own.name);
        } else {
          await ctx.storage.dropVectorIndex(leaf.oid, own.name);
          await createStoredVectorIndex(ctx, leaf, own);
        }
      } catch (e) {
        // a build given up because the statement was cancelled or timed out: 57014, as CREATE INDEX
        if (ctx.interrupted?.aborted) ctx.checkCancelled?.();
        throw e;
      }
    }
    if (leaf !== table) ctx.indexBuild?.partitionDone();
  }
}

/** A name for the index built beside `name`, which no index of the table has: name_ccnew, name_ccnew1, … as PostgreSQL's. */
function besideName(table: TableDef, name: string): string {
  const taken = new Set(table.indexes.map((i) => i.name));
  for (let n = 0; ; n++) {
    const candidate = `${name}_ccnew${n === 0 ? '' : n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * (table, index) pairs to rebuild. Over many tables, a partition's copy of its parent's
 * index is reached through the parent's (top): each is built once.
 */
function targets(ctx: DdlContext, stmt: Reindex): [TableDef, IndexDef][] {
  const top = (t: TableDef) => t.indexes.filter((i) => i.parentIndex === undefined || !ctx.catalog.indexByOid(i.parentIndex)).map((i): [TableDef, IndexDef] => [t, i]);
  switch (stmt.target) {
    case 'index': {
      const rel = stmt.relation!;
      const idx = findIndex(ctx, rel);
      if (!idx) throw new SqlError(SqlState.undefinedTable, `relation "${rel.name}" does not exist`);
      return [[ctx.catalog.tables.get(idx.tableOid)!, idx]];
    }
    case 'table': {
      // a partition named alone: its own copies of the parent's indexes too
      const t = mustFindTable(ctx, stmt.relation!);
      return t.indexes.map((i): [TableDef, IndexDef] => [t, i]);
    }
    case 'schema': {
      const schema = stmt.name ?? '';
      if (!ctx.catalog.schemaExists(schema)) throw new SqlError('3F000', `schema "${schema}" does not exist`);
      const tables = [...ctx.catalog.tables.values()].filter((t) => t.schema === schema);
      return tables.flatMap(top);
    }
    case 'database':
    case 'system':
      if (stmt.name !== undefined && stmt.name !== ctx.catalog.name) {
        throw new SqlError(SqlState.featureNotSupported, 'can only reindex the currently open database');
      }
      return stmt.target === 'system' ? [] : [...ctx.catalog.tables.values()].flatMap(top);
  }
}
