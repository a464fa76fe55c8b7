/** DROP TABLE / VIEW / INDEX / SEQUENCE / EXTENSION / FUNCTION / SCHEMA (and the IF EXISTS form of TYPE). */
import { SqlError, SqlState } from '../../errors.js';
import type { ConstraintDef, TableDef } from '../../catalog/catalog.js';
import { leafPartitions } from '../../catalog/partitions.js';
import type { Drop, QualifiedName } from '../../sql/ddl/index.js';
import { dropStorage, findTable, notice, findIndex, findSequence, type DdlContext } from './context.js';
import { dropFunctions } from './function.js';
import { vectorIndexSpec } from './indexes.js';
import { dropStorageKey, dropTextIndex, dropVectorIndex } from './storage-undo.js';
import { storageKeySpec, storedAsKey } from '../../executor/expression-keys.js';
import { dropSchemas } from './schema.js';

type DropObjects = Extract<Drop, { objects: unknown }>;

/** An object DROP does not find: with IF EXISTS a NOTICE (the caller skips it), else the error. */
function missingObject(ctx: DdlContext, stmt: Drop, what: string, name: string, code: string): void {
  if (!stmt.missingOk) throw new SqlError(code, `${what} "${name}" does not exist`);
  notice(ctx, `${what} "${name}" does not exist, skipping`);
}

export async function drop(ctx: DdlContext, stmt: Drop): Promise<void> {
  if ('functions' in stmt) return dropFunctions(ctx, stmt);
  if (stmt.objectType === 'schema') return dropSchemas(ctx, stmt);
  // Like PostgreSQL, a missing object fails the whole statement before anything is dropped.
  if (!stmt.missingOk) for (const obj of stmt.objects) checkExists(ctx, stmt.objectType, obj);
  // tables dropped by this same statement don't count as dependents
  const alsoDropped: number[] = [];
  if (stmt.objectType === 'table') {
    for (const obj of stmt.objects) {
      const t = findTable(ctx, obj);
      if (t) alsoDropped.push(t.oid, ...leafPartitions(ctx.catalog, t).map((x) => x.oid));
    }
  }
  for (const obj of stmt.objects) await dropOne(ctx, stmt, obj, alsoDropped);
}

function checkExists(ctx: DdlContext, type: string, obj: QualifiedName): void {
  const { name } = obj;
  if (type === 'table' && !findTable(ctx, obj)) throw new SqlError(SqlState.undefinedTable, `table "${name}" does not exist`);
  if (type === 'view' && !findTable(ctx, obj)) throw new SqlError(SqlState.undefinedTable, `view "${name}" does not exist`);
  if (type === 'table' && findTable(ctx, obj)?.kind === 'v') {
    throw new SqlError(SqlState.wrongObjectType, `"${name}" is not a table`, { hint: 'Use DROP VIEW to remove a view.' });
  }
  if (type === 'index' && !findIndex(ctx, obj)) throw new SqlError(SqlState.undefinedObject, `index "${name}" does not exist`);
}

async function dropOne(ctx: DdlContext, stmt: DropObjects, obj: QualifiedName, alsoDropped: readonly number[]): Promise<void> {
  const { name } = obj;
  switch (stmt.objectType) {
    case 'table': return dropTable(ctx, stmt, obj, alsoDropped);
    case 'index': return dropIndex(ctx, stmt, obj);
    case 'sequence': {
      const s = findSequence(ctx, obj);
      if (!s) return missingObject(ctx, stmt, 'sequence', name, SqlState.undefinedTable);
      ctx.catalog.sequences.delete(s.oid);
      ctx.catalog.version++;
      return;
    }
    case 'extension':
      if (!ctx.catalog.extensions.has(name)) return missingObject(ctx, stmt, 'extension', name, SqlState.undefinedObject);
      ctx.catalog.extensions.delete(name);
      ctx.catalog.version++;
      return;
    case 'view': {
      const t = findTable(ctx, obj);
      if (t && t.kind !== 'v') throw new SqlError(SqlState.wrongObjectType, `"${name}" is not a view`, { hint: 'Use DROP TABLE to remove a table.' });
      if (!t) return missingObject(ctx, stmt, 'view', name, SqlState.undefinedTable);
      ctx.catalog.dropTable(t.oid);
      return;
    }
    case 'type':
      return missingObject(ctx, stmt, stmt.objectType, name, SqlState.undefinedObject);
    default:
      throw new SqlError(SqlState.featureNotSupported, `DROP ${stmt.objectType.toUpperCase()} is not supported`);
  }
}

/** DROP TABLE: foreign keys of other tables that reference it are an error, or dropped with CASCADE. */
async function dropTable(ctx: DdlContext, stmt: DropObjects, obj: QualifiedName, alsoDropped: readonly number[]): Promise<void> {
  const t = findTable(ctx, obj);
  if (!t) return missingObject(ctx, stmt, 'table', obj.name, SqlState.undefinedTable);
  const dropping = new Set(leafPartitions(ctx.catalog, t).map((x) => x.oid).concat(t.oid, ...alsoDropped));
  const dependents: { table: TableDef; fk: ConstraintDef }[] = [];
  for (const other of ctx.catalog.tables.values()) {
    if (dropping.has(other.oid)) continue;
    for (const c of other.constraints) if (c.type === 'f' && c.refTable !== undefined && dropping.has(c.refTable)) dependents.push({ table: other, fk: c });
  }
  if (dependents.length > 0) {
    const lines = dependents.map((d) => `constraint ${d.fk.name} on table ${d.table.name} depends on table ${t.name}`);
    if (!stmt.cascade) {
      throw new SqlError('2BP01', `cannot drop table ${t.name} because other objects depend on it`, {
        detail: lines.join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
    notice(ctx, dependents.length === 1
      ? `drop cascades to constraint ${dependents[0].fk.name} on table ${dependents[0].table.name}`
      : `drop cascades to ${dependents.length} other objects`);
    for (const d of dependents) d.table.constraints = d.table.constraints.filter((c) => c !== d.fk);
  }
  const leaves = leafPartitions(ctx.catalog, t).filter((x) => x.kind !== 'p');
  ctx.catalog.dropTable(t.oid);
  for (const leaf of leaves) await dropStorage(ctx, leaf.oid);
}

/** DROP INDEX: not one a constraint owns; its storage side (key index, vector index) goes too. */
async function dropIndex(ctx: DdlContext, stmt: DropObjects, obj: QualifiedName): Promise<void> {
  const idx = findIndex(ctx, obj);
  if (!idx) return missingObject(ctx, stmt, 'index', obj.name, SqlState.undefinedObject);
  const t = ctx.catalog.tables.get(idx.tableOid)!;
  if (idx.constraintOid) {
    const con = t.constraints.find((c) => c.oid === idx.constraintOid)!;
    throw new SqlError('2BP01', `cannot drop index ${obj.name} because constraint ${con.name} on table ${t.name} requires it`, {
      hint: `You can drop constraint ${con.name} on table ${t.name} instead.`,
    });
  }
  const parent = idx.parentIndex !== undefined ? ctx.catalog.indexByOid(idx.parentIndex) : undefined;
  if (parent) {
    throw new SqlError('2BP01', `cannot drop index ${obj.name} because index ${parent.name} requires it`, {
      hint: `You can drop index ${parent.name} instead.`,
    });
  }
  t.indexes = t.indexes.filter((i) => i.oid !== idx.oid);
  // (each storage drop is taken back if the DROP is: storage-undo.ts)
  if (storedAsKey(idx)) {
    const key = storageKeySpec(idx);
    for (const leaf of t.kind === 'p' ? leafPartitions(ctx.catalog, t) : [t]) dropStorageKey(ctx, leaf.oid, key);
  }
  if (idx.method === 'hnsw' || idx.method === 'ivfflat') await dropVectorIndex(ctx, t.oid, vectorIndexSpec(idx, idx.name));
  if (idx.method === 'gin') await dropTextIndex(ctx, t.oid, idx);
  // a partitioned table's index: the indexes made for it on the partitions go with it
  for (const leaf of t.kind === 'p' ? leafPartitions(ctx.catalog, t) : []) {
    for (const child of leaf.indexes.filter((i) => i.parentIndex === idx.oid)) {
      leaf.indexes = leaf.indexes.filter((i) => i !== child);
      if (child.method === 'hnsw' || child.method === 'ivfflat') await dropVectorIndex(ctx, leaf.oid, vectorIndexSpec(child, child.name));
      if (child.method === 'gin') await dropTextIndex(ctx, leaf.oid, child);
    }
  }
  ctx.catalog.version++;
}

