/**
 * CREATE DOMAIN, ALTER DOMAIN and DROP DOMAIN, as PostgreSQL's typecmds.c does them. A
 * domain's values are its base type's (SqlType.domain marks them); its CHECKs are kept as
 * parse trees over VALUE and bound where a value is coerced to it (sql/bind-domain.ts).
 */
import { SqlError, SqlState } from '../../errors.js';
import type { DomainConstraintDef, DomainTypeDef } from '../../catalog/catalog.js';
import { leafPartitions } from '../../catalog/partitions.js';
import { isOwner } from '../../catalog/roles.js';
import { ruleExpr } from '../../planner/rule-expr.js';
import type { Expr } from '../../planner/plan.js';
import type { BoundDdl, DdlExpr, Drop, QualifiedName } from '../../sql/ddl/index.js';
import { typeOf } from '../../sql/ddl/tree.js';
import { OID, TYPES, formatType, typeByName, type SqlType, type Value } from '../../types/types.js';
import { creationSchema, notice, type DdlContext } from './context.js';
import { notOwner } from './privileges.js';
import { alterTypeObject, dropTypeDependents, typeDependents, typeNameTaken, type TypeDependent } from './type-dependents.js';

type CreateDomain = Extract<BoundDdl, { kind: 'createDomain' }>;
type AlterDomain = Extract<BoundDdl, { kind: 'alterDomain' }>;
type DropObjects = Extract<Drop, { objects: unknown }>;

const BOOL: SqlType = { oid: OID.bool, typmod: -1 };

/** collatable base types (typcollation set): the string types */
const COLLATABLE = new Set<number>([OID.text, OID.varchar, OID.bpchar, OID.name]);

/** the type a domain's values have in SQL: its base type, marked with the domain */
function typeOfDomain(d: DomainTypeDef): SqlType {
  return { oid: d.base.oid, typmod: d.base.typmod, domain: d.oid };
}

const domainName = (d: DomainTypeDef): string => formatType(typeOfDomain(d));

export function createDomain(ctx: DdlContext, stmt: CreateDomain): void {
  if (stmt.error) throw stmt.error;
  const schema = creationSchema(ctx, stmt.name.schema);
  const { name } = stmt.name;
  const base = typeOf(stmt.base);
  const info = TYPES.get(base.oid);
  if (base.domain === undefined && (!info || info.category === 'P' || base.oid === OID.unknown)) {
    throw new SqlError(SqlState.datatypeMismatch, `"${formatType(base)}" is not a valid base type for a domain`);
  }
  if (stmt.collation !== undefined && !COLLATABLE.has(base.oid)) {
    throw new SqlError(SqlState.datatypeMismatch, `collations are not supported by type ${formatType(base)}`);
  }
  if (typeNameTaken(ctx, schema, name)) throw new SqlError(SqlState.duplicateObject, `type "${name}" already exists`);
  const def: DomainTypeDef = {
    oid: ctx.catalog.allocateOid(), arrayOid: ctx.catalog.allocateOid(), name, schema, base, notNull: stmt.notNull,
    // a domain over a domain inherits its DEFAULT (DefineDomain copies typdefault)
    default: stmt.default ? boundDefault(ctx, base, stmt.default) : base.domain !== undefined ? ctx.catalog.domains.get(base.domain)?.default ?? null : null, constraints: [],
    ...(stmt.collation !== undefined ? { collation: stmt.collation } : {}), ...(ctx.access ? { owner: ctx.access.role } : {}),
  };
  for (const c of stmt.checks) {
    const con = domainCheck(ctx, def, c.expr, c.name);
    def.constraints.push(con);
  }
  ctx.catalog.putDomain(def);
}

/** DEFAULT e: cast (assignment) to the base type, as cookDefault; typdefault is its deparsed text */
function boundDefault(ctx: DdlContext, base: SqlType, e: DdlExpr): DomainTypeDef['default'] {
  if (!ctx.bindRowExpr) return { ast: e.tree, sql: e.plainSql ?? e.sql };
  const bound = ctx.bindRowExpr(e.tree, [], { oid: base.oid, typmod: base.typmod });
  return { ast: e.tree, sql: ruleExpr(bound, { pretty: false }) };
}

/** A CHECK over VALUE: bound now (a wrong expression fails the DDL), named <domain>_check[N] by default (ChooseConstraintName). */
function domainCheck(ctx: DdlContext, def: DomainTypeDef, e: DdlExpr, name: string | undefined): DomainConstraintDef {
  let conName = name;
  if (conName === undefined) {
    conName = `${def.name}_check`;
    for (let i = 1; def.constraints.some((c) => c.name === conName); i++) conName = `${def.name}_check${i}`;
  } else if (def.constraints.some((c) => c.name === conName)) {
    throw new SqlError(SqlState.duplicateObject, `constraint "${conName}" for domain "${def.name}" already exists`);
  }
  const texts = { checkSql: e.sql, checkPlainSql: e.plainSql ?? e.sql };
  if (ctx.bindRowExpr) {
    const bound = ctx.bindRowExpr(e.tree, [{ name: 'value', type: def.base }], undefined);
    if (bound.type.oid !== OID.bool) {
      throw new SqlError(SqlState.datatypeMismatch, `argument of CHECK must be type boolean, not type ${formatType(bound.type)}`);
    }
    // VALUE prints as the key word (CoerceToDomainValue), not as a column
    const column = (c: Extract<Expr, { kind: 'column' }>) => (c.level === 0 && c.index === 0 ? 'VALUE' : undefined);
    texts.checkSql = ruleExpr(bound, { pretty: true, column });
    texts.checkPlainSql = ruleExpr(bound, { pretty: false, column });
  }
  return { oid: ctx.catalog.allocateOid(), name: conName, checkAst: e.tree, ...texts };
}

/** A domain by its name as written (the search path decides an unqualified one). */
export function findDomainDef(ctx: Pick<DdlContext, 'catalog' | 'searchPath'>, name: QualifiedName): DomainTypeDef | undefined {
  if (name.schema) return ctx.catalog.findDomain(name.schema, name.name);
  for (const s of ctx.searchPath) {
    const d = ctx.catalog.findDomain(s, name.name);
    if (d) return d;
  }
  return undefined;
}

const written = (name: QualifiedName): string => `${name.schema ? name.schema + '.' : ''}${name.name}`;

/** 42704 when no type has the name, 42809 when it is a type but no domain */
function requireDomain(ctx: DdlContext, name: QualifiedName): DomainTypeDef {
  const d = findDomainDef(ctx, name);
  if (d) return d;
  throw notADomain(ctx, name) ?? new SqlError(SqlState.undefinedObject, `type "${written(name)}" does not exist`);
}

/** 42809 naming the type as format_type does, when the name is a type but no domain */
function notADomain(ctx: DdlContext, name: QualifiedName): SqlError | undefined {
  const schemas = name.schema ? [name.schema] : ctx.searchPath;
  const builtin = name.schema === undefined || name.schema === 'pg_catalog' ? typeByName(ALIASES[name.name] ?? name.name) : undefined;
  const oid = builtin?.oid ?? schemas.map((s) => ctx.catalog.findType(s, name.name)).find((t) => t)?.oid;
  return oid === undefined ? undefined : new SqlError(SqlState.wrongObjectType, `${formatType({ oid, typmod: -1 })} is not a domain`);
}

const ALIASES: Record<string, string> = { int: 'int4', integer: 'int4', smallint: 'int2', bigint: 'int8', boolean: 'bool', real: 'float4' };

export async function alterDomain(ctx: DdlContext, stmt: AlterDomain): Promise<void> {
  const def = requireDomain(ctx, stmt.name);
  const access = ctx.access;
  if (access && !isOwner(access.roles, access.role, def)) throw notOwner('type', def.name);
  const a = stmt.action;
  switch (a.kind) {
    case 'unsupported': throw a.error;
    case 'setDefault':
      def.default = a.expr ? boundDefault(ctx, def.base, a.expr) : null;
      break;
    case 'setNotNull':
      if (a.notNull && !def.notNull) {
        validateColumns(ctx, def, (v) => v !== null, (c, t) => new SqlError(SqlState.notNullViolation, `column "${c}" of table "${t}" contains null values`));
      }
      def.notNull = a.notNull;
      break;
    case 'addConstraint': {
      const con = domainCheck(ctx, def, a.expr, a.name);
      if (a.notValid) con.notValid = true;
      else validateCheck(ctx, def, con);
      def.constraints = [...def.constraints, con];
      break;
    }
    case 'dropConstraint': {
      const con = def.constraints.find((c) => c.name === a.constraint);
      if (!con) {
        if (!a.missingOk) throw new SqlError(SqlState.undefinedObject, `constraint "${a.constraint}" of domain "${def.name}" does not exist`);
        notice(ctx, `constraint "${a.constraint}" of domain "${def.name}" does not exist, skipping`);
        return;
      }
      def.constraints = def.constraints.filter((c) => c !== con);
      break;
    }
    case 'validateConstraint': {
      const con = def.constraints.find((c) => c.name === a.constraint);
      if (!con) throw new SqlError(SqlState.undefinedObject, `constraint "${a.constraint}" of domain "${def.name}" does not exist`);
      validateCheck(ctx, def, con);
      delete con.notValid;
      break;
    }
    case 'renameConstraint': {
      const con = def.constraints.find((c) => c.name === a.from);
      if (!con) throw new SqlError(SqlState.undefinedObject, `constraint "${a.from}" for domain ${domainName(def)} does not exist`);
      if (def.constraints.some((c) => c.name === a.to)) throw new SqlError(SqlState.duplicateObject, `constraint "${a.to}" for domain "${def.name}" already exists`);
      con.name = a.to;
      break;
    }
    case 'rename': case 'owner': case 'setSchema':
      if (!alterTypeObject(ctx, def, a)) return;
      break;
  }
  ctx.catalog.putDomain(def);
}

/** ADD CONSTRAINT / VALIDATE CONSTRAINT: every stored value of the domain must pass (NULL passes a CHECK) */
function validateCheck(ctx: DdlContext, def: DomainTypeDef, con: DomainConstraintDef): void {
  if (!ctx.compileRowExpr) return;
  const test = ctx.compileRowExpr(con.checkAst as DdlExpr['tree'], [{ name: 'value', type: def.base }], BOOL);
  validateColumns(ctx, def, (v) => test([v]) !== false, (c, t) => new SqlError(SqlState.checkViolation, `column "${c}" of table "${t}" contains values that violate the new constraint`));
}

/** The columns of tables whose type is the domain or a domain over it (get_rels_with_domain), each stored value tested. */
function validateColumns(ctx: DdlContext, def: DomainTypeDef, ok: (v: Value) => boolean, fail: (column: string, table: string) => SqlError): void {
  const domains = new Set([def.oid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const d of ctx.catalog.domains.values()) if (d.base.domain !== undefined && domains.has(d.base.domain) && !domains.has(d.oid)) { domains.add(d.oid); grew = true; }
  }
  // values inside arrays are not checked: PostgreSQL refuses (find_composite_type_dependencies)
  const arrays = new Set([...domains].map((oid) => ctx.catalog.domains.get(oid)?.arrayOid));
  for (const t of ctx.catalog.tables.values()) {
    const c = t.kind === 'v' || t.partitionOf ? undefined : t.columns.find((x) => x.type.domain !== undefined && arrays.has(x.type.domain));
    if (c) throw new SqlError(SqlState.featureNotSupported, `cannot alter type "${def.name}" because column "${t.name}.${c.name}" uses it`);
  }
  // the columns of the domains over it first, as get_rels_with_domain finds them
  const order = [...domains].reverse();
  const tables = [...ctx.catalog.tables.values()].filter((t) => t.kind !== 'v' && !t.partitionOf);
  for (const [t, c, i] of order.flatMap((oid) => tables.flatMap((t) => t.columns.map((c, i) => [t, c, i] as const).filter(([, c]) => c.type.domain === oid)))) {
    {
      for (const leaf of leafPartitions(ctx.catalog, t)) {
        for (const batch of ctx.storage.scan(leaf.oid, ctx.storage.snapshot())) {
          for (const row of batch.rows) if (!ok(row[i] ?? null)) throw fail(c.name, t.name);
        }
      }
    }
  }
}

/** What uses a domain: columns of it or of its array type, domains over it, views and functions. */
const usesDomain = (def: DomainTypeDef) => (t: SqlType): boolean => t.domain === def.oid || t.domain === def.arrayOid;

function domainDependents(ctx: DdlContext, def: DomainTypeDef): TypeDependent[] {
  const uses = usesDomain(def);
  // dependency.c's order: columns of the array type, the domains over it (and theirs), then its own columns
  const found = typeDependents(ctx, [def.arrayOid, def.oid], uses);
  const arrayColumns = found.filter((d) => d.kind === 'column' && d.type.domain === def.arrayOid);
  return [...arrayColumns, ...domainsOver(ctx, def.oid), ...found.filter((d) => !arrayColumns.includes(d))];
}

/** the domains declared over a type (an enum's OID, or a domain's) */
export function domainsOver(ctx: DdlContext, oid: number): TypeDependent[] {
  return [...ctx.catalog.domains.values()].filter((d) => (d.base.domain ?? d.base.oid) === oid)
    .map((d): TypeDependent => ({ kind: 'domain', name: domainName(d), drop: () => dropDomainCascade(ctx, d), nested: domainDependents(ctx, d), uses: usesDomain(d) }));
}

/** DROP DOMAIN [IF EXISTS] name, … [CASCADE | RESTRICT] (and DROP TYPE of a domain) */
export async function dropDomains(ctx: DdlContext, stmt: DropObjects): Promise<void> {
  const found: DomainTypeDef[] = [];
  for (const obj of stmt.objects) {
    const def = findDomainDef(ctx, obj);
    if (def) {
      found.push(def);
      continue;
    }
    const other = notADomain(ctx, obj);
    if (other) throw other;
    if (!stmt.missingOk) throw new SqlError(SqlState.undefinedObject, `type "${written(obj)}" does not exist`);
    notice(ctx, `type "${written(obj)}" does not exist, skipping`);
  }
  for (const def of found) {
    const access = ctx.access;
    if (access && !isOwner(access.roles, access.role, def)) throw notOwner('type', def.name);
    await dropTypeDependents(ctx, `type ${domainName(def)}`, domainDependents(ctx, def), stmt.cascade, usesDomain(def));
    ctx.catalog.dropDomain(def.oid);
  }
}

/** a domain over a dropped type goes with what uses it (the NOTICE listed them already) */
async function dropDomainCascade(ctx: DdlContext, def: DomainTypeDef): Promise<void> {
  await dropTypeDependents(ctx, `type ${domainName(def)}`, domainDependents(ctx, def), true, usesDomain(def), false);
  ctx.catalog.dropDomain(def.oid);
}
