/**
 * FOREIGN KEY enforcement (MATCH SIMPLE: a key with a NULL column is not checked).
 *
 * - A new or changed referencing row must find its key in the referenced table
 *   (23503 "… is not present in table …").
 * - When referenced rows are deleted, or their key changes, the referencing rows are
 *   handled per the constraint's action: NO ACTION / RESTRICT fail with 23503 ("… is still
 *   referenced from table …"), CASCADE deletes (or re-points) them, SET NULL / SET DEFAULT
 *   clear them. Referencing rows are found with one scan per referencing table and
 *   statement.
 *
 * Checks read the newest committed state plus the statement's own transaction (not the
 * statement's snapshot), like PostgreSQL's referential-integrity checks.
 */
import { SqlError, SqlState } from '../errors.js';
import { keyHoldsEveryRow, type Catalog, type ConstraintDef, type TableDef } from '../catalog/catalog.js';
import { leafPartitions } from '../catalog/partitions.js';
import type { Transaction } from '../storage/api.js';
import { hashKey } from '../types/compare.js';
import { formatText } from '../types/text-io.js';
import type { Row, SqlType, Value } from '../types/types.js';
import type { RunContext } from './operators.js';

function keyString(types: readonly SqlType[], values: readonly Value[]): string | undefined {
  let k = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) return undefined;
    const h = hashKey(types[i], v);
    k += `${typeof h}:${String(h)}|`;
  }
  return k;
}

function describe(table: TableDef, columns: readonly number[], values: readonly Value[]): string {
  const cols = columns.map((c) => table.columns[c].name).join(', ');
  const vals = values.map((v, i) => (v === null ? 'null' : formatText(table.columns[columns[i]].type, v))).join(', ');
  return `(${cols})=(${vals})`;
}

/** The unique key of the referenced table whose columns are the constraint's referenced columns. */
function referencedKeyName(parent: TableDef, refColumns: readonly number[]): string | undefined {
  const want = [...refColumns].sort((a, b) => a - b).join();
  const c = parent.constraints.find((x) => (x.type === 'p' || x.type === 'u') && [...x.columns].sort((a, b) => a - b).join() === want);
  if (c) return c.name;
  return parent.indexes.find((i) => i.unique && !i.expression && keyHoldsEveryRow(i) && [...i.columns].sort((a, b) => a - b).join() === want)?.name;
}

/** Does the referenced table hold a row with this key (newest state + own transaction)? */
function keyExists(rc: RunContext, txn: Transaction, parent: TableDef, refColumns: readonly number[], values: readonly Value[]): boolean {
  const catalog = rc.system.catalog;
  const snapshot = rc.storage.snapshot();
  for (const leaf of leafPartitions(catalog, parent)) {
    const keyName = referencedKeyName(leaf, refColumns);
    if (keyName) {
      // lookupKey takes the values in the key's column order
      const key = leaf.constraints.find((c) => c.name === keyName)?.columns ?? leaf.indexes.find((i) => i.name === keyName)!.columns;
      const ordered = key.map((c) => values[refColumns.indexOf(c)]);
      if ((rc.storage.lookupKey(leaf.oid, keyName, ordered, snapshot, txn)?.rows.length ?? 0) > 0) return true;
      continue;
    }
    const types = refColumns.map((c) => leaf.columns[c].type);
    const want = keyString(types, values);
    for (const batch of rc.storage.scan(leaf.oid, snapshot, txn)) {
      for (const r of batch.rows) if (keyString(types, refColumns.map((c) => r[c])) === want) return true;
    }
  }
  return false;
}

/** A new or updated row of `table` (or of one of its partitions): its foreign keys must resolve. */
export function checkOutgoing(rc: RunContext, txn: Transaction, table: TableDef, row: Row, before?: Row): void {
  const catalog = rc.system.catalog;
  for (const fk of foreignKeysOf(catalog, table)) {
    const values = fk.columns.map((c) => row[c]);
    if (values.some((v) => v === null)) continue;
    // an UPDATE that leaves the key as it was needs no check
    if (before && fk.columns.every((c, i) => before[c] === values[i] || (before[c] !== null && String(hashKey(table.columns[c].type, before[c])) === String(hashKey(table.columns[c].type, values[i]))))) continue;
    const parent = catalog.tables.get(fk.refTable!);
    if (!parent) continue;
    if (!keyExists(rc, txn, parent, fk.refColumns!, values)) {
      throw new SqlError(SqlState.foreignKeyViolation, `insert or update on table "${table.name}" violates foreign key constraint "${fk.name}"`, {
        detail: `Key ${describe(table, fk.columns, values)} is not present in table "${parent.name}".`,
        schema: table.schema, table: table.name, constraint: fk.name,
      });
    }
  }
}

/** Foreign keys declared on a table or on the partitioned tables above it. */
function foreignKeysOf(catalog: Catalog, table: TableDef): ConstraintDef[] {
  const out: ConstraintDef[] = [];
  for (let t: TableDef | undefined = table; t; t = t.partitionOf ? catalog.tables.get(t.partitionOf.parent) : undefined) {
    for (const c of t.constraints) if (c.type === 'f' && c.refTable !== undefined && c.refColumns) out.push(c);
  }
  return out;
}

/** The root of a partition tree (foreign keys reference the partitioned table). */
function rootOf(catalog: Catalog, table: TableDef): TableDef[] {
  const chain: TableDef[] = [];
  for (let t: TableDef | undefined = table; t; t = t.partitionOf ? catalog.tables.get(t.partitionOf.parent) : undefined) chain.push(t);
  return chain;
}

export interface RemovedKey {
  /** the row as it was */
  readonly old: Row;
  /** the row as it is now (UPDATE), or null (DELETE) */
  readonly now: Row | null;
}

/**
 * Rows of `table` were deleted or changed: apply every referencing constraint's action.
 * `depth` bounds cascades through cycles.
 */
export function applyIncoming(rc: RunContext, txn: Transaction, table: TableDef, removed: readonly RemovedKey[], depth = 0): void {
  if (removed.length === 0) return;
  if (depth > 32) throw new SqlError(SqlState.programLimitExceeded, 'foreign key cascade nested too deeply');
  const catalog = rc.system.catalog;
  const targets = new Set(rootOf(catalog, table).map((t) => t.oid));
  for (const child of catalog.tables.values()) {
    for (const fk of child.constraints) {
      if (fk.type !== 'f' || fk.refTable === undefined || !targets.has(fk.refTable) || !fk.refColumns) continue;
      const refTypes = fk.refColumns.map((c) => table.columns[c].type);
      // keys that went away, and what they became (UPDATE … CASCADE re-points to the new key)
      const gone = new Map<string, { old: Row; now: Row | null }>();
      for (const r of removed) {
        const oldKey = keyString(refTypes, fk.refColumns.map((c) => r.old[c]));
        if (oldKey === undefined) continue;
        if (r.now && keyString(refTypes, fk.refColumns.map((c) => r.now![c])) === oldKey) continue;
        gone.set(oldKey, r);
      }
      if (gone.size === 0) continue;
      // is the key still there (another row with it, e.g. an UPDATE that swapped keys)?
      for (const [k, r] of [...gone]) {
        if (keyExists(rc, txn, catalog.tables.get(fk.refTable)!, fk.refColumns, fk.refColumns.map((c) => r.old[c]))) gone.delete(k);
      }
      if (gone.size === 0) continue;
      const childTypes = fk.columns.map((c) => child.columns[c].type);
      const action = (removed[0].now ? fk.onUpdate : fk.onDelete) ?? 'a';
      const childRemoved: RemovedKey[] = [];
      for (const leaf of leafPartitions(catalog, child)) {
        const hits: { rowId: number; row: Row; ref: { old: Row; now: Row | null } }[] = [];
        for (const batch of rc.storage.scan(leaf.oid, rc.storage.snapshot(), txn)) {
          batch.rows.forEach((row, i) => {
            const k = keyString(childTypes, fk.columns.map((c) => row[c]));
            const ref = k === undefined ? undefined : gone.get(k);
            if (ref) hits.push({ rowId: batch.rowIds[i], row, ref });
          });
        }
        if (hits.length === 0) continue;
        if (action === 'a' || action === 'r') {
          const h = hits[0];
          throw new SqlError(SqlState.foreignKeyViolation, `update or delete on table "${rootOf(catalog, table).pop()!.name}" violates foreign key constraint "${fk.name}" on table "${child.name}"`, {
            detail: `Key ${describe(table, fk.refColumns, fk.refColumns.map((c) => h.ref.old[c]))} is still referenced from table "${child.name}".`,
            schema: child.schema, table: child.name, constraint: fk.name,
          });
        }
        for (const h of hits) {
          txn.delete(leaf.oid, [h.rowId]);
          if (action === 'c' && !h.ref.now) {
            childRemoved.push({ old: h.row, now: null });
            continue;
          }
          const next = [...h.row];
          fk.columns.forEach((c, i) => {
            if (action === 'c') next[c] = h.ref.now![fk.refColumns![i]];
            else if (action === 'n') next[c] = null;
            else next[c] = null; // SET DEFAULT: column defaults are not evaluated here (NULL)
          });
          txn.insert(leaf.oid, [next]);
          childRemoved.push({ old: h.row, now: next });
        }
      }
      applyIncoming(rc, txn, child, childRemoved, depth + 1);
    }
  }
}
