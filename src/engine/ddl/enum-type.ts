/**
 * CREATE TYPE … AS ENUM, ALTER TYPE (ADD VALUE, RENAME VALUE, RENAME TO, OWNER TO, SET
 * SCHEMA) and DROP TYPE, as PostgreSQL's typecmds.c and pg_enum.c do them.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { EnumTypeDef } from '../../catalog/catalog.js';
import { isOwner } from '../../catalog/roles.js';
import type { BoundDdl, Drop, QualifiedName } from '../../sql/ddl/index.js';
import { formatType, sqlType, typeByName, type SqlType } from '../../types/types.js';
import type { EnumLabel } from '../../types/user-types.js';
import { creationSchema, notice, type DdlContext } from './context.js';
import { alterTypeObject, dropTypeDependents, typeDependents, typeNameTaken } from './type-dependents.js';
import { domainsOver, dropDomains, findDomainDef } from './domain.js';
import { notOwner } from './privileges.js';

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
    case 'rename': case 'owner': case 'setSchema':
      if (!alterTypeObject(ctx, def, a)) return;
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

/** DROP TYPE [IF EXISTS] name, … [CASCADE | RESTRICT] */
export async function dropTypes(ctx: DdlContext, stmt: DropObjects): Promise<void> {
  const found: EnumTypeDef[] = [];
  for (const obj of stmt.objects) {
    const def = findEnum(ctx, obj);
    if (def) {
      found.push(def);
      continue;
    }
    if (findDomainDef(ctx, obj)) {
      await dropDomains(ctx, { ...stmt, objects: [obj] });
      continue;
    }
    const name = `${obj.schema ? obj.schema + '.' : ''}${obj.name}`;
    if (!stmt.missingOk) throw new SqlError(SqlState.undefinedObject, `type "${name}" does not exist`);
    notice(ctx, `type "${name}" does not exist, skipping`);
  }
  for (const def of found) {
    const access = ctx.access;
    if (access && !isOwner(access.roles, access.role, def)) throw notOwner('type', def.name);
    const uses = (t: SqlType) => t.domain === undefined && (t.oid === def.oid || t.oid === def.arrayOid);
    // a domain over the enum is listed as a type (its columns depend on the domain)
    const dependents = [...typeDependents(ctx, [def.arrayOid, def.oid], uses, (t) => (t.domain === undefined ? t.oid : undefined)), ...domainsOver(ctx, def.oid)];
    await dropTypeDependents(ctx, `type ${formatType(sqlType(def.oid))}`, dependents, stmt.cascade, uses);
    ctx.catalog.dropType(def.oid);
  }
}
