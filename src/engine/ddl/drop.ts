/** DROP TABLE / VIEW / INDEX / SEQUENCE / EXTENSION / FUNCTION / SCHEMA / TYPE. */
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
import { dropTypes } from './enum-type.js';
import { dropDomains } from './domain.js';
import { viewDependencies } from '../../catalog/system/dependencies.js';
import { CLASS_OID } from '../../catalog/system/objects.js';
import { checkRelationKind, RELATION_KINDS, relationKindWord, type RelationKindWord } from './relation-kind.js';

type DropObjects = Extract<Drop, { objects: unknown }>;

/** An object DROP does not find: with IF EXISTS a NOTICE (the caller skips it), else the error. */
function missingObject(ctx: DdlContext, stmt: Drop, what: string, name: string, code: string): void {
  if (!stmt.missingOk) throw new SqlError(code, `${what} "${name}" does not exist`);
  notice(ctx, `${what} "${name}" does not exist, skipping`);
}

export async function drop(ctx: DdlContext, stmt: Drop): Promise<void> {
  if ('functions' in stmt) return dropFunctions(ctx, stmt);
  if (stmt.objectType === 'schema') return dropSchemas(ctx, stmt);
  if (stmt.objectType === 'type') return dropTypes(ctx, stmt);
  if (stmt.objectType === 'domain') return dropDomains(ctx, stmt);
  // Like PostgreSQL, a missing object fails the whole statement before anything is dropped.
  if (!stmt.missingOk) for (const obj of stmt.objects) checkExists(ctx, stmt.objectType, obj);
  // tables dropped by this same statement don't count as dependents
  const alsoDropped: number[] = [];
  if (stmt.objectType === 'table' || stmt.objectType === 'view' || stmt.objectType === 'matview') {
    for (const obj of stmt.objects) {
      const t = findTable(ctx, obj);
      if (t) alsoDropped.push(t.oid, ...leafPartitions(ctx.catalog, t).map((x) => x.oid));
    }
  }
  for (const obj of stmt.objects) await dropOne(ctx, stmt, obj, alsoDropped);
}

/** DROP TABLE / VIEW / MATERIALIZED VIEW of a relation of another kind (the DROP that removes it in the hint) */
function checkDropKind(type: string, t: TableDef | undefined, name: string): void {
  if (t && (type === 'table' || type === 'view' || type === 'matview')) checkRelationKind(type, t, name, true);
}

function checkExists(ctx: DdlContext, type: string, obj: QualifiedName): void {
  const { name } = obj;
  const relation = RELATION_KINDS[type as RelationKindWord];
  if (relation && !findTable(ctx, obj)) throw new SqlError(SqlState.undefinedTable, `${relation.what} "${name}" does not exist`);
  if (type === 'table') checkDropKind(type, findTable(ctx, obj), name);
  if (type === 'index' && !findIndex(ctx, obj)) throw new SqlError(SqlState.undefinedObject, `index "${name}" does not exist`);
}

async function dropOne(ctx: DdlContext, stmt: DropObjects, obj: QualifiedName, alsoDropped: readonly number[]): Promise<void> {
  const { name } = obj;
  switch (stmt.objectType) {
    case 'table': case 'matview': return dropTable(ctx, stmt, obj, alsoDropped);
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
      checkDropKind('view', t, name);
      if (!t) return missingObject(ctx, stmt, 'view', name, SqlState.undefinedTable);
      await dropMaterializedDependents(ctx, stmt, t, new Set([t.oid, ...alsoDropped]));
      ctx.catalog.dropTable(t.oid);
      return;
    }
    default:
      throw new SqlError(SqlState.featureNotSupported, `DROP ${stmt.objectType.toUpperCase()} is not supported`);
  }
}

/** DROP TABLE: foreign keys of other tables that reference it are an error, or dropped with CASCADE. */
async function dropTable(ctx: DdlContext, stmt: DropObjects, obj: QualifiedName, alsoDropped: readonly number[]): Promise<void> {
  const t = findTable(ctx, obj);
  if (!t) return missingObject(ctx, stmt, RELATION_KINDS[stmt.objectType as RelationKindWord].what, obj.name, SqlState.undefinedTable);
  checkDropKind(stmt.objectType, t, obj.name);
  const dropping = new Set(leafPartitions(ctx.catalog, t).map((x) => x.oid).concat(t.oid, ...alsoDropped));
  await dropMaterializedDependents(ctx, stmt, t, dropping);
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

/**
 * The views and materialized views whose query reads `t` (pg_depend's rule dependencies),
 * and, through them, those reading them: an error (2BP01) without CASCADE, dropped (with
 * their storage) with it.
 */
async function dropMaterializedDependents(ctx: DdlContext, stmt: DropObjects, t: TableDef, dropping: ReadonlySet<number>): Promise<void> {
  const dependents = viewDependents(ctx, t, dropping);
  await dropViewDependents(ctx, !!stmt.cascade, describeRelation(t), dependents);
}

const describeRelation = (r: TableDef) => `${RELATION_KINDS[relationKindWord(r)].what} ${r.name}`;

export interface ViewDependent { readonly relation: TableDef; readonly on: string }

/**
 * The dependents of `what` (`table t`, `column x of table t`) found by viewDependents: 2BP01
 * listing them without CASCADE, else dropped with PostgreSQL's NOTICE.
 */
export async function dropViewDependents(ctx: DdlContext, cascade: boolean, what: string, dependents: readonly ViewDependent[]): Promise<void> {
  if (dependents.length === 0) return;
  if (!cascade) throw dependentsError(what, dependents);
  const lines = dependents.map((d) => `drop cascades to ${describeRelation(d.relation)}`);
  if (lines.length === 1) notice(ctx, lines[0]);
  else ctx.notices.push({ severity: 'NOTICE', code: '00000', message: `drop cascades to ${lines.length} other objects`, detail: lines.join('\n') });
  for (const { relation } of dependents) {
    ctx.catalog.dropTable(relation.oid);
    if (relation.kind === 'm') await dropStorage(ctx, relation.oid);
  }
}

/** 2BP01 naming the objects that depend on `what` (PostgreSQL's reportDependentObjects) */
export function dependentsError(what: string, dependents: readonly ViewDependent[]): SqlError {
  return new SqlError('2BP01', `cannot drop ${what} because other objects depend on it`, {
    detail: dependents.map((d) => `${describeRelation(d.relation)} depends on ${d.on}`).join('\n'),
    hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
  });
}

/**
 * What reads `t`, depth first: the views and materialized views reading anything dropped
 * (`column`: reading that column of `t`), and those reading them.
 */
export function viewDependents(ctx: DdlContext, t: TableDef, dropping: ReadonlySet<number>, column?: string): ViewDependent[] {
  const out: ViewDependent[] = [];
  const seen = new Set(dropping);
  const readsIt = (r: TableDef, oids: ReadonlySet<number>, col: string | undefined) => {
    const reads = r.view?.reads;
    if (col !== undefined) return !!reads?.some((x) => x.oid === t.oid && x.columns.includes(col));
    return reads ? reads.some((x) => oids.has(x.oid)) : viewDependencies(ctx.catalog, r).some((d) => d.classid === CLASS_OID.pg_class && oids.has(d.objid));
  };
  const visit = (on: TableDef, oids: ReadonlySet<number>, col: string | undefined) => {
    for (const r of ctx.catalog.tables.values()) {
      if (seen.has(r.oid) || !(r.kind === 'm' || r.kind === 'v') || !readsIt(r, oids, col)) continue;
      seen.add(r.oid);
      out.push({ relation: r, on: col !== undefined ? `column ${col} of ${describeRelation(on)}` : describeRelation(on) });
      visit(r, new Set([r.oid]), undefined);
    }
  };
  visit(t, dropping, column);
  return out;
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

