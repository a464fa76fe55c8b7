/** ALTER TABLE / VIEW / INDEX … RENAME [COLUMN | CONSTRAINT] a TO b. */
import { SqlError, SqlState } from '../../errors.js';
import { storesRows, type IndexDef, type TableDef } from '../../catalog/catalog.js';
import { childPartitions } from '../../catalog/partitions.js';
import { renameColumnInTree, renameRelationInTree, type BoundDdl } from '../../sql/ddl/index.js';
import { viewReads } from '../../catalog/system/dependencies.js';
import { findTable, notice, findIndex, type DdlContext } from './context.js';
import { renameColumnInPolicies } from './policy.js';
import { renameColumnInChecks } from './constraints.js';
import { refreshViewText } from './view.js';
import { textIndexAttachment } from '../../executor/text-index-build.js';
import { indexExpressionOf, indexKeyExpr } from '../../executor/vector-index-key.js';
import { renameStoredVectorIndex } from './storage-undo.js';
import { checkRelationKind } from './relation-kind.js';
import { renameCompositeAttribute } from './composite-type.js';

type Rename = Extract<BoundDdl, { kind: 'rename' }>;

export async function rename(ctx: DdlContext, stmt: Rename): Promise<void> {
  const target = stmt.target;
  if (typeof target !== 'string' && target.unsupported === 'ATTRIBUTE') return renameCompositeAttribute(ctx, stmt.relation, stmt.subname ?? '', stmt.newName);
  if (typeof target !== 'string') throw new SqlError(SqlState.featureNotSupported, `ALTER ${target.unsupported} RENAME is not supported yet`);
  if (target === 'index') return renameIndex(ctx, stmt);
  const table = findTable(ctx, stmt.relation);
  if (!table) {
    if (stmt.missingOk) { notice(ctx, `relation "${stmt.relation.name}" does not exist, skipping`); return; }
    throw new SqlError(SqlState.undefinedTable, `relation "${stmt.relation.name}" does not exist`);
  }
  if (target === 'view' || target === 'matview') checkRelationKind(target, table);
  if (target === 'table' || target === 'view' || target === 'matview') {
    if (ctx.catalog.relationNameTaken(table.schema, stmt.newName)) throw new SqlError(SqlState.duplicateTable, `relation "${stmt.newName}" already exists`);
    ctx.catalog.tables.set(table.oid, { ...table, name: stmt.newName });
    followInViews(ctx, table, (ast) => renameRelationInTree(ast, table.schema, table.name, stmt.newName));
  } else if (target === 'constraint') {
    await renameConstraint(ctx, table, stmt.subname ?? '', stmt.newName);
  } else {
    renameColumn(ctx, table, stmt.subname ?? '', stmt.newName);
  }
  ctx.catalog.version++;
}

async function renameIndex(ctx: DdlContext, stmt: Rename): Promise<void> {
  const idx = findIndex(ctx, stmt.relation);
  if (!idx) throw new SqlError(SqlState.undefinedTable, `relation "${stmt.relation.name}" does not exist`);
  const t = ctx.catalog.tables.get(idx.tableOid)!;
  if (ctx.catalog.relationNameTaken(t.schema, stmt.newName)) throw new SqlError(SqlState.duplicateTable, `relation "${stmt.newName}" already exists`);
  t.indexes = t.indexes.map((x) => (x.oid === idx.oid ? { ...x, name: stmt.newName } : x));
  t.constraints = t.constraints.map((k) => (k.indexOid === idx.oid ? { ...k, name: stmt.newName } : k));
  // storage names a GIN index's files (sizes, DROP INDEX) by the index name
  if (idx.method === 'gin' && storesRows(t)) {
    ctx.storage.attachTextIndexes?.(t.oid, t.indexes.filter((i) => i.method === 'gin').map(textIndexAttachment));
  }
  ctx.catalog.version++;
  await renameInStorage(ctx, t, idx, stmt.newName);
}

/**
 * Storage keeps a key (unique, B-tree, hash) and a vector index's files under the index's
 * name: they follow it (renamed back if the statement is undone). Without this a renamed
 * vector index was no longer searched, and a renamed unique index's key outlived DROP INDEX.
 * A partitioned table's index has no storage (its partitions' own indexes keep their names).
 */
async function renameInStorage(ctx: DdlContext, t: TableDef, idx: IndexDef, to: string): Promise<void> {
  if (t.kind === 'p') return;
  if (idx.method === 'hnsw' || idx.method === 'ivfflat') {
    await renameStoredVectorIndex(ctx, t.oid, idx.name, to);
  } else if (idx.unique || idx.method === 'btree' || idx.method === 'hash') {
    ctx.storage.renameUniqueKey(t.oid, idx.name, to);
    ctx.undoStorage?.(() => ctx.storage.renameUniqueKey(t.oid, to, idx.name));
  }
}

async function renameConstraint(ctx: DdlContext, table: TableDef, from: string, to: string): Promise<void> {
  if (!table.constraints.some((k) => k.name === from)) {
    throw new SqlError(SqlState.undefinedObject, `constraint "${from}" for table "${table.name}" does not exist`);
  }
  const idx = table.indexes.find((x) => x.name === from && x.constraintOid);
  table.constraints = table.constraints.map((k) => (k.name === from ? { ...k, name: to } : k));
  table.indexes = table.indexes.map((x) => (x === idx ? { ...x, name: to } : x));
  if (idx) await renameInStorage(ctx, table, idx, to);
}

/**
 * The views reading `table` keep reading it under its new name (PostgreSQL's stored query
 * holds OIDs): their stored trees are rewritten by `rewrite`, their texts deparsed again.
 */
function followInViews(ctx: DdlContext, table: TableDef, rewrite: (ast: unknown) => unknown): void {
  for (const v of [...ctx.catalog.tables.values()]) {
    if (!v.view || v.oid === table.oid || !viewReads(ctx.catalog, v).includes(table.oid)) continue;
    v.view = { ...v.view, ast: rewrite(v.view.ast) };
    refreshViewText(ctx, v);
  }
}

function renameColumn(ctx: DdlContext, table: TableDef, from: string, to: string): void {
  const i = table.columns.findIndex((c) => c.name === from);
  if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${from}" does not exist`);
  if (table.columns.some((c) => c.name === to)) {
    throw new SqlError(SqlState.duplicateColumn, `column "${to}" of relation "${table.name}" already exists`);
  }
  table.columns = table.columns.map((c, j) => (j === i ? { ...c, name: to } : c));
  // partitions share their parent's column names
  for (const leaf of childPartitions(ctx.catalog, table)) leaf.columns = leaf.columns.map((c, j) => (j === i ? { ...c, name: to } : c));
  // an expression index's text names the column (its key in storage does not)
  for (const t of [table, ...childPartitions(ctx.catalog, table)]) {
    // (the index column keeps its name, as in PostgreSQL)
    t.indexes = t.indexes.map((x) => (x.expression
      ? { ...x, expression: { ...indexExpressionOf(indexKeyExpr({ columns: x.columns, expression: x.expression }, t), x.columns[0]), name: x.expression.name } } : x));
  }
  followInViews(ctx, table, (ast) => renameColumnInTree(ast, table.schema, table.name, from, to,
    (schema, rel) => ctx.catalog.findTable(schema ?? 'public', rel)?.columns.map((c) => c.name)));
  renameColumnInPolicies(ctx, table, from, to);
  for (const t of [table, ...childPartitions(ctx.catalog, table)]) renameColumnInChecks(ctx, t, from, to);
  refreshViewText(ctx, table);
}
