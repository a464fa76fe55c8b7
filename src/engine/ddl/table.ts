/** CREATE TABLE (plain, PARTITION BY, PARTITION OF) and CREATE TABLE … AS's table. */
import { SqlError, SqlState } from '../../errors.js';
import type { ColumnDef, ConstraintDef, SequenceDef, TableDef } from '../../catalog/catalog.js';
import { OID, type SqlType } from '../../types/types.js';
import type { CreateTable, CreateTableAs, DdlExpr, ForeignKeySpec, KeyKind, OnCommit, PartitionKeySpec, QualifiedName } from '../../sql/ddl/index.js';
import { buildColumn, checkGenerationExpressions } from './columns.js';
import { checkConstraint, foreignKey, keyConstraint } from './constraints.js';
import { findTable, notice, relationCreation, relationNameFree, type DdlContext } from './context.js';
import { isTempSchema } from '../../catalog/schemas.js';
import { partitionBound } from './partition.js';
import { partitionIndexes } from './indexes.js';
import { viewDefinitionWithText } from './view.js';
import { walk } from '../../catalog/system/dependencies.js';

interface PendingKey { kind: KeyKind; columns: readonly string[]; name?: string; position?: number; include?: readonly string[]; nullsNotDistinct?: true }

/** What the elements of CREATE TABLE ask for, collected before the keys and checks can be resolved. */
interface TableDraft {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  readonly columns: ColumnDef[];
  readonly constraints: ConstraintDef[];
  readonly sequences: SequenceDef[];
  readonly keys: PendingKey[];
  readonly foreign: ForeignKeySpec[];
  readonly checks: { name?: string; column?: string; expr: DdlExpr }[];
  partitionOf?: TableDef['partitionOf'];
}

export async function createTable(ctx: DdlContext, stmt: CreateTable): Promise<void> {
  const { schema, temporary } = relationCreation(ctx, stmt.relation, stmt.temporary ?? false, stmt.position);
  const onCommit = onCommitAction(stmt.onCommit, temporary);
  const name = stmt.relation.name;
  if (stmt.inherits) throw new SqlError(SqlState.featureNotSupported, 'table inheritance (INHERITS) is not supported');
  if (ctx.catalog.relationNameTaken(schema, name)) {
    if (stmt.ifNotExists) {
      notice(ctx, `relation "${name}" already exists, skipping`, SqlState.duplicateTable);
      return;
    }
    throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
  }
  const draft: TableDraft = {
    oid: ctx.catalog.allocateOid(), name, schema, columns: [], constraints: [], sequences: [], keys: [], foreign: [], checks: [],
  };
  if (stmt.partitionOf) inheritParent(ctx, draft, stmt.partitionOf.parent, stmt.partitionOf.bound);
  addElements(ctx, draft, stmt);
  const primaries = draft.keys.filter((k) => k.kind === 'primaryKey');
  if (primaries.length > 1) {
    throw new SqlError(SqlState.invalidTableDefinition, `multiple primary keys for table "${name}" are not allowed`, { position: primaries[1].position });
  }
  const partition = stmt.partitionBy ? partitionSpec(draft, stmt.partitionBy) : undefined;
  const table: TableDef = {
    oid: draft.oid, name, schema, kind: partition ? 'p' : 'r', columns: draft.columns, indexes: [], constraints: draft.constraints,
    rowTypeOid: ctx.catalog.allocateOid(), partition, partitionOf: draft.partitionOf, ...(onCommit ? { onCommit } : {}),
  };
  if (draft.partitionOf) checkPartitionPersistence(ctx, draft.partitionOf.parent, schema);
  resolveConstraints(ctx, draft, table);
  ctx.catalog.addTable(table);
  for (const s of draft.sequences) ctx.catalog.addSequence(s);
  const parent = draft.partitionOf && ctx.catalog.tables.get(draft.partitionOf.parent);
  // a partitioned table stores nothing itself: its rows live in its leaf partitions
  if (table.kind !== 'p') {
    await ctx.storage.createTable({ id: table.oid, columns: table.columns.map((c) => ({ name: c.name, type: c.type })) });
    ctx.txn?.created(table.oid);
    for (const idx of table.indexes) await ctx.storage.addUniqueKey(table.oid, { name: idx.name, columns: idx.columns, ...(idx.nullsNotDistinct ? { nullsNotDistinct: true } : {}) });
  }
  if (parent) await partitionIndexes(ctx, parent, table);
}

/** PARTITION OF: the parent's columns, its keys mirrored, its CHECK constraints inherited (same names, as in PostgreSQL). */
function inheritParent(ctx: DdlContext, draft: TableDraft, parentName: QualifiedName, bound: NonNullable<CreateTable['partitionOf']>['bound']): void {
  const parent = findTable(ctx, parentName);
  if (!parent) throw new SqlError(SqlState.undefinedTable, `relation "${parentName.name}" does not exist`);
  if (parent.kind !== 'p') throw new SqlError(SqlState.wrongObjectType, `"${parent.name}" is not partitioned`);
  draft.partitionOf = { parent: parent.oid, bound: partitionBound(ctx, parent, bound, draft.name) };
  for (const c of parent.columns) draft.columns.push({ ...c, attnum: draft.columns.length + 1 });
  for (const k of parent.constraints) {
    if (k.type === 'p' || k.type === 'u') {
      const nnd = parent.indexes.find((i) => i.oid === k.indexOid)?.nullsNotDistinct;
      draft.keys.push({ kind: k.type === 'p' ? 'primaryKey' : 'unique', columns: k.columns.map((i) => parent.columns[i].name), ...(nnd ? { nullsNotDistinct: nnd } : {}) });
    }
    if (k.type === 'c') draft.constraints.push({ ...k, oid: ctx.catalog.allocateOid(), tableOid: draft.oid });
  }
}

function addElements(ctx: DdlContext, draft: TableDraft, stmt: CreateTable): void {
  for (const elt of stmt.elements) {
    if (elt.kind === 'unsupported') throw new SqlError(SqlState.featureNotSupported, 'LIKE and other table elements are not supported', {});
    if (elt.kind === 'constraint') {
      const k = elt.constraint;
      if (k.kind === 'unsupported') throw new SqlError(SqlState.featureNotSupported, `table constraint ${k.contype} is not supported yet`, { position: k.position });
      if (k.kind === 'foreignKey') draft.foreign.push(k.fk);
      else if (k.kind === 'check') draft.checks.push(k);
      else draft.keys.push(k);
      continue;
    }
    const spec = elt.column;
    if (stmt.partitionOf) {
      // PARTITION OF … (col WITH OPTIONS …): only constraints on existing columns
      const i = draft.columns.findIndex((c) => c.name === spec.name);
      if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${spec.name}" does not exist`);
      if (spec.constraints.some((k) => k.kind === 'notNull')) draft.columns[i] = { ...draft.columns[i], notNull: true };
      continue;
    }
    if (draft.columns.some((x) => x.name === spec.name)) {
      throw new SqlError(SqlState.duplicateColumn, `column "${spec.name}" specified more than once`);
    }
    const built = buildColumn(ctx, draft, spec, draft.columns.length, draft.sequences);
    draft.columns.push(built.def);
    for (const k of built.keys) draft.keys.push({ ...k, columns: [spec.name] });
    draft.foreign.push(...built.foreign);
    for (const c of built.checks) draft.checks.push({ ...c, column: spec.name });
  }
  checkGenerationExpressions(draft.columns, true);
}

/** PARTITION BY: key columns, and every unique key must include them. */
function partitionSpec(draft: TableDraft, spec: PartitionKeySpec): TableDef['partition'] {
  const keyCols = spec.keys.map((k) => {
    if (k.column === undefined) throw new SqlError(SqlState.featureNotSupported, 'partition keys must be columns', { position: k.position });
    const i = draft.columns.findIndex((c) => c.name === k.column);
    if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${k.column}" named in partition key does not exist`, { position: k.position });
    return i;
  });
  if (spec.strategy === 'list' && keyCols.length !== 1) {
    throw new SqlError(SqlState.invalidObjectDefinition, 'cannot use "list" partition strategy with more than one column');
  }
  for (const key of draft.keys) {
    const missing = keyCols.find((kc) => !key.columns.includes(draft.columns[kc].name));
    if (missing !== undefined) {
      throw new SqlError(SqlState.featureNotSupported, 'unique constraint on partitioned table must include all partitioning columns', {
        detail: `${key.kind === 'primaryKey' ? 'PRIMARY KEY' : 'UNIQUE'} constraint on table "${draft.name}" lacks column "${draft.columns[missing].name}" which is part of the partition key.`,
      });
    }
  }
  return { strategy: spec.strategy, columns: keyCols };
}

/** Keys (with their indexes), CHECKs and FOREIGN KEYs, once every column is known. */
function resolveConstraints(ctx: DdlContext, draft: TableDraft, table: TableDef): void {
  const { columns } = draft;
  for (const key of draft.keys) {
    const cols = key.columns.map((cn) => {
      const i = columns.findIndex((c) => c.name === cn);
      if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${cn}" named in key does not exist`, { position: key.position });
      if (key.kind === 'primaryKey') columns[i] = { ...columns[i], notNull: true };
      return i;
    });
    const includeNames = key.include ?? [];
    const include = includeNames.map((cn) => {
      const i = columns.findIndex((c) => c.name === cn);
      if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${cn}" named in key does not exist`, { position: key.position });
      return i;
    });
    const made = keyConstraint(ctx, table, key.kind, cols, key.columns, key.name, { columns: include, names: includeNames }, !!key.nullsNotDistinct);
    draft.constraints.push(made.constraint);
    // built with the empty table: every row it will hold comes by INSERT (relation-size.ts)
    made.index.builtRows = 0;
    table.indexes.push(made.index);
  }
  for (const c of draft.checks) draft.constraints.push(checkConstraint(ctx, table, columns, draft.constraints, c, c.column));
  for (const fk of draft.foreign) {
    const self = fk.refTable.name === table.name && (!fk.refTable.schema || fk.refTable.schema === table.schema);
    const altered = columns.map((def, i) => ({ def, old: i }));
    draft.constraints.push(foreignKey(ctx, table, altered, fk, self ? table : undefined));
  }
}

/**
 * CREATE TABLE … AS SELECT: a plain table with the query's columns (no constraints); the
 * caller inserts the rows. Returns undefined when IF NOT EXISTS found the table.
 */
export async function createTableAs(
  ctx: DdlContext, relation: QualifiedName, columns: readonly { name: string; type: SqlType }[], ifNotExists: boolean,
  persistence: { temporary?: boolean; onCommit?: OnCommit; position?: number } = {},
  materialized?: CreateTableAs['materialized'],
): Promise<TableDef | undefined> {
  const { schema, temporary } = relationCreation(ctx, relation, persistence.temporary ?? false, persistence.position);
  const onCommit = onCommitAction(persistence.onCommit, temporary);
  const name = relation.name;
  if (!relationNameFree(ctx, schema, name, ifNotExists)) return undefined;
  const seen = new Set<string>();
  const defs: ColumnDef[] = columns.map((c, i) => {
    if (seen.has(c.name)) throw new SqlError(SqlState.duplicateColumn, `column "${c.name}" specified more than once`);
    seen.add(c.name);
    const type = c.type.oid === OID.unknown ? { oid: OID.text, typmod: -1 } : c.type;
    if (type.oid === OID.record) throw new SqlError(SqlState.featureNotSupported, `column "${c.name}" has pseudo-type record`);
    return { name: c.name, type, notNull: false, defaultExpr: null, attnum: i + 1 };
  });
  // a materialized view is such a table that keeps its query (for REFRESH) as a view does
  const matview = materialized ? materializedView(ctx, materialized, defs.map((c) => c.name)) : { kind: 'r' as const };
  const table: TableDef = {
    oid: ctx.catalog.allocateOid(), name, schema, ...matview, columns: defs, indexes: [], constraints: [], rowTypeOid: ctx.catalog.allocateOid(), ...(onCommit ? { onCommit } : {}),
  };
  ctx.catalog.addTable(table);
  await ctx.storage.createTable({ id: table.oid, columns: defs.map((c) => ({ name: c.name, type: c.type })) });
  ctx.txn?.created(table.oid);
  return table;
}

/** A materialized view's kind, query and populated flag; it must outlive the session, so it reads no temporary relation. */
function materializedView(ctx: DdlContext, m: NonNullable<CreateTableAs['materialized']>, columns: readonly string[]): Pick<TableDef, 'kind' | 'view' | 'unpopulated'> {
  const view = viewDefinitionWithText(ctx, m.query, m.sql, m.names, columns);
  let temporary = false;
  walk(view.ast, (kind, body) => {
    if (kind === 'RangeVar' && typeof body.schemaname === 'string' && (isTempSchema(body.schemaname) || body.schemaname === 'pg_temp')) temporary = true;
  });
  if (temporary) {
    throw new SqlError(SqlState.featureNotSupported, 'materialized views must not use temporary tables or views');
  }
  return { kind: 'm', view, ...(m.populated ? {} : { unpopulated: true }) };
}

/** ON COMMIT: only for a temporary table (PRESERVE ROWS, the default, is not kept) */
function onCommitAction(action: OnCommit | undefined, temporary: boolean): TableDef['onCommit'] {
  if (action !== undefined && !temporary) throw new SqlError(SqlState.invalidTableDefinition, 'ON COMMIT can only be used on temporary tables');
  return action === 'deleteRows' || action === 'drop' ? action : undefined;
}

/** A partition is temporary exactly when its parent is, and of the same session (MergeAttributes) */
function checkPartitionPersistence(ctx: DdlContext, parentOid: number, schema: string): void {
  const parent = ctx.catalog.tables.get(parentOid);
  if (!parent) return;
  const parentTemp = isTempSchema(parent.schema);
  const temp = isTempSchema(schema);
  if (parentTemp && !temp) throw new SqlError(SqlState.wrongObjectType, `cannot create a permanent relation as partition of temporary relation "${parent.name}"`);
  if (!parentTemp && temp) throw new SqlError(SqlState.wrongObjectType, `cannot create a temporary relation as partition of permanent relation "${parent.name}"`);
  if (parentTemp && parent.schema !== schema) throw new SqlError(SqlState.wrongObjectType, 'cannot create as partition of temporary relation of another session');
}
