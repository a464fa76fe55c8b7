/**
 * What depends on a user type (an enum or a domain) when DROP TYPE / DROP DOMAIN goes:
 * columns of it or of its array type, views showing it, SQL functions taking or returning
 * it, domains over it; 2BP01 listing them, or CASCADE dropping them (dependency.c).
 */
import { SqlError, SqlState } from '../../errors.js';
import { changeOwner, type Securable } from '../../catalog/roles.js';
import type { AlterTypeAction } from '../../sql/ddl/index.js';
import { resolveRole } from './privileges.js';
import type { EnumTypeDef, SqlFunctionDef, TableDef } from '../../catalog/catalog.js';
import { viewDependencies } from '../../catalog/system/dependencies.js';
import { formatType, sqlType, typeByName, type SqlType } from '../../types/types.js';
import { alterTable } from './alter-table.js';
import { dropStorage, notice, type DdlContext } from './context.js';

export type TypeDependent =
  | { readonly kind: 'column'; readonly table: TableDef; readonly column: string; readonly type: SqlType }
  | { readonly kind: 'view'; readonly view: TableDef }
  | { readonly kind: 'function'; readonly fn: SqlFunctionDef }
  /** an attribute of a composite type (CASCADE drops it from the type) */
  | { readonly kind: 'attribute'; readonly owner: EnumTypeDef; readonly column: string; readonly type: SqlType }
  /** a domain over the type: CASCADE drops it (and what depends on it) */
  | { readonly kind: 'domain'; readonly name: string; readonly drop: () => Promise<void>; /** what depends on the domain in turn (listed after it), and whether a type is (an array of) the domain */ readonly nested: readonly TypeDependent[]; readonly uses: (t: SqlType) => boolean };

/** A type name taken in a schema: an enum's, a domain's, a table's row type, a built-in type's */
export function typeNameTaken(ctx: DdlContext, schema: string, name: string): boolean {
  return ctx.catalog.findType(schema, name) !== undefined || ctx.catalog.findDomain(schema, name) !== undefined
    || ctx.catalog.findTable(schema, name) !== undefined || (schema === 'pg_catalog' && typeByName(name) !== undefined);
}

/** ALTER TYPE | DOMAIN … RENAME TO / OWNER TO / SET SCHEMA of an enum or a domain (AlterTypeNamespace, RenameType); false: nothing changes */
export function alterTypeObject(ctx: DdlContext, def: { name: string; schema: string } & Securable, a: Extract<AlterTypeAction, { kind: 'rename' | 'owner' | 'setSchema' }>): boolean {
  switch (a.kind) {
    case 'rename':
      if (typeNameTaken(ctx, def.schema, a.newName)) throw new SqlError(SqlState.duplicateObject, `type "${a.newName}" already exists`);
      def.name = a.newName;
      return true;
    case 'owner':
      if (ctx.access) changeOwner(def, resolveRole(ctx.access, a.owner));
      return true;
    case 'setSchema':
      if (!ctx.catalog.schemaExists(a.schema)) throw new SqlError('3F000', `schema "${a.schema}" does not exist`);
      if (a.schema === def.schema) return false;
      if (typeNameTaken(ctx, a.schema, def.name)) throw new SqlError(SqlState.duplicateObject, `type "${def.name}" already exists in schema "${a.schema}"`);
      def.schema = a.schema;
      return true;
  }
}

/**
 * The columns, views and functions that use a type, in dependency.c's order as far as Quiver
 * can tell it: columns by `keyOf` (the type's array type's first, then its own; `keys` in
 * that order), then views, then functions; `uses` tells whether a type is (an array of) it.
 */
export function typeDependents(ctx: DdlContext, keys: readonly number[], uses: (t: SqlType) => boolean, keyOf: (t: SqlType) => number | undefined = (t) => t.domain): TypeDependent[] {
  const out: TypeDependent[] = [];
  for (const key of keys) {
    for (const t of ctx.catalog.tables.values()) {
      // a partition's columns come from its parent; a view goes as a whole
      if (t.partitionOf || t.kind === 'v' || t.kind === 'm') continue;
      for (const c of t.columns) if (keyOf(c.type) === key) out.push({ kind: 'column', table: t, column: c.name, type: c.type });
    }
    for (const ty of ctx.catalog.types.values()) {
      for (const a of ty.attributes ?? []) if (keyOf(a.type) === key) out.push({ kind: 'attribute', owner: ty, column: a.name, type: a.type });
    }
  }
  // a view comes right after the column it reads the type from (it depends on that column), else after the columns
  for (const t of ctx.catalog.tables.values()) {
    if ((t.kind !== 'v' && t.kind !== 'm') || !t.columns.some((c) => uses(c.type))) continue;
    const read = viewColumnOfType(ctx, t, uses);
    const at = read ? out.findIndex((d) => d.kind === 'column' && d.table === read.table && d.column === read.column) : -1;
    if (at < 0) out.push({ kind: 'view', view: t });
    else out.splice(at + 1, 0, { kind: 'view', view: t });
  }
  for (const f of ctx.catalog.functions.values()) {
    const returns = f.returns.kind === 'table' ? f.returns.columns.map((c) => c.type) : [f.returns.type];
    if ([...f.params.map((p) => p.type), ...returns].some(uses)) out.push({ kind: 'function', fn: f });
  }
  return out;
}

function describeDependent(d: TypeDependent): string {
  switch (d.kind) {
    case 'column': return `column ${d.column} of table ${d.table.name}`;
    case 'view': return `${d.view.kind === 'm' ? 'materialized view' : 'view'} ${d.view.name}`;
    case 'function': return `function ${d.fn.name}(${d.fn.params.map((p) => formatType(p.type)).join(',')})`;
    case 'domain': return `type ${d.name}`;
    case 'attribute': return `column ${d.column} of composite type ${formatType(sqlType(d.owner.oid))}`;
  }
}

/**
 * What a dependent is reported to depend on: a column's type; for a view, the column of a
 * table it reads that has the type (PostgreSQL records a view's dependency on the columns it
 * uses), else the type.
 */
function dependedOn(ctx: DdlContext, d: TypeDependent, what: string, uses: (t: SqlType) => boolean): string {
  if (d.kind === 'column' || d.kind === 'attribute') return `type ${formatType(d.type)}`;
  if (d.kind === 'view') {
    const read = viewColumnOfType(ctx, d.view, uses);
    if (read) return `column ${read.column} of table ${read.table.name}`;
  }
  return what;
}

/** the column of a table a view reads that has the type (PostgreSQL records a view's dependency on the columns it uses) */
function viewColumnOfType(ctx: DdlContext, view: TableDef, uses: (t: SqlType) => boolean): { table: TableDef; column: string } | undefined {
  const names = new Set(view.columns.filter((c) => uses(c.type)).map((c) => c.name));
  for (const dep of viewDependencies(ctx.catalog, view)) {
    const t = ctx.catalog.tables.get(dep.objid);
    const col = t?.columns.find((c) => uses(c.type) && names.has(c.name));
    if (t && col) return { table: t, column: col.name };
  }
  return undefined;
}

/** the dependents of a domain over the type, each naming what it depends on */
function nestedLines(ctx: DdlContext, d: TypeDependent): string[] {
  if (d.kind !== 'domain') return [];
  const what = `type ${d.name}`;
  return d.nested.flatMap((x) => [`${describeDependent(x)} depends on ${dependedOn(ctx, x, what, d.uses)}`, ...nestedLines(ctx, x)]);
}

/**
 * RESTRICT: 2BP01 naming the dependents of `what` ("type t"); CASCADE: the NOTICE listing
 * them, then views, functions and domains go and columns are dropped from their tables.
 */
export async function dropTypeDependents(ctx: DdlContext, what: string, dependents: readonly TypeDependent[], cascade: boolean, uses: (t: SqlType) => boolean, announce = true): Promise<void> {
  if (dependents.length === 0) return;
  if (!cascade) {
    const lines = dependents.flatMap((d) => [`${describeDependent(d)} depends on ${dependedOn(ctx, d, what, uses)}`, ...nestedLines(ctx, d)]);
    throw new SqlError('2BP01', `cannot drop ${what} because other objects depend on it`, {
      detail: lines.join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    });
  }
  const lines = dependents.flatMap((d) => [d, ...(d.kind === 'domain' ? d.nested : [])]).map((d) => `drop cascades to ${describeDependent(d)}`);
  if (!announce) { /* listed by the drop that cascaded here */ } else if (lines.length === 1) notice(ctx, lines[0]!);
  else ctx.notices.push({ severity: 'NOTICE', code: '00000', message: `drop cascades to ${lines.length} other objects`, detail: lines.join('\n') });
  for (const d of dependents) {
    if (d.kind !== 'attribute') continue;
    // stored values of the composite type would keep the attribute: refused rather than misread
    const used = [...ctx.catalog.tables.values()].some((t) => t.columns.some((c) => c.type.oid === d.owner.oid || c.type.oid === d.owner.arrayOid));
    if (used) throw new SqlError(SqlState.featureNotSupported, `cannot drop column ${d.column} of composite type ${formatType(sqlType(d.owner.oid))} while a table column uses the type`);
  }
  for (const d of dependents) {
    if (d.kind === 'attribute') {
      d.owner.attributes = (d.owner.attributes ?? []).filter((a) => a.name !== d.column);
      ctx.catalog.putType(d.owner);
    } else if (d.kind === 'view') {
      ctx.catalog.dropTable(d.view.oid);
      if (d.view.kind === 'm') await dropStorage(ctx, d.view.oid);
    } else if (d.kind === 'function') {
      ctx.catalog.functions.delete(d.fn.oid);
      ctx.catalog.version++;
    } else if (d.kind === 'domain') await d.drop();
  }
  for (const d of dependents) {
    // by name: a table rewrite gives the table a new OID
    if (d.kind !== 'column') continue;
    await alterTable(ctx, {
      kind: 'alterTable', objectType: 'table', relation: { schema: d.table.schema, name: d.table.name }, only: false, missingOk: false,
      commands: [{ kind: 'dropColumn', column: d.column, missingOk: true, cascade: true }],
    });
  }
}
