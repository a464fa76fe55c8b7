/**
 * CREATE TYPE … AS (attribute type, …): a composite type as PostgreSQL's DefineCompositeType
 * makes it — a pg_type row of typtype 'c', its array type, and a pg_class row of relkind 'c'
 * holding the attributes. ALTER TYPE (RENAME TO, OWNER TO, SET SCHEMA) and DROP TYPE go
 * through enum-type.ts / type-dependents.ts, which treat every catalog type alike.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { EnumTypeDef } from '../../catalog/catalog.js';
import type { BoundDdl } from '../../sql/ddl/index.js';
import { typeOf } from '../../sql/ddl/tree.js';
import { OID, TYPES, formatType } from '../../types/types.js';
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
