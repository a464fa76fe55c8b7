/**
 * ALTER TABLE's table rewrite: the rows are copied, converted, into new storage under a new
 * table OID (PostgreSQL keeps the OID and changes the relfilenode; Quiver's storage is keyed
 * by OID). The new storage is complete before the catalog points at it, and the old one is
 * dropped after (at COMMIT inside a transaction block), so a crash in between loses nothing.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { ColumnDef, ConstraintDef, IndexDef, SequenceDef, TableDef } from '../../catalog/catalog.js';
import type { Row } from '../../types/types.js';
import type { AlteredColumn } from './columns.js';
import { dropStorage, type DdlContext } from './context.js';
import { buildVectorIndexes } from './indexes.js';
import { indexBuildError } from './unique-key.js';
import { keyPredicates } from '../../executor/index-predicate.js';
import { keyFunctions, storageKeySpec } from '../../executor/expression-keys.js';

export function checkRowNotNull(table: TableDef, columns: readonly ColumnDef[], names: ReadonlySet<string>, row: Row): void {
  for (let i = 0; i < columns.length; i++) {
    if (names.has(columns[i].name) && (row[i] === null || row[i] === undefined)) {
      throw new SqlError(SqlState.notNullViolation, `column "${columns[i].name}" of relation "${table.name}" contains null values`);
    }
  }
}

export async function rewriteTable(
  ctx: DdlContext, table: TableDef, cols: AlteredColumn[], newColumns: ColumnDef[], indexes: IndexDef[], constraints: ConstraintDef[],
  sequences: SequenceDef[], checkNotNull: ReadonlySet<string>,
): Promise<void> {
  const { catalog, storage } = ctx;
  const newOid = catalog.allocateOid();
  const rows = convertRows(ctx, table, cols, newColumns, sequences, checkNotNull);
  await storage.createTable({ id: newOid, columns: newColumns.map((c) => ({ name: c.name, type: c.type })) });
  ctx.txn?.created(newOid);
  try {
    if (indexes.some((x) => x.expression)) storage.attachKeyFunctions?.(newOid, keyFunctions({ ...table, columns: newColumns, indexes }));
    if (indexes.some((x) => x.predicateTree)) storage.attachKeyPredicates?.(newOid, keyPredicates({ ...table, columns: newColumns, indexes }));
    for (const x of indexes) if (x.unique || x.method === 'btree') await storage.addUniqueKey(newOid, storageKeySpec(x));
    const txn = ctx.dataTxn ?? storage.begin();
    try {
      for (let i = 0; i < rows.length; i += 10_000) txn.insert(newOid, rows.slice(i, i + 10_000));
      if (!ctx.dataTxn) await txn.commit();
    } catch (e) {
      if (!ctx.dataTxn) txn.rollback();
      throw indexBuildError(e, newColumns);
    }
  } catch (e) {
    for (const q of sequences) catalog.sequences.delete(q.oid);
    if (!ctx.txn) await storage.dropTable(newOid);
    throw e;
  }
  const replaced: TableDef = {
    ...table, oid: newOid, columns: newColumns,
    indexes: indexes.map((x) => ({ ...x, tableOid: newOid })),
    constraints: constraints.map((k) => ({ ...k, tableOid: newOid })),
  };
  repointCatalog(ctx, table, replaced, sequences);
  await dropStorage(ctx, table.oid);
  for (const x of replaced.indexes) if (x.method === 'hnsw' || x.method === 'ivfflat') await buildVectorIndexes(ctx, replaced, x);
}

/** Every existing row in the new layout (sequences of new serial columns exist while their nextval() defaults run). */
function convertRows(
  ctx: DdlContext, table: TableDef, cols: AlteredColumn[], newColumns: ColumnDef[], sequences: SequenceDef[], checkNotNull: ReadonlySet<string>,
): Row[] {
  const getters = cols.map((c) => c.compute ?? ((row: Row) => row[c.old]));
  const rows: Row[] = [];
  for (const q of sequences) ctx.catalog.sequences.set(q.oid, q);
  try {
    for (const batch of ctx.storage.scan(table.oid, ctx.storage.snapshot(), ctx.dataTxn)) {
      for (const old of batch.rows) {
        const row = getters.map((g) => g(old as Row));
        checkRowNotNull(table, newColumns, checkNotNull, row);
        rows.push(row);
      }
    }
  } catch (e) {
    for (const q of sequences) ctx.catalog.sequences.delete(q.oid);
    throw e;
  }
  return rows;
}

/** The catalog names the new OID: the table, its owned sequences, foreign keys that reference it, views that read it. */
function repointCatalog(ctx: DdlContext, table: TableDef, replaced: TableDef, sequences: SequenceDef[]): void {
  const { catalog } = ctx;
  const newOid = replaced.oid;
  catalog.tables.delete(table.oid);
  catalog.tables.set(newOid, replaced);
  for (const q of sequences) q.ownedBy = { table: newOid, column: replaced.columns.findIndex((c) => c.sequence === q.name) };
  for (const q of catalog.sequences.values()) {
    if (q.ownedBy?.table !== table.oid) continue;
    const col = replaced.columns.findIndex((c) => c.name === table.columns[q.ownedBy!.column]?.name);
    if (col < 0) catalog.sequences.delete(q.oid);
    else q.ownedBy = { table: newOid, column: col };
  }
  for (const t of catalog.tables.values()) {
    if (t.constraints.some((k) => k.refTable === table.oid)) t.constraints = t.constraints.map((k) => (k.refTable === table.oid ? { ...k, refTable: newOid } : k));
    // views reading it (PostgreSQL's OID does not change: the dependency stays)
    if (t.view?.reads?.some((r) => r.oid === table.oid)) t.view = { ...t.view, reads: t.view.reads.map((r) => (r.oid === table.oid ? { ...r, oid: newOid } : r)) };
  }
  catalog.version++;
}
