/**
 * CREATE [OR REPLACE] VIEW name [(columns)] AS SELECT …: the query is kept as a parsed
 * tree and bound again wherever the view is used; its columns are fixed at creation.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { ColumnDef, TableDef, ViewNameRef } from '../../catalog/catalog.js';
import { OID, formatType } from '../../types/types.js';
import { qualifyViewNames, type CreateView, type ParsedExpr } from '../../sql/ddl/index.js';
import { findSqlFunction } from '../../sql/bind-function.js';
import { notice, relationCreation, type DdlContext } from './context.js';
import { functionPath, isTempSchema } from '../../catalog/schemas.js';

export function createView(ctx: DdlContext, stmt: CreateView): void {
  if (!ctx.bindQuery) throw new SqlError(SqlState.internalError, 'bug: CREATE VIEW without a query binder');
  const name = stmt.relation.name;
  if (!stmt.query) throw new SqlError(SqlState.featureNotSupported, 'views must be defined by a SELECT');
  const out = ctx.bindQuery(stmt.query);
  if (stmt.aliases.length > out.length) throw new SqlError(SqlState.syntaxError, 'CREATE VIEW specifies more column names than columns');
  const columns: ColumnDef[] = out.map((c, i) => ({
    name: stmt.aliases[i] ?? c.name, type: c.type.oid === OID.unknown ? { oid: OID.text, typmod: -1 } : c.type, notNull: false, defaultExpr: null, attnum: i + 1,
  }));
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw new SqlError(SqlState.duplicateColumn, `column "${c.name}" specified more than once`);
    seen.add(c.name);
  }
  const view = viewDefinitionWithText(ctx, stmt.query, stmt.sql, stmt.names, columns.map((c) => c.name));
  const names = view.names;
  // a view over a temporary relation is temporary itself (it could not outlive the relation)
  let temporary = stmt.temporary ?? false;
  const overTemp = names.some((r) => r.kind === 'relation' && r.schema !== undefined && isTempSchema(r.schema));
  const created = relationCreation(ctx, stmt.relation, temporary);
  if (!created.temporary && overTemp) {
    temporary = true;
    notice(ctx, `view "${name}" will be a temporary view`);
  }
  const schema = temporary && !created.temporary ? relationCreation(ctx, stmt.relation, true).schema : created.schema;
  const existing = ctx.catalog.findTable(schema, name);
  if (existing) {
    if (!stmt.replace || existing.kind !== 'v') throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
    checkReplacement(existing, columns);
    ctx.catalog.tables.set(existing.oid, { ...existing, columns, view });
    ctx.catalog.version++;
    return;
  }
  if (ctx.catalog.relationNameTaken(schema, name)) throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
  ctx.catalog.addTable({
    oid: ctx.catalog.allocateOid(), name, schema, kind: 'v', columns, indexes: [], constraints: [], rowTypeOid: ctx.catalog.allocateOid(), view,
  });
}

/** viewDefinition with what the query reads and its text as pg_get_viewdef deparses it, for the shapes sql/ddl/view-deparse.ts prints. */
export function viewDefinitionWithText(ctx: DdlContext, query: ParsedExpr, sql: string, refs: readonly ViewNameRef[], columns: readonly string[]): ReturnType<typeof viewDefinition> {
  const def = viewDefinition(ctx, query, sql, refs);
  return { ...def, ...boundViewParts(ctx, def.ast as ParsedExpr, columns) };
}

function boundViewParts(ctx: DdlContext, query: ParsedExpr, columns: readonly string[]): Pick<NonNullable<TableDef['view']>, 'deparsed' | 'reads'> {
  const bound = ctx.bindQueryPlan?.(query);
  if (!bound) return {};
  const texts = bound.deparse(columns);
  return { reads: bound.reads, ...(texts ? { deparsed: { ...texts, viewColumns: [...columns] } } : {}) };
}

/**
 * After a RENAME of the view's columns or of what it reads (its stored tree rewritten to the
 * new names): the deparsed text and the columns read follow, as PostgreSQL's stored OIDs do.
 */
export function refreshViewText(ctx: DdlContext, view: TableDef): void {
  if (!view.view) return;
  const { deparsed: _old, reads: _reads, ...rest } = view.view;
  let parts: ReturnType<typeof boundViewParts> = {};
  try {
    parts = boundViewParts(ctx, view.view.ast as ParsedExpr, view.columns.map((c) => c.name));
  } catch {
    // a query no longer bound (a rename the tree could not follow): kept as written
  }
  view.view = { ...rest, ...parts, ...(parts.reads ? {} : _reads ? { reads: _reads } : {}) };
}

/** A view's (or materialized view's) query as the catalog keeps it: its names resolved now, whatever the search path when it is used. */
export function viewDefinition(ctx: DdlContext, query: ParsedExpr, sql: string, refs: readonly ViewNameRef[]): NonNullable<TableDef['view']> & { names: ViewNameRef[] } {
  const relationSchema = (rel: string) => ctx.searchPath.find((s) => ctx.catalog.findTable(s, rel) ?? ctx.catalog.findSequence(s, rel));
  const ast = qualifyViewNames(query, relationSchema, (fn, argc) => findSqlFunction(ctx.catalog, fn, argc, functionPath(ctx.searchPath))?.schema);
  // pg_get_viewdef names a schema where the caller's search path does not reach it
  const names = refs.map((ref) => {
    const schema = ref.kind === 'relation' ? relationSchema(ref.name)
      : ref.kind === 'function' ? ctx.searchPath.find((s) => [...ctx.catalog.functions.values()].some((f) => f.schema === s && f.name === ref.name.toLowerCase()))
        : undefined;
    return schema ? { ...ref, schema } : ref;
  });
  return { ast, sql, names };
}

/** OR REPLACE may add columns at the end, not change or drop existing ones. */
function checkReplacement(existing: TableDef, columns: readonly ColumnDef[]): void {
  if (columns.length < existing.columns.length) throw new SqlError(SqlState.invalidTableDefinition, 'cannot drop columns from view');
  existing.columns.forEach((c, i) => {
    if (c.name !== columns[i].name) {
      throw new SqlError(SqlState.invalidTableDefinition, `cannot change name of view column "${c.name}" to "${columns[i].name}"`, {
        hint: 'Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.',
      });
    }
    if (c.type.oid !== columns[i].type.oid) {
      throw new SqlError(SqlState.invalidTableDefinition, `cannot change data type of view column "${c.name}" from ${formatType(c.type)} to ${formatType(columns[i].type)}`);
    }
  });
}
