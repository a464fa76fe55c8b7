/**
 * A DDL statement outside a transaction block that failed with a full disk (53100) must
 * leave nothing behind, as its rollback would in PostgreSQL: the schemas, tables, indexes
 * and sequences it created are removed again, from the catalog and from storage. (Other
 * failures are raised before anything is created.)
 */
import type { Catalog } from '../../catalog/catalog.js';
import type { Storage } from '../../storage/api.js';

/** The OIDs of a catalog's schemas, tables, indexes and sequences (to find what a statement created). */
export interface CatalogObjects {
  readonly schemas: ReadonlySet<number>;
  readonly tables: ReadonlySet<number>;
  readonly indexes: ReadonlySet<number>;
  readonly sequences: ReadonlySet<number>;
}

/** What `catalog` holds now (taken before a statement runs). */
export function catalogObjects(catalog: Catalog): CatalogObjects {
  const indexes = new Set<number>();
  for (const t of catalog.tables.values()) for (const i of t.indexes) indexes.add(i.oid);
  const schemas = new Set([...catalog.schemas.values()].map((s) => s.oid));
  return { schemas, tables: new Set(catalog.tables.keys()), indexes, sequences: new Set(catalog.sequences.keys()) };
}

/**
 * Remove what the catalog holds now but did not hold `before`. Storage calls that fail
 * again (the disk is still full) are left: storage no catalog entry names is removed at
 * the next start.
 */
export async function forgetCreated(catalog: Catalog, storage: Storage, before: CatalogObjects): Promise<void> {
  let changed = false;
  for (const t of [...catalog.tables.values()]) {
    if (!catalog.tables.has(t.oid)) continue; // a partition dropped with its parent
    if (!before.tables.has(t.oid)) {
      catalog.dropTable(t.oid);
      await storage.dropTable(t.oid).catch(() => {});
      changed = true;
      continue;
    }
    const created = t.indexes.filter((i) => !before.indexes.has(i.oid));
    if (created.length === 0) continue;
    t.indexes = t.indexes.filter((i) => before.indexes.has(i.oid));
    for (const idx of created) {
      if (idx.unique || idx.method === 'btree' || idx.method === 'hash') storage.dropUniqueKey(t.oid, idx.name);
      if (idx.method === 'hnsw' || idx.method === 'ivfflat') await storage.dropVectorIndex(t.oid, idx.name).catch(() => {});
    }
    if (created.some((i) => i.method === 'gin')) storage.keepGrowingSmall?.(t.oid, t.indexes.some((i) => i.method === 'gin'));
    changed = true;
  }
  for (const oid of [...catalog.sequences.keys()]) {
    if (before.sequences.has(oid)) continue;
    catalog.sequences.delete(oid);
    changed = true;
  }
  for (const [name, schema] of [...catalog.schemas]) {
    if (before.schemas.has(schema.oid)) continue;
    catalog.schemas.delete(name);
    changed = true;
  }
  if (changed) catalog.version++;
}
