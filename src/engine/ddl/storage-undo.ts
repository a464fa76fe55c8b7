/**
 * Storage keeps its own side of some catalog objects: unique and B-tree keys, vector
 * indexes, text indexes. A DDL statement changes both, and when its catalog change is undone
 * (ROLLBACK of its transaction block, or an autocommit statement whose catalog save a full
 * disk refused) the storage side must be taken back too. Before this, a rolled-back
 * `DROP INDEX` left a unique index in the catalog that storage no longer enforced (duplicates
 * went in), and a rolled-back `CREATE UNIQUE INDEX` kept refusing rows in the name of an
 * index that did not exist; a rolled-back HNSW index went on being built at every seal.
 *
 * Each storage change records what takes it back (`DdlContext.undoStorage`); the session runs
 * the records newest first once the catalog is restored (`runStorageUndo`).
 */
import type { ColumnDef, IndexDef, IndexExpression } from '../../catalog/catalog.js';
import type { UniqueKeySpec, VectorIndexSpec } from '../../storage/api.js';
import { textIndexAttachment } from '../../executor/text-index-build.js';
import type { DdlContext } from './context.js';
import { addUniqueKeyChecked } from './unique-key.js';

/** What takes one storage change back. */
export type StorageUndo = () => Promise<void> | void;

/** Run the records newest first; one that fails (the disk still full) does not stop the others. */
export async function runStorageUndo(records: StorageUndo[]): Promise<void> {
  for (const undo of records.splice(0).reverse()) {
    try {
      await undo();
    } catch {
      // storage no catalog entry names goes at the next start; a key or index the catalog
      // names again is rebuilt from the catalog there too
    }
  }
}

/** Add a key to a table's storage (duplicates refused as PostgreSQL's index build refuses them). */
export async function addStorageKey(ctx: DdlContext, tableOid: number, columns: readonly ColumnDef[], spec: UniqueKeySpec, expression?: IndexExpression): Promise<void> {
  await addUniqueKeyChecked(ctx, tableOid, columns, spec, expression);
  ctx.undoStorage?.(() => ctx.storage.dropUniqueKey(tableOid, spec.name));
}

/** Drop a key from a table's storage. */
export function dropStorageKey(ctx: DdlContext, tableOid: number, spec: UniqueKeySpec): void {
  ctx.storage.dropUniqueKey(tableOid, spec.name);
  // the rows of the undone transaction are gone too: the old rows cannot collide
  ctx.undoStorage?.(() => ctx.storage.addUniqueKey(tableOid, spec));
}

/** A vector index was built on a table's storage: dropped again if undone. */
export function vectorIndexBuilt(ctx: DdlContext, tableOid: number, name: string): void {
  ctx.undoStorage?.(() => ctx.storage.dropVectorIndex(tableOid, name));
}

/** Drop a table's vector index (`spec`: how it was built); undone, it is built again. */
export async function dropVectorIndex(ctx: DdlContext, tableOid: number, spec: VectorIndexSpec): Promise<void> {
  await ctx.storage.dropVectorIndex(tableOid, spec.name);
  ctx.undoStorage?.(async () => {
    await ctx.storage.createVectorIndex(tableOid, spec);
  });
}

/** Rename a table's vector index in storage; undone, it takes its old name back. */
export async function renameStoredVectorIndex(ctx: DdlContext, tableOid: number, from: string, to: string): Promise<void> {
  await ctx.storage.renameVectorIndex?.(tableOid, from, to);
  ctx.undoStorage?.(() => ctx.storage.renameVectorIndex?.(tableOid, to, from));
}

/** A text (GIN) index was created on a table's storage: dropped again if undone. */
export function textIndexCreated(ctx: DdlContext, tableOid: number, name: string): void {
  ctx.undoStorage?.(async () => {
    await ctx.storage.dropTextIndex?.(tableOid, name);
    // the catalog is the restored one by now
    ctx.storage.keepGrowingSmall?.(tableOid, !!ctx.catalog.tables.get(tableOid)?.indexes.some((i) => i.method === 'gin'));
  });
}

/** Drop a table's text (GIN) index `idx`; undone, it is created again. */
export async function dropTextIndex(ctx: DdlContext, tableOid: number, idx: IndexDef): Promise<void> {
  ctx.storage.keepGrowingSmall?.(tableOid, !!ctx.catalog.tables.get(tableOid)?.indexes.some((i) => i.method === 'gin'));
  await ctx.storage.dropTextIndex?.(tableOid, idx.name);
  ctx.undoStorage?.(async () => {
    ctx.storage.keepGrowingSmall?.(tableOid, true);
    const gin = textIndexAttachment(idx);
    await ctx.storage.createTextIndex?.(tableOid, gin.spec, gin.toVector, gin.buildFile);
  });
}
