/**
 * A partial UNIQUE index's WHERE (`CREATE UNIQUE INDEX … ON t (a) WHERE deleted_at IS NULL`):
 * uniqueness holds among the rows meeting it only. Storage keeps the key of those rows and no
 * other (a row outside has no key, like a NULL one), asking the engine's function whether a
 * row meets it (compiled here from the catalog's tree, planner/index-predicate.ts, at CREATE
 * INDEX and at every start); an ON CONFLICT looks a proposed row up only if it meets it.
 */
import type { IndexDef, TableDef } from '../catalog/catalog.js';
import type { KeyPredicate } from '../storage/api.js';
import type { Row } from '../types/types.js';
import { predicateColumns, predicateExpr, predicateStorageKey } from '../planner/index-predicate.js';
import { compileExpr } from './expr.js';
import { KEY_ENV } from './vector-index-key.js';

/** A row test of a partial unique index's WHERE (true: the row is in the index), compiled once per index definition. */
export function predicateFunction(idx: IndexDef, table: TableDef): ((row: Row) => boolean) | undefined {
  if (!idx.predicateTree) return undefined;
  let f = COMPILED.get(idx);
  if (!f) {
    const test = compileExpr(predicateExpr(idx.predicateTree, table));
    f = (row: Row) => test(row, KEY_ENV) === true;
    COMPILED.set(idx, f);
  }
  return f;
}

const COMPILED = new WeakMap<IndexDef, (row: Row) => boolean>();

/** The predicates of `table`'s partial unique indexes, one per distinct WHERE (Storage.attachKeyPredicates). */
export function keyPredicates(table: TableDef): KeyPredicate[] {
  const out = new Map<string, KeyPredicate>();
  for (const idx of table.indexes) {
    if (!idx.predicateTree) continue;
    const key = predicateStorageKey(idx.predicateTree);
    if (!out.has(key)) out.set(key, { key, holds: predicateFunction(idx, table)! });
  }
  return [...out.values()];
}

/** What storage keeps of a partial unique index's WHERE (UniqueKeySpec.partial). */
export function partialKeySpec(idx: IndexDef): { key: string; columns: readonly number[] } | undefined {
  return idx.predicateTree ? { key: predicateStorageKey(idx.predicateTree), columns: predicateColumns(idx.predicateTree) } : undefined;
}
