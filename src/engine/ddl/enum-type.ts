/**
 * CREATE TYPE … AS ENUM, ALTER TYPE (ADD VALUE, RENAME VALUE, RENAME TO, OWNER TO, SET
 * SCHEMA) and DROP TYPE, as PostgreSQL's typecmds.c and pg_enum.c do them.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { EnumTypeDef, SqlFunctionDef, TableDef } from '../../catalog/catalog.js';
import { changeOwner, isOwner } from '../../catalog/roles.js';
import type { BoundDdl, Drop, QualifiedName } from '../../sql/ddl/index.js';
import { formatType, sqlType, typeByName, type SqlType } from '../../types/types.js';
import type { EnumLabel } from '../../types/user-types.js';
import { creationSchema, dropStorage, notice, type DdlContext } from './context.js';
import { alterTable } from './alter-table.js';
import { viewDependencies } from '../../catalog/system/dependencies.js';
import { notOwner, resolveRole } from './privileges.js';

type CreateEnum = Extract<BoundDdl, { kind: 'createEnum' }>;
type AlterType = Extract<BoundDdl, { kind: 'alterType' }>;
type DropObjects = Extract<Drop, { objects: unknown }>;

/** NAMEDATALEN - 1 */
const MAX_LABEL_BYTES = 63;

function checkLabel(label: string): void {
  if (Buffer.byteLength(label, 'utf8') > MAX_LABEL_BYTES) {
    throw new SqlError('42602', `invalid enum label "${label}"`, { detail: `Labels must be ${MAX_LABEL_BYTES} bytes or less.` });
  }
}

/** A type name taken in a schema: an enum's, or a table's row type */
function typeNameTaken(ctx: DdlContext, schema: string, name: string): boolean {
  return ctx.catalog.findType(schema, name) !== undefined || ctx.catalog.findTable(schema, name) !== undefined || isBuiltinTypeIn(schema, name);
}

/** built-in types live in pg_catalog */
function isBuiltinTypeIn(schema: string, name: string): boolean {
  return schema === 'pg_catalog' && typeByName(name) !== undefined;
}

export function createEnum(ctx: DdlContext, stmt: CreateEnum): void {
  const schema = creationSchema(ctx, stmt.name.schema);
  const { name } = stmt.name;
  if (typeNameTaken(ctx, schema, name)) throw new SqlError(SqlState.duplicateObject, `type "${name}" already exists`);
  const labels: EnumLabel[] = [];
  for (const [i, label] of stmt.labels.entries()) {
    checkLabel(label);
    if (labels.some((l) => l.label === label)) {
      // the unique index on pg_enum refuses the second row, as in PostgreSQL
      throw new SqlError(SqlState.uniqueViolation, 'duplicate key value violates unique constraint "pg_enum_typid_label_index"');
    }
    labels.push({ oid: 0, label, sortOrder: i + 1 });
  }
  const oid = ctx.catalog.allocateOid();
  const arrayOid = ctx.catalog.allocateOid();
  const withOids = labels.map((l) => ({ ...l, oid: ctx.catalog.allocateOid() }));
  const def: EnumTypeDef = { oid, arrayOid, name, schema, labels: withOids, ...(ctx.access ? { owner: ctx.access.role } : {}) };
  ctx.catalog.putType(def);
}

/** An enum by its name as written (the search path decides an unqualified one); 42704 when none, 42809 for another type. */
export function findEnum(ctx: DdlContext, name: QualifiedName): EnumTypeDef | undefined {
  if (name.schema) return ctx.catalog.findType(name.schema, name.name);
  for (const s of ctx.searchPath) {
    const t = ctx.catalog.findType(s, name.name);
    if (t) return t;
  }
  return undefined;
}

function requireEnum(ctx: DdlContext, name: QualifiedName): EnumTypeDef {
  const t = findEnum(ctx, name);
  if (t) return t;
  const builtin = typeByName(aliasOf(name.name));
  if (builtin && (name.schema === undefined || name.schema === 'pg_catalog')) {
    throw new SqlError(SqlState.wrongObjectType, `${formatBuiltin(name.name)} is not an enum`);
  }
  throw new SqlError(SqlState.undefinedObject, `type "${name.schema ? name.schema + '.' : ''}${name.name}" does not exist`);
}

const ALIASES: Record<string, string> = { int: 'int4', integer: 'int4', smallint: 'int2', bigint: 'int8', boolean: 'bool', real: 'float4' };
const aliasOf = (n: string): string => ALIASES[n] ?? n;
const SQL_NAMES: Record<string, string> = { int4: 'integer', int2: 'smallint', int8: 'bigint', bool: 'boolean', float4: 'real', float8: 'double precision' };
const formatBuiltin = (n: string): string => SQL_NAMES[aliasOf(n)] ?? aliasOf(n);

export function alterType(ctx: DdlContext, stmt: AlterType): void {
  const def = requireEnum(ctx, stmt.name);
  const access = ctx.access;
  if (access && !isOwner(access.roles, access.role, def)) throw notOwner('type', def.name);
  const a = stmt.action;
  switch (a.kind) {
    case 'addValue': return addValue(ctx, def, a.value, a.ifNotExists, a.neighbor, a.after ?? false);
    case 'renameValue': {
      const label = def.labels.find((l) => l.label === a.from);
      if (!label) throw new SqlError(SqlState.invalidParameterValue, `"${a.from}" is not an existing enum label`);
      if (a.from === a.to) return;
      if (def.labels.some((l) => l.label === a.to)) throw new SqlError(SqlState.duplicateObject, `enum label "${a.to}" already exists`);
      checkLabel(a.to);
      def.labels = def.labels.map((l) => (l === label ? { ...l, label: a.to } : l));
      break;
    }
    case 'rename':
      if (typeNameTaken(ctx, def.schema, a.newName)) throw new SqlError(SqlState.duplicateObject, `type "${a.newName}" already exists`);
      def.name = a.newName;
      break;
    case 'owner':
      if (access) changeOwner(def, resolveRole(access, a.owner));
      break;
    case 'setSchema':
      if (!ctx.catalog.schemaExists(a.schema)) throw new SqlError('3F000', `schema "${a.schema}" does not exist`);
      if (a.schema === def.schema) return;
      if (typeNameTaken(ctx, a.schema, def.name)) throw new SqlError(SqlState.duplicateObject, `type "${def.name}" already exists in schema "${a.schema}"`);
      def.schema = a.schema;
      break;
  }
  ctx.catalog.putType(def);
}

/**
 * ADD VALUE: at the end, or between the neighbor and the label before (BEFORE) or after
 * (AFTER) it; enumsortorder is a float4 as in PostgreSQL, so the midpoint is rounded to one.
 */
function addValue(ctx: DdlContext, def: EnumTypeDef, value: string, ifNotExists: boolean, neighbor: string | undefined, after: boolean): void {
  if (def.labels.some((l) => l.label === value)) {
    if (ifNotExists) {
      notice(ctx, `enum label "${value}" already exists, skipping`, SqlState.duplicateObject);
      return;
    }
    throw new SqlError(SqlState.duplicateObject, `enum label "${value}" already exists`);
  }
  checkLabel(value);
  const sorted = [...def.labels].sort((a, b) => a.sortOrder - b.sortOrder);
  let sortOrder: number;
  if (neighbor === undefined) sortOrder = (sorted.at(-1)?.sortOrder ?? 0) + 1;
  else {
    const i = sorted.findIndex((l) => l.label === neighbor);
    if (i < 0) throw new SqlError(SqlState.invalidParameterValue, `"${neighbor}" is not an existing enum label`);
    const [lo, hi] = after ? [sorted[i]!.sortOrder, sorted[i + 1]?.sortOrder] : [sorted[i - 1]?.sortOrder, sorted[i]!.sortOrder];
    sortOrder = lo === undefined ? hi! - 1 : hi === undefined ? lo + 1 : Math.fround((lo + hi) / 2);
  }
  const oid = ctx.catalog.allocateOid();
  def.labels = [...def.labels, { oid, label: value, sortOrder }];
  ctx.catalog.putType(def);
  // in a block the label may not be used before COMMIT (PostgreSQL 15 also for a type the block created)
  ctx.txn?.addedEnumLabel(oid);
}

/** What uses an enum (or its array type): columns of tables, views, SQL functions. */
type Dependent =
  | { readonly kind: 'column'; readonly table: TableDef; readonly column: string; readonly type: number }
  | { readonly kind: 'view'; readonly view: TableDef }
  | { readonly kind: 'function'; readonly fn: SqlFunctionDef };

/**
 * The objects that use an enum, in dependency.c's order as far as Quiver can tell it: the
 * columns of the array type (found through it) and of the enum, then views, then functions.
 */
function dependentsOf(ctx: DdlContext, def: EnumTypeDef): Dependent[] {
  const uses = (t: SqlType) => t.oid === def.oid || t.oid === def.arrayOid;
  const out: Dependent[] = [];
  for (const oid of [def.arrayOid, def.oid]) {
    for (const t of ctx.catalog.tables.values()) {
      // a partition's columns come from its parent; a view goes as a whole
      if (t.partitionOf || t.kind === 'v' || t.kind === 'm') continue;
      for (const c of t.columns) if (c.type.oid === oid) out.push({ kind: 'column', table: t, column: c.name, type: oid });
    }
  }
  for (const t of ctx.catalog.tables.values()) if ((t.kind === 'v' || t.kind === 'm') && t.columns.some((c) => uses(c.type))) out.push({ kind: 'view', view: t });
  for (const f of ctx.catalog.functions.values()) {
    const returns = f.returns.kind === 'table' ? f.returns.columns.map((c) => c.type) : [f.returns.type];
    if ([...f.params.map((p) => p.type), ...returns].some(uses)) out.push({ kind: 'function', fn: f });
  }
  return out;
}

function describeDependent(d: Dependent): string {
  switch (d.kind) {
    case 'column': return `column ${d.column} of table ${d.table.name}`;
    case 'view': return `${d.view.kind === 'm' ? 'materialized view' : 'view'} ${d.view.name}`;
    case 'function': return `function ${d.fn.name}(${d.fn.params.map((p) => formatType(p.type)).join(',')})`;
  }
}

/**
 * What a dependent is reported to depend on: a column's type; for a view, the column of a
 * table it reads that has the type (PostgreSQL records a view's dependency on the columns it
 * uses), else the type.
 */
function dependedOn(ctx: DdlContext, d: Dependent, def: EnumTypeDef): string {
  if (d.kind === 'column') return `type ${formatType(sqlType(d.type))}`;
  if (d.kind === 'view') {
    const uses = (t: SqlType) => t.oid === def.oid || t.oid === def.arrayOid;
    const names = new Set(d.view.columns.filter((c) => uses(c.type)).map((c) => c.name));
    for (const dep of viewDependencies(ctx.catalog, d.view)) {
      const t = ctx.catalog.tables.get(dep.objid);
      const col = t?.columns.find((c) => uses(c.type) && names.has(c.name));
      if (t && col) return `column ${col.name} of table ${t.name}`;
    }
  }
  return `type ${formatType(sqlType(def.oid))}`;
}

/** CASCADE: views and functions go, columns are dropped from their tables (ALTER TABLE … DROP COLUMN) */
async function dropDependents(ctx: DdlContext, dependents: readonly Dependent[]): Promise<void> {
  for (const d of dependents) {
    if (d.kind === 'view') {
      ctx.catalog.dropTable(d.view.oid);
      if (d.view.kind === 'm') await dropStorage(ctx, d.view.oid);
    } else if (d.kind === 'function') {
      ctx.catalog.functions.delete(d.fn.oid);
      ctx.catalog.version++;
    }
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

/** DROP TYPE [IF EXISTS] name, … [CASCADE | RESTRICT] */
export async function dropTypes(ctx: DdlContext, stmt: DropObjects): Promise<void> {
  const found: EnumTypeDef[] = [];
  for (const obj of stmt.objects) {
    const def = findEnum(ctx, obj);
    if (def) {
      found.push(def);
      continue;
    }
    const name = `${obj.schema ? obj.schema + '.' : ''}${obj.name}`;
    if (!stmt.missingOk) throw new SqlError(SqlState.undefinedObject, `type "${name}" does not exist`);
    notice(ctx, `type "${name}" does not exist, skipping`);
  }
  for (const def of found) {
    const access = ctx.access;
    if (access && !isOwner(access.roles, access.role, def)) throw notOwner('type', def.name);
    const dependents = dependentsOf(ctx, def);
    if (dependents.length > 0) {
      if (!stmt.cascade) {
        const lines = dependents.map((d) => `${describeDependent(d)} depends on ${dependedOn(ctx, d, def)}`);
        throw new SqlError('2BP01', `cannot drop type ${formatType(sqlType(def.oid))} because other objects depend on it`, {
          detail: lines.join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
        });
      }
      const lines = dependents.map((d) => `drop cascades to ${describeDependent(d)}`);
      if (lines.length === 1) notice(ctx, lines[0]!);
      else ctx.notices.push({ severity: 'NOTICE', code: '00000', message: `drop cascades to ${lines.length} other objects`, detail: lines.join('\n') });
      await dropDependents(ctx, dependents);
    }
    ctx.catalog.dropType(def.oid);
  }
}
