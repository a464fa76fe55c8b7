/**
 * B-tree and hash indexes on an expression (`CREATE UNIQUE INDEX ON users (lower(email))`):
 * storage keeps them as keys like a column's, each row's key computed by the engine's
 * function from the indexed column (storage knows no SQL functions). The function is given
 * to storage before the key is added and again at every start (attachKeyFunctions).
 */
import type { IndexDef, TableDef } from '../catalog/catalog.js';
import type { KeyFunction, UniqueKeySpec } from '../storage/api.js';
import { indexKeyFunction, indexStorageKey } from './vector-index-key.js';
import { partialKeySpec } from './index-predicate.js';

/** whether storage keeps `idx` as a key (a B-tree or hash index, or a unique one) */
export function storedAsKey(idx: IndexDef): boolean {
  return idx.unique || idx.method === 'btree' || idx.method === 'hash';
}

/** What storage keeps for `idx`: its key columns, or its expression's key. */
export function storageKeySpec(idx: IndexDef): UniqueKeySpec {
  const expression = idx.expression && storedAsKey(idx)
    ? { key: indexStorageKey({ columns: idx.columns, expression: idx.expression }), type: idx.expression.type } : undefined;
  const partial = partialKeySpec(idx);
  return {
    name: idx.name, columns: idx.columns, unique: idx.unique, ...(expression ? { expression } : {}), ...(partial ? { partial } : {}),
    ...(idx.unique && idx.nullsNotDistinct ? { nullsNotDistinct: true } : {}),
  };
}

/** The functions of `table`'s expression keys, one per distinct expression. */
export function keyFunctions(table: TableDef): KeyFunction[] {
  const out = new Map<string, KeyFunction>();
  for (const idx of table.indexes) {
    if (!idx.expression || !storedAsKey(idx)) continue;
    const def = { columns: idx.columns, expression: idx.expression };
    const key = indexStorageKey(def);
    if (!out.has(key)) out.set(key, { key, toKey: indexKeyFunction(def, table) });
  }
  return [...out.values()];
}
