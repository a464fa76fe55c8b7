/**
 * ALTER TABLE | VIEW | SEQUENCE | FUNCTION … SET SCHEMA s (AlterTableNamespace,
 * AlterObjectNamespace): a table takes its indexes and owned sequences along; views that
 * read the object keep reading it (their stored trees name the new schema).
 */
import { isTempSchema } from '../../catalog/schemas.js';
import { SqlError, SqlState } from '../../errors.js';
import type { ColumnDef, TableDef, ViewNameRef } from '../../catalog/catalog.js';
import { nextvalDefault, renameSchemaInTree, type BoundDdl, storedDefault } from '../../sql/ddl/index.js';
import { findSequence, findTable, notice, type DdlContext } from './context.js';
import { resolveFunction } from './function.js';
import { formatType } from '../../types/types.js';
import { checkRelationKind } from './relation-kind.js';
import { mapRelationMarkers, quotedRelationMarker } from '../../catalog/functions/qualify.js';
import { quoteIdent } from '../../types/identifiers.js';

type SetSchema = Extract<BoundDdl, { kind: 'setSchema' }>;

/** ALTER … SET SCHEMA: the object (and what goes with it) moves; the same schema is a no-op, a taken name 42P07. */
export function setSchema(ctx: DdlContext, stmt: SetSchema): void {
  if (stmt.objectType === 'function') return setFunctionSchema(ctx, stmt);
  const rel = stmt.relation!;
  const written = rel.schema ? `${rel.schema}.${rel.name}` : rel.name;
  const table = stmt.objectType === 'sequence' ? undefined : findTable(ctx, rel);
  const sequence = stmt.objectType === 'sequence' || !table ? findSequence(ctx, rel) : undefined;
  if (!table && !sequence) {
    if (stmt.missingOk) return notice(ctx, `relation "${written}" does not exist, skipping`);
    throw new SqlError(SqlState.undefinedTable, `relation "${written}" does not exist`);
  }
  if (stmt.objectType === 'view' || stmt.objectType === 'matview') {
    if (!table) throw new SqlError(SqlState.wrongObjectType, `"${rel.name}" is not a ${stmt.objectType === 'view' ? 'view' : 'materialized view'}`);
    checkRelationKind(stmt.objectType, table, rel.name);
  }
  if (stmt.objectType === 'sequence' && !sequence) throw new SqlError(SqlState.wrongObjectType, `"${rel.name}" is not a sequence`);
  const to = existingSchema(ctx, ctx.temp && stmt.newSchema === 'pg_temp' ? ctx.temp.ensure() : stmt.newSchema);
  const from = (table ?? sequence)!.schema;
  if (from === to) return;
  // a temporary object ends with its session; a permanent one must not (CheckSetNamespace)
  if (isTempSchema(from) || isTempSchema(to)) throw new SqlError(SqlState.featureNotSupported, 'cannot move objects into or out of temporary schemas');
  if (sequence) {
    checkFree(ctx, to, sequence.name);
    moveSequence(ctx, sequence.oid, to);
  } else {
    moveTable(ctx, table!, to);
  }
  ctx.catalog.version++;
}

function existingSchema(ctx: DdlContext, name: string): string {
  if (!ctx.catalog.schemaExists(name)) throw new SqlError('3F000', `schema "${name}" does not exist`);
  return name;
}

function checkFree(ctx: DdlContext, schema: string, name: string): void {
  if (ctx.catalog.relationNameTaken(schema, name)) throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists in schema "${schema}"`);
}

function moveTable(ctx: DdlContext, table: TableDef, to: string): void {
  const { catalog } = ctx;
  const owned = [...catalog.sequences.values()].filter((s) => s.ownedBy?.table === table.oid);
  for (const name of [table.name, ...table.indexes.map((i) => i.name), ...owned.map((s) => s.name)]) checkFree(ctx, to, name);
  const from = table.schema;
  const columns = table.columns.map((c) => withSequenceIn(c, to));
  catalog.tables.set(table.oid, { ...table, schema: to, columns });
  for (const s of owned) moveSequence(ctx, s.oid, to);
  renameInViews(ctx, from, to, { relation: table.name });
}

function moveSequence(ctx: DdlContext, oid: number, to: string): void {
  const s = ctx.catalog.sequences.get(oid)!;
  ctx.catalog.sequences.set(oid, { ...s, schema: to });
  renameInViews(ctx, s.schema, to, { relation: s.name });
}

function setFunctionSchema(ctx: DdlContext, stmt: SetSchema): void {
  const f = resolveFunction(ctx, stmt.function!, stmt.missingOk);
  if (!f) return;
  const to = existingSchema(ctx, stmt.newSchema);
  if (f.schema === to) return;
  if (isTempSchema(f.schema) || isTempSchema(to)) throw new SqlError(SqlState.featureNotSupported, 'cannot move objects into or out of temporary schemas');
  const signature = (x: typeof f) => x.params.map((p) => p.type.oid).join(',');
  const clash = [...ctx.catalog.functions.values()].find((x) => x.schema === to && x.name === f.name && signature(x) === signature(f));
  if (clash) throw new SqlError('42723', `function ${f.name}(${f.params.map((p) => formatType(p.type)).join(', ')}) already exists in schema "${to}"`);
  ctx.catalog.functions.set(f.oid, { ...f, schema: to });
  renameInViews(ctx, f.schema, to, { function: f.name });
  ctx.catalog.version++;
}

/** views that name the object (all of schema `from` without `only`) name it in `to` */
export function renameInViews(ctx: DdlContext, from: string, to: string, only?: { relation?: string; function?: string }): void {
  const moved = (ref: ViewNameRef) => ref.schema === from
    && (!only || (ref.kind === 'relation' ? only.relation === ref.name : ref.kind === 'function' && only.function === ref.name.toLowerCase()));
  for (const [oid, t] of ctx.catalog.tables) {
    if (!t.view) continue;
    const names = t.view.names?.map((ref) => (moved(ref) ? { ...ref, schema: to } : ref));
    const d = t.view.deparsed;
    const move = (text: string) => moveRelationMarkers(text, from, to, only?.function ? '' : only?.relation);
    const deparsed = d && { ...d, pretty: move(d.pretty), plain: move(d.plain), ...(d.wrapped !== undefined ? { wrapped: move(d.wrapped) } : {}) };
    ctx.catalog.tables.set(oid, { ...t, view: { ...t.view, ast: renameSchemaInTree(t.view.ast, from, to, only), ...(names ? { names } : {}), ...(deparsed ? { deparsed } : {}) } });
  }
}

/** a deparsed view text's relations of schema `from` (only `relation`, when given; '' none) in `to` */
function moveRelationMarkers(text: string, from: string, to: string, relation: string | undefined): string {
  if (relation === '') return text;
  return mapRelationMarkers(text, (schema, name) =>
    quotedRelationMarker(schema === from && (relation === undefined || name === quoteIdent(relation)) ? to : schema, name));
}

/** a serial or identity column's default names its sequence with the schema: the new one */
export function withSequenceIn(c: ColumnDef, schema: string): ColumnDef {
  if (!c.sequence || !c.defaultExpr || c.generated) return c;
  const d = nextvalDefault(c.sequence, schema);
  return { ...c, defaultExpr: storedDefault(d) };
}
