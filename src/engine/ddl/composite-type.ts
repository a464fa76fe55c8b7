/**
 * CREATE TYPE … AS (attribute type, …): a composite type as PostgreSQL's DefineCompositeType
 * makes it — a pg_type row of typtype 'c', its array type, and a pg_class row of relkind 'c'
 * holding the attributes. ALTER TYPE (RENAME TO, OWNER TO, SET SCHEMA) and DROP TYPE go
 * through enum-type.ts / type-dependents.ts, which treat every catalog type alike.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { EnumTypeDef } from '../../catalog/catalog.js';
import type { BoundDdl, QualifiedName } from '../../sql/ddl/index.js';
import { typeOf } from '../../sql/ddl/tree.js';
import { OID, TYPES, formatType, sqlType } from '../../types/types.js';
import { findEnum } from './enum-type.js';
import { creationSchema, type DdlContext } from './context.js';
import { typeNameTaken } from './type-dependents.js';

type CreateComposite = Extract<BoundDdl, { kind: 'createComposite' }>;

export function createComposite(ctx: DdlContext, stmt: CreateComposite): void {
  const schema = creationSchema(ctx, stmt.name.schema);
  const { name } = stmt.name;
  const attributes = stmt.attributes.map((a) => {
    const type = typeOf(a.type);
    const info = TYPES.get(type.oid);
    if (type.domain === undefined && (!info || info.category === 'P' || type.oid === OID.unknown)) {
      throw new SqlError(SqlState.invalidTableDefinition, `column "${a.name}" has pseudo-type ${formatType(type)}`);
    }
    return { name: a.name, type };
  });
  const seen = new Set<string>();
  for (const a of attributes) {
    if (seen.has(a.name)) throw new SqlError(SqlState.duplicateColumn, `column "${a.name}" specified more than once`);
    seen.add(a.name);
  }
  // the type's pg_class row takes the name too (42P07 against a table of that name)
  if (typeNameTaken(ctx, schema, name) || ctx.catalog.findTable(schema, name)) throw new SqlError(SqlState.duplicateObject, `type "${name}" already exists`);
  const oid = ctx.catalog.allocateOid();
  const arrayOid = ctx.catalog.allocateOid();
  const relid = ctx.catalog.allocateOid();
  const def: EnumTypeDef = { oid, arrayOid, relid, name, schema, labels: [], attributes, ...(ctx.access ? { owner: ctx.access.role } : {}) };
  ctx.catalog.putType(def);
}

type AlterTable = Extract<BoundDdl, { kind: 'alterTable' }>;

/** A composite type by its name as written (the search path decides an unqualified one); PostgreSQL looks up its relation: 42P01. */
function requireComposite(ctx: DdlContext, name: QualifiedName): EnumTypeDef {
  const found = findEnum(ctx, name);
  if (!found?.attributes) throw new SqlError(SqlState.undefinedTable, `relation "${name.schema ? name.schema + '.' : ''}${name.name}" does not exist`);
  return found;
}

/** stored values are field lists in the type's order: adding or dropping an attribute would misread them */
function refuseWhileStored(ctx: DdlContext, def: EnumTypeDef, what: string): void {
  const used = [...ctx.catalog.tables.values()].some((t) => t.columns.some((c) => c.type.oid === def.oid || c.type.oid === def.arrayOid));
  if (used) throw new SqlError(SqlState.featureNotSupported, `ALTER TYPE … ${what} ATTRIBUTE is not supported while a table column uses type ${formatType(sqlType(def.oid))}`);
}

/** ALTER TYPE t ADD ATTRIBUTE a type / DROP ATTRIBUTE [IF EXISTS] a (AlterTable on a composite type's relation). */
export function alterCompositeAttributes(ctx: DdlContext, stmt: AlterTable): void {
  const def = requireComposite(ctx, stmt.relation);
  let attributes = [...(def.attributes ?? [])];
  for (const c of stmt.commands) {
    if (c.kind === 'addColumn') {
      refuseWhileStored(ctx, def, 'ADD');
      if (c.column.constraints.length > 0) throw new SqlError(SqlState.featureNotSupported, 'constraints on composite type attributes are not supported');
      if (attributes.some((a) => a.name === c.column.name)) throw new SqlError(SqlState.duplicateColumn, `column "${c.column.name}" of relation "${def.name}" already exists`);
      attributes.push({ name: c.column.name, type: typeOf(c.column.type) });
    } else if (c.kind === 'dropColumn') {
      if (!attributes.some((a) => a.name === c.column)) {
        if (c.missingOk) { ctx.notices.push({ severity: 'NOTICE', code: '00000', message: `column "${c.column}" of relation "${def.name}" does not exist, skipping` }); continue; }
        throw new SqlError(SqlState.undefinedColumn, `column "${c.column}" of relation "${def.name}" does not exist`);
      }
      refuseWhileStored(ctx, def, 'DROP');
      attributes = attributes.filter((a) => a.name !== c.column);
    } else {
      throw new SqlError(SqlState.featureNotSupported, 'ALTER TYPE … ALTER ATTRIBUTE is not supported yet');
    }
  }
  def.attributes = attributes;
  ctx.catalog.putType(def);
}

/** ALTER TYPE t RENAME ATTRIBUTE a TO b: values are positional, so nothing stored changes. */
export function renameCompositeAttribute(ctx: DdlContext, name: QualifiedName, from: string, to: string): void {
  const def = requireComposite(ctx, name);
  const attributes = def.attributes ?? [];
  if (!attributes.some((a) => a.name === from)) throw new SqlError(SqlState.undefinedColumn, `column "${from}" does not exist`);
  if (attributes.some((a) => a.name === to)) throw new SqlError(SqlState.duplicateColumn, `column "${to}" of relation "${def.name}" already exists`);
  def.attributes = attributes.map((a) => (a.name === from ? { ...a, name: to } : a));
  ctx.catalog.putType(def);
}
