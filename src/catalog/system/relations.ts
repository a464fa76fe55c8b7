/**
 * pg_catalog and information_schema relations, computed from the catalog on each scan.
 * Column lists follow PostgreSQL 15 (complete for the catalogs clients read; a few views
 * keep only the columns clients use). Catalogs for features Quiver lacks (policies,
 * publications, statistics objects, triggers, rules) exist and are empty, because psql,
 * drizzle-kit and pgjdbc read them unconditionally.
 *
 * information_schema columns have PostgreSQL's domain base types (sql_identifier → name,
 * character_data and yes_or_no → varchar, cardinal_number → int4), which is what
 * PostgreSQL puts on the wire for them.
 */
import { RANGE_TYPES } from '../../types/range.js';
import { isMultirangeType } from '../../types/multirange.js';
import { NAMESPACE, builtinProcDefaultAcl, recordedSize, storesRows, type BuiltinAclDef, type Catalog, type ColumnStatistics, type SqlFunctionDef, type SystemRelation, type SystemRelationContext, type TableDef } from '../catalog.js';
import { OID, T, TYPES, formatType, sqlType, typeByName, type Row, type SqlType, type TypeInfo } from '../../types/types.js';
import { ALL_VISIBLE, viewDefinitionText } from '../functions/qualify.js';
import { CLASS_OID, PLPGSQL_OID, ROLE, columnDefaultSql, descriptions, indexDef } from './objects.js';
import { pgAuthMembersRows, pgAuthidRows, pgDbRoleSettingRows, pgRolesRows, pgUserRows } from './roles.js';
import { ALL_SCHEMA_PRIVILEGES, formatAcl, hasPrivilege, type AclItem, ownerOf, type Roles, type Securable } from '../roles.js';
import { constraintDef } from '../functions/catalog-functions.js';
import { boundText, keyTypes, type PartitionBound } from '../partitions.js';
import { formatText } from '../../types/text-io.js';
import { userType } from '../../types/user-types.js';
import { EMPTY_CATALOGS } from './empty-catalogs.js';
import { timeZoneRelations } from './time-zones.js';
import { lockRelations } from './locks.js';
import { isTempSchema } from '../schemas.js';
import { amHandlerOid, builtinDescriptionRows, builtinOperatorRows, builtinProcRows, pgvectorOperatorOids, pgvectorProcOids } from './builtin-proc-rows.js';
import { viewDependencies } from './dependencies.js';
import { builtinAggregateRows, builtinCastRows, builtinCollationRows, builtinTypeProcs, pgvectorCastOids } from './builtin-catalog-rows.js';
import { columnPrivilegeRows } from './column-privileges.js';
import { routinePrivilegeRows } from './routine-privileges.js';
import { amopRows, amprocRows, opclassRows, opfamilyRows } from './opclass-rows.js';
import { socketAddressInet } from '../../types/network.js';

/** a partition's parent and bound (TableDef.partitionOf, read loosely while that field is new) */
function partitionOf(t: TableDef): { parent: number; bound: PartitionBound } | undefined {
  return (t as { partitionOf?: { parent: number; bound: PartitionBound } }).partitionOf;
}

/** relpartbound as SQL text (pg_get_expr passes it through) */
function partitionBoundText(c: Catalog, t: TableDef): string | null {
  const of = partitionOf(t);
  const parent = of && c.tables.get(of.parent);
  if (!of || !parent?.partition) return null;
  return boundText(of.bound, keyTypes(parent), (ty, v) => formatText(ty, v));
}

type Cols = [string, SqlType][];

let nextSystemOid = 12000;

function rel(schema: 'pg_catalog' | 'information_schema', name: string, cols: Cols, rows: (ctx: SystemRelationContext) => Row[], oid?: number): SystemRelation {
  return { oid: oid ?? nextSystemOid++, schema, name, columns: cols.map(([n, t]) => ({ name: n, type: t })), rows };
}

const name = T.name;
const oid = T.oid;
const bool = T.bool;
const int2 = T.int2;
const int4 = T.int4;
const int8 = T.int8;
const text = T.text;
const char = T.char;
const varchar = T.varchar;
const float4 = T.float4;
const int2vector = sqlType(OID.int2vector);
const oidvector = sqlType(OID.oidvector);
const nodeTree = sqlType(OID.pg_node_tree);
const aclitems = T._text;
const regproc = sqlType(OID.regproc);

/** default collation (pg_collation "default") and C (name's collation): builtin-catalogs.ts has their rows */
const COLL_DEFAULT = 100;
const COLL_C = 950;
const TABLESPACE_DEFAULT = 1663;

/** PostgreSQL 15's predefined roles (drizzle-kit lists pg_roles; psql \\du hides ^pg_) */
import { AM, BTREE_OPCLASSES, VECTOR_OPCLASSES } from './access-methods.js';
export { AM };

function opclassOid(method: string, opclass: string | undefined, typeOid: number): number {
  if (method === 'hnsw' || method === 'ivfflat') {
    const want = opclass && opclass !== 'default' ? opclass : 'vector_l2_ops';
    return VECTOR_OPCLASSES.find((o) => o.am === method && o.name === want)?.oid ?? 0;
  }
  if (method === 'gin') return 10073; // tsvector_ops
  return BTREE_OPCLASSES[typeOid]?.[0] ?? VECTOR_OPCLASSES.find((o) => o.am === 'btree' && typeByName(o.type)?.oid === typeOid)?.oid ?? 0;
}

const BUILTIN_TYPE_OIDS: ReadonlySet<number> = new Set(TYPES.keys());

/** enum_in, enum_out, enum_recv, enum_send */
const ENUM_PROCS = [3506, 3507, 3532, 3533] as const;

/** record_in, record_out, record_recv, record_send */
const RECORD_PROCS = [2290, 2291, 2402, 2403] as const;

/** pg_type rows of this database's enums and their array types (typtype 'e', category 'E'), as DefineEnum makes them */
function enumTypeRows(ctx: SystemRelationContext): Row[] {
  const [ain, aout, arecv, asend, , , aanalyze, asubscript] = builtinTypeProcs('_int4') ?? [0, 0, 0, 0, 0, 0, 0, 0];
  const acl = (t: Securable) => (ctx.roles && t.acl ? formatAcl(t, ctx.roles) : null);
  return [...ctx.catalog.types.values()].flatMap((t) => {
    const ns = namespaceOid(ctx.catalog, t.schema);
    // a composite type (DefineCompositeType): typtype 'c', typrelid its pg_class row, record_in … record_send
    if (t.attributes) {
      return [
        [t.oid, t.name, ns, ownerOf(t), -1, false, 'c', 'C', false, true, ',', t.relid ?? 0, 0, 0, t.arrayOid, ...RECORD_PROCS, 0, 0, 0, 'd', 'x', false, 0, -1, 0, 0, null, null, acl(t)],
        [t.arrayOid, '_' + t.name, ns, ownerOf(t), -1, false, 'b', 'A', false, true, ',', 0, asubscript, t.oid, 0, ain, aout, arecv, asend, 0, 0, aanalyze, 'd', 'x', false, 0, -1, 0, 0, null, null, acl(t)],
      ] as Row[];
    }
    return [
      [t.oid, t.name, ns, ownerOf(t), 4, true, 'e', 'E', false, true, ',', 0, 0, 0, t.arrayOid, ...ENUM_PROCS, 0, 0, 0, 'i', 'p', false, 0, -1, 0, 0, null, null, acl(t)],
      [t.arrayOid, '_' + t.name, ns, ownerOf(t), -1, false, 'b', 'A', false, true, ',', 0, asubscript, t.oid, 0, ain, aout, arecv, asend, 0, 0, aanalyze, 'i', 'x', false, 0, -1, 0, 0, null, null, acl(t)],
    ] as Row[];
  });
}

/** domain_in, domain_recv (the output and send functions are the base type's) */
const DOMAIN_IN = 2597, DOMAIN_RECV = 2598;

/** pg_type rows of this database's domains and their array types (typtype 'd'), as DefineDomain makes them */
function domainTypeRows(ctx: SystemRelationContext): Row[] {
  const [ain, aout, arecv, asend, , , aanalyze, asubscript] = builtinTypeProcs('_int4') ?? [0, 0, 0, 0, 0, 0, 0, 0];
  const acl = (t: Securable) => (ctx.roles && t.acl ? formatAcl(t, ctx.roles) : null);
  return [...ctx.catalog.domains.values()].flatMap((d) => {
    const ns = namespaceOid(ctx.catalog, d.schema);
    const info = TYPES.get(d.base.oid);
    const enumBase = info?.category === 'E' && !BUILTIN_TYPE_OIDS.has(d.base.oid);
    const [, output, , send] = enumBase ? ENUM_PROCS : builtinTypeProcs(info?.name ?? '') ?? [0, 0, 0, 0];
    const collation = d.collation === undefined ? typeCollation(info) : d.collation === 'C' ? COLL_C : COLL_DEFAULT;
    const typbasetype = d.base.domain ?? d.base.oid;
    const typtypmod = d.base.domain !== undefined ? -1 : d.base.typmod;
    return [
      [d.oid, d.name, ns, ownerOf(d), info?.len ?? -1, info?.byval ?? false, 'd', info?.category ?? 'U', false, true, ',', 0, 0, 0, d.arrayOid,
        DOMAIN_IN, output, DOMAIN_RECV, send, 0, 0, 0, info?.align ?? 'i', typeStorage(info), d.notNull, typbasetype, typtypmod, 0, collation,
        d.default ? d.default.sql : null, d.default ? d.default.sql : null, acl(d)],
      [d.arrayOid, '_' + d.name, ns, ownerOf(d), -1, false, 'b', 'A', false, true, ',', 0, asubscript, d.oid, 0, ain, aout, arecv, asend, 0, 0, aanalyze,
        info?.align === 'd' ? 'd' : 'i', 'x', false, 0, -1, 0, collation, null, null, acl(d)],
    ] as Row[];
  });
}

function userTables(c: Catalog): TableDef[] {
  return [...c.tables.values()];
}

/** pg_proc rows of CREATE FUNCTION … LANGUAGE sql functions (built-ins: builtin-proc-rows.ts). */
function userFunctionRows(catalog: Catalog, roles: Roles | undefined): Row[] {
  return [...catalog.functions.values()].map((f) => {
    const inTypes = f.params.map((p) => p.type.oid);
    const table = f.returns.kind === 'table' ? f.returns.columns : [];
    const named = f.params.some((p) => p.name) || table.length > 0;
    const rettype = f.returns.kind === 'table' ? OID.record : f.returns.type.oid;
    return [f.oid, f.name, namespaceOid(catalog, f.schema), ownerOf(f), 14, 100, f.returns.kind === 'scalar' ? 0 : 1000, 0, '-', 'f', false, false, false,
      f.returns.kind !== 'scalar', f.volatility, 'u', f.params.length, f.params.filter((p) => p.defaultAst !== undefined).length, rettype,
      inTypes, table.length ? [...inTypes, ...table.map((c) => c.type.oid)] : null, table.length ? [...f.params.map(() => 'i'), ...table.map(() => 't')] : null,
      named ? [...f.params.map((p) => p.name ?? ''), ...table.map((c) => c.name)] : null, argDefaults(f.params), null, f.body.sql ?? '', null, null, null, roles ? formatAcl(f, roles) : null] as Row;
  });
}

/** proargdefaults as pg_get_expr(proargdefaults, 0) prints the list: the DEFAULTs' texts joined by ", " (pgcli offers them in completion) */
function argDefaults(params: SqlFunctionDef['params']): string | null {
  const defaults = params.filter((p) => p.defaultAst !== undefined);
  if (defaults.length === 0 || defaults.some((p) => p.defaultSql === undefined)) return null;
  return defaults.map((p) => p.defaultSql).join(', ');
}

function namespaceOid(catalog: Catalog, schema: string): number {
  return catalog.namespaceOid(schema) ?? NAMESPACE.public;
}

function isCollatable(t: TypeInfo | undefined): boolean {
  return t !== undefined && t.category === 'S';
}

function typeCollation(t: TypeInfo | undefined): number {
  if (!t || !isCollatable(t)) return 0;
  return t.oid === OID.name ? COLL_C : COLL_DEFAULT;
}

/**
 * pg_type.typstorage: pgvector declares vector STORAGE = external; numeric is main;
 * int2vector, oidvector and tsquery are varlena but plain.
 */
function typeStorage(t: TypeInfo | undefined): string {
  if (!t) return 'p';
  if (t.oid === OID.vector || t.oid === OID.halfvec || t.oid === OID.sparsevec) return 'e';
  if (t.oid === OID.numeric) return 'm';
  if (t.oid === OID.int2vector || t.oid === OID.oidvector || t.oid === OID.tsquery) return 'p';
  return t.len === -1 ? 'x' : 'p';
}

/** Built-in rows (OID first, ACL last) with the ACLs GRANT / REVOKE gave them. */
function withBuiltinAcls(rows: Row[], acls: ReadonlyMap<number, BuiltinAclDef>, roles: Roles | undefined, defaults?: (oid: number) => AclItem[] | null): Row[] {
  if ((acls.size === 0 && !defaults) || !roles) return rows;
  return rows.map((r) => {
    const oid = r[0] as number;
    const def = acls.get(oid) ?? (defaults ? { oid, acl: defaults(oid) } : undefined);
    return def?.acl ? [...r.slice(0, -1), formatAcl(def, roles)] : r;
  });
}

/** pgvector's types (and their arrays): in schema public, the others in pg_catalog */
export function isVectorType(oid: number): boolean {
  return oid === OID.vector || oid === OID._vector || oid === OID.halfvec || oid === OID._halfvec || oid === OID.sparsevec || oid === OID._sparsevec;
}

/** relations PostgreSQL implements as views (relkind v); the rest are catalog tables (r) */
const SYSTEM_VIEWS = new Set(['pg_tables', 'pg_indexes', 'pg_settings', 'pg_roles', 'pg_user', 'pg_sequences', 'pg_policies', 'pg_views',
  'pg_matviews', 'pg_stat_user_indexes', 'pg_stat_user_tables', 'pg_statio_all_tables', 'pg_stat_activity', 'pg_cursors', 'pg_prepared_statements', 'pg_stats',
  'pg_hba_file_rules', 'pg_stat_progress_create_index', 'pg_stat_database_conflicts', 'pg_prepared_xacts',
  'pg_timezone_names', 'pg_timezone_abbrevs', 'pg_locks']);

/** information_schema.referential_constraints update_rule / delete_rule by pg_constraint action */
const FK_RULES: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** every database, templates included, in pg_database's order */
function databaseNames(ctx: Pick<SystemRelationContext, 'databases'>): string[] {
  const names = new Set(ctx.databases);
  names.add('template0');
  names.add('template1');
  return [...names].sort();
}

/** pg_database.oid of a database, given every database's name */
export function databaseOid(ctx: Pick<SystemRelationContext, 'databases'>, d: string): number {
  return d === 'postgres' ? 5 : d === 'template1' ? 1 : d === 'template0' ? 4 : 16000 + databaseNames(ctx).indexOf(d);
}

export function buildSystemRelations(): SystemRelation[] {
  const rels: SystemRelation[] = [];
  const add = (r: SystemRelation) => rels.push(r);

  // PostgreSQL's physical order (clients that forget ORDER BY see this order)
  add(rel('pg_catalog', 'pg_namespace', [['oid', oid], ['nspname', name], ['nspowner', oid], ['nspacl', aclitems]], (ctx) => {
    const boot = ctx.roles?.nameOf(ROLE.bootstrap) ?? ctx.user;
    const publicSchema = ctx.catalog.publicSchema;
    return [
      [NAMESPACE.pg_toast, 'pg_toast', ROLE.bootstrap, null],
      [NAMESPACE.pg_catalog, 'pg_catalog', ROLE.bootstrap, [`${boot}=UC/${boot}`, `=U/${boot}`]],
      [NAMESPACE.public, 'public', ownerOf(publicSchema), ctx.roles ? formatAcl(publicSchema, ctx.roles) : ['pg_database_owner=UC/pg_database_owner', '=U/pg_database_owner']],
      [NAMESPACE.information_schema, 'information_schema', ROLE.bootstrap, [`${boot}=UC/${boot}`, `=U/${boot}`]],
      // created schemas and the backends' temporary ones, in the order they were made
      ...[...ctx.catalog.schemas.values(), ...ctx.catalog.tempSchemas.values()].sort((a, b) => a.oid - b.oid)
        .map((s) => [s.oid, s.name, ownerOf(s), ctx.roles ? formatAcl(s, ctx.roles) : null] as Row),
    ];
  }, 2615));

  add(rel('pg_catalog', 'pg_type', [
    ['oid', oid], ['typname', name], ['typnamespace', oid], ['typowner', oid], ['typlen', int2], ['typbyval', bool],
    ['typtype', char], ['typcategory', char], ['typispreferred', bool], ['typisdefined', bool], ['typdelim', char],
    ['typrelid', oid], ['typsubscript', regproc], ['typelem', oid], ['typarray', oid], ['typinput', regproc], ['typoutput', regproc],
    ['typreceive', regproc], ['typsend', regproc], ['typmodin', regproc], ['typmodout', regproc], ['typanalyze', regproc], ['typalign', char],
    ['typstorage', char], ['typnotnull', bool], ['typbasetype', oid], ['typtypmod', int4], ['typndims', int4],
    ['typcollation', oid], ['typdefaultbin', nodeTree], ['typdefault', text], ['typacl', aclitems],
  ], (ctx) => {
    const rows: Row[] = [];
    for (const t of TYPES.values()) {
      // user-defined types (of any database) are listed below from this database's catalog
      if (!BUILTIN_TYPE_OIDS.has(t.oid)) continue;
      const ns = isVectorType(t.oid) ? NAMESPACE.public : NAMESPACE.pg_catalog;
      // unknown (category X) and record[] are pseudo-types too
      const pseudo = t.category === 'P' || t.oid === OID.unknown || t.oid === OID._record;
      const typtype = pseudo ? 'p' : isMultirangeType(t.oid) ? 'm' : t.category === 'R' ? 'r' : 'b';
      // PostgreSQL's typinput … typanalyze (int4in, vector_in, array_in for arrays: pgjdbc tests typinput = 'array_in'::regproc)
      const [input, output, receive, send, modin, modout, analyze, subscript] = builtinTypeProcs(t.name) ?? [0, 0, 0, 0, 0, 0, 0, 0];
      rows.push([
        t.oid, t.name, ns, ROLE.bootstrap, t.len, t.byval ?? false, typtype, t.oid === OID._record ? 'P' : t.category, t.preferred ?? false, true, t.delim ?? ',',
        0, subscript, t.elem ?? 0, t.array ?? 0, input, output, receive, send, modin, modout, analyze, t.align ?? 'i',
        typeStorage(t), false, 0, -1, 0, typeCollation(t), null, null, null,
      ]);
    }
    if (ctx.catalog.typeAcls.size > 0) rows.splice(0, rows.length, ...withBuiltinAcls(rows, ctx.catalog.typeAcls, ctx.roles));
    // a table's row type: record_in, record_out, record_recv, record_send
    const [input, output, receive, send] = builtinTypeProcs('record') ?? [0, 0, 0, 0];
    for (const tbl of userTables(ctx.catalog)) {
      rows.push([tbl.rowTypeOid, tbl.name, namespaceOid(ctx.catalog, tbl.schema), ROLE.bootstrap, -1, false, 'c', 'C', false, true, ',', tbl.oid, 0, 0, 0, input, output, receive, send, 0, 0, 0, 'd', 'x', false, 0, -1, 0, 0, null, null, null]);
    }
    rows.push(...enumTypeRows(ctx), ...domainTypeRows(ctx));
    return rows;
  }, 1247));

  add(rel('pg_catalog', 'pg_class', [
    ['oid', oid], ['relname', name], ['relnamespace', oid], ['reltype', oid], ['reloftype', oid], ['relowner', oid],
    ['relam', oid], ['relfilenode', oid], ['reltablespace', oid], ['relpages', int4], ['reltuples', float4],
    ['relallvisible', int4], ['reltoastrelid', oid], ['relhasindex', bool], ['relisshared', bool], ['relpersistence', char],
    ['relkind', char], ['relnatts', int2], ['relchecks', int2], ['relhasrules', bool], ['relhastriggers', bool],
    ['relhassubclass', bool], ['relrowsecurity', bool], ['relforcerowsecurity', bool], ['relispopulated', bool],
    ['relreplident', char], ['relispartition', bool], ['relrewrite', oid], ['relfrozenxid', T.int8], ['relminmxid', T.int8],
    ['relacl', aclitems], ['reloptions', T._text], ['relpartbound', nodeTree],
  ], (ctx) => {
    const rows: Row[] = [];
    const base = (o: number, n: string, ns: number, type: number, am: number, kind: string, natts: number, hasIndex: boolean, tuples: number, options: string[] | null, checks = 0, replident = 'd'): Row => [
      o, n, ns, type, 0, ROLE.bootstrap, am, o, 0, 0, tuples, 0, 0, hasIndex, false, 'p', kind, natts, checks, false, false, false, false, false, true, replident, false, 0, 0n, 0n, null, options, null,
    ];
    // relowner and relacl (aclitem text) of a user relation
    const owned = (row: Row, obj: Securable): Row => {
      row[5] = ownerOf(obj);
      row[30] = ctx.roles ? formatAcl(obj, ctx.roles) : null;
      return row;
    };
    const parents = new Set(userTables(ctx.catalog).map((t) => partitionOf(t)?.parent).filter((p) => p !== undefined));
    const withForeignKeys = new Set(userTables(ctx.catalog).flatMap((t) => t.constraints.filter((c) => c.type === 'f').flatMap((c) => [t.oid, c.refTable ?? 0])));
    for (const t of userTables(ctx.catalog)) {
      const am = t.kind === 'v' ? 0 : t.kind === 'p' ? 0 : AM.heap;
      const checks = t.constraints.filter((c) => c.type === 'c').length;
      const row = base(t.oid, t.name, namespaceOid(ctx.catalog, t.schema), t.rowTypeOid, am, t.kind, t.columns.length, t.indexes.length > 0, storesRows(t) ? recordedSize(t)?.tuples ?? -1 : -1, null, checks, t.kind === 'v' ? 'n' : 'd');
      const pages = storesRows(t) ? ctx.relationPages?.(t) : undefined;
      if (pages) {
        row[9] = pages.pages; // relpages
        row[11] = pages.allVisible; // relallvisible
      }
      row[20] = withForeignKeys.has(t.oid); // relhastriggers: PostgreSQL enforces foreign keys by triggers on both tables (pg_dump reads FKs of these only)
      row[21] = parents.has(t.oid); // relhassubclass
      row[22] = t.rowSecurity ?? false; // relrowsecurity
      row[23] = t.forceRowSecurity ?? false; // relforcerowsecurity
      row[24] = !t.unpopulated; // relispopulated: false for a materialized view made or refreshed WITH NO DATA
      if (partitionOf(t)) {
        row[26] = true; // relispartition
        row[32] = partitionBoundText(ctx.catalog, t);
      }
      const persistence = isTempSchema(t.schema) ? 't' : 'p';
      row[15] = persistence; // relpersistence
      rows.push(owned(row, t));
      for (const i of t.indexes) {
        const opts = Object.entries(i.options).map(([k, v]) => `${k}=${v}`);
        // an index of a partitioned table is a "partitioned index" (relkind I): its partitions' own indexes hold the rows
        const relkind = t.kind === 'p' ? 'I' : 'i';
        const row = base(i.oid, i.name, namespaceOid(ctx.catalog, t.schema), 0, AM[i.method] ?? AM.btree, relkind, i.columns.length, false, 0, opts.length ? opts : null, 0, 'n');
        if (i.parentIndex !== undefined) row[26] = true; // relispartition
        if ((i.method === 'btree' || i.method === 'hash') && relkind === 'i') {
          // as the last VACUUM, ANALYZE or CREATE INDEX recorded it (engine/relation-size.ts); never: an empty index's meta page
          const recorded = t.relStats?.indexes?.[i.oid] ?? { pages: i.method === 'hash' ? 0 : 1, tuples: i.method === 'hash' ? -1 : 0 };
          row[9] = recorded.pages; // relpages
          row[10] = recorded.tuples; // reltuples
        }
        row[15] = persistence;
        rows.push(owned(row, { owner: t.owner }));
      }
    }
    for (const s of ctx.catalog.sequences.values()) {
      const row = base(s.oid, s.name, namespaceOid(ctx.catalog, s.schema), 0, 0, 'S', 3, false, 1, null, 0, 'n');
      if (isTempSchema(s.schema)) row[15] = 't';
      rows.push(owned(row, s));
    }
    // a composite type's own relation (relkind 'c'): no storage, its attributes in pg_attribute
    for (const t of ctx.catalog.types.values()) {
      if (!t.attributes) continue;
      const row = base(t.relid ?? 0, t.name, namespaceOid(ctx.catalog, t.schema), t.oid, 0, 'c', t.attributes.length, false, -1, null, 0, 'n');
      row[7] = 0; // relfilenode
      rows.push(owned(row, { owner: t.owner }));
    }
    // System relations are left out of pg_class / pg_attribute while the executor joins
    // comma-separated FROM lists as cross products (clients join pg_class × pg_class ×
    // pg_index × pg_attribute; ~900 system columns made that tens of millions of rows).
    if (LIST_SYSTEM_RELATIONS) {
      for (const r of SYSTEM) {
        const view = r.schema === 'information_schema' || SYSTEM_VIEWS.has(r.name);
        rows.push(base(r.oid, r.name, namespaceOid(ctx.catalog, r.schema), 0, view ? 0 : AM.heap, view ? 'v' : 'r', r.columns.length, false, 0, null, 0, view ? 'n' : 'd'));
      }
    }
    return rows;
  }, 1259));

  add(rel('pg_catalog', 'pg_attribute', [
    ['attrelid', oid], ['attname', name], ['atttypid', oid], ['attstattarget', int4], ['attlen', int2], ['attnum', int2],
    ['attndims', int4], ['attcacheoff', int4], ['atttypmod', int4], ['attbyval', bool], ['attalign', char], ['attstorage', char],
    ['attcompression', char], ['attnotnull', bool], ['atthasdef', bool], ['atthasmissing', bool], ['attidentity', char],
    ['attgenerated', char], ['attisdropped', bool], ['attislocal', bool], ['attinhcount', int4], ['attcollation', oid],
    ['attacl', aclitems], ['attoptions', T._text], ['attfdwoptions', T._text], ['attmissingval', T._text],
  ], (ctx) => {
    const rows: Row[] = [];
    const attr = (relid: number, attname: string, type: SqlType, attnum: number, notNull: boolean, hasDef: boolean, identity: string, generated = ''): Row => {
      const info = TYPES.get(type.oid);
      // a column of a domain: the domain's OID, its typmod is the domain's own (-1)
      return [relid, attname, type.domain ?? type.oid, -1, info?.len ?? -1, attnum, info?.category === 'A' ? 1 : 0, -1, type.domain !== undefined ? -1 : type.typmod, info?.byval ?? false,
        info?.align ?? 'i', typeStorage(info), '', notNull, hasDef, false, identity, generated, false, true, 0, typeCollation(info), null, null, null, null];
    };
    for (const t of userTables(ctx.catalog)) {
      t.columns.forEach((c, i) => {
        const row = attr(t.oid, c.name, c.type, i + 1, c.notNull, c.defaultExpr !== null && !c.identity, c.identity ?? '', c.generated ?? '');
        if (c.acl && ctx.roles) row[22] = formatAcl(c, ctx.roles); // attacl
        rows.push(row);
      });
      for (const idx of t.indexes) {
        idx.columns.forEach((ci, i) => {
          const c = idx.expression ?? t.columns[ci];
          rows.push(attr(idx.oid, c.name, c.type, i + 1, false, false, ''));
        });
      }
    }
    for (const s of ctx.catalog.sequences.values()) {
      rows.push(attr(s.oid, 'last_value', T.int8, 1, true, false, ''), attr(s.oid, 'log_cnt', T.int8, 2, true, false, ''), attr(s.oid, 'is_called', T.bool, 3, true, false, ''));
    }
    for (const t of ctx.catalog.types.values()) t.attributes?.forEach((a, i) => rows.push(attr(t.relid ?? 0, a.name, a.type, i + 1, false, false, '')));
    if (LIST_SYSTEM_RELATIONS) for (const r of SYSTEM) r.columns.forEach((c, i) => rows.push(attr(r.oid, c.name, c.type, i + 1, false, false, '')));
    return rows;
  }, 1249));

  add(rel('pg_catalog', 'pg_attrdef', [['oid', oid], ['adrelid', oid], ['adnum', int2], ['adbin', nodeTree]], (ctx) => {
    const rows: Row[] = [];
    for (const t of userTables(ctx.catalog)) {
      t.columns.forEach((c, i) => {
        if (c.defaultExpr && !c.identity) rows.push([attrdefOid(t.oid, i + 1), t.oid, i + 1, columnDefaultSql(c)]);
      });
    }
    return rows;
  }, 2604));

  add(rel('pg_catalog', 'pg_index', [
    ['indexrelid', oid], ['indrelid', oid], ['indnatts', int2], ['indnkeyatts', int2], ['indisunique', bool],
    ['indnullsnotdistinct', bool], ['indisprimary', bool], ['indisexclusion', bool], ['indimmediate', bool],
    ['indisclustered', bool], ['indisvalid', bool], ['indcheckxmin', bool], ['indisready', bool], ['indislive', bool],
    ['indisreplident', bool], ['indkey', int2vector], ['indcollation', oidvector], ['indclass', oidvector],
    ['indoption', int2vector], ['indexprs', nodeTree], ['indpred', nodeTree],
  ], (ctx) => {
    const rows: Row[] = [];
    // as in PostgreSQL, an index CREATE INDEX CONCURRENTLY is building is neither valid nor ready yet
    const building = new Set((ctx.createIndexProgress?.() ?? []).filter((p) => p.command === 'CREATE INDEX CONCURRENTLY').map((p) => p.indexRelid));
    for (const t of userTables(ctx.catalog)) {
      for (const i of t.indexes) {
        const types = i.columns.map((c) => (i.expression ?? t.columns[c]).type.oid);
        const done = !building.has(i.oid);
        // an expression key is attribute 0, its expression in indexprs (as SQL text, like adbin here)
        // INCLUDE columns follow the keys in indkey (indnatts), with no operator class, collation or option
        const include = i.include ?? [];
        rows.push([i.oid, t.oid, i.columns.length + include.length, i.columns.length, i.unique, !!i.nullsNotDistinct, i.primary, false, true, false, done, false, done, true, false,
          [...i.columns.map((c) => (i.expression ? 0 : c + 1)), ...include.map((c) => c + 1)], types.map((ty) => typeCollation(TYPES.get(ty))), types.map((ty, k) => opclassOid(i.method, i.opclasses[k], ty)),
          i.columns.map(() => 0), i.expression?.sql ?? null, i.predicatePlainSql ?? i.predicateSql ?? null]);
      }
    }
    return rows;
  }, 2610));

  add(rel('pg_catalog', 'pg_constraint', [
    ['oid', oid], ['conname', name], ['connamespace', oid], ['contype', char], ['condeferrable', bool], ['condeferred', bool],
    ['convalidated', bool], ['conrelid', oid], ['contypid', oid], ['conindid', oid], ['conparentid', oid], ['confrelid', oid],
    ['confupdtype', char], ['confdeltype', char], ['confmatchtype', char], ['conislocal', bool], ['coninhcount', int4],
    ['connoinherit', bool], ['conkey', T._int2], ['confkey', T._int2], ['conpfeqop', T._oid], ['conppeqop', T._oid],
    ['conffeqop', T._oid], ['confdelsetcols', T._int2], ['conexclop', T._oid], ['conbin', nodeTree],
  ], (ctx) => {
    const rows: Row[] = [];
    for (const t of userTables(ctx.catalog)) {
      for (const c of t.constraints) {
        const fk = c.type === 'f';
        rows.push([c.oid, c.name, namespaceOid(ctx.catalog, t.schema), c.type, false, false, !c.notValid, t.oid, 0, c.indexOid ?? c.refIndex ?? 0, 0, c.refTable ?? 0,
          fk ? c.onUpdate ?? 'a' : ' ', fk ? c.onDelete ?? 'a' : ' ', fk ? c.match ?? 's' : ' ', true, 0, c.type === 'c' ? false : true, c.columns.map((x) => x + 1), c.refColumns ? c.refColumns.map((x) => x + 1) : null, null, null, null, null, null,
          c.type === 'c' ? c.checkPlainSql ?? c.checkSql ?? null : null]);
      }
    }
    // a domain's CHECKs: contypid set, conrelid 0
    for (const d of ctx.catalog.domains.values()) {
      for (const c of d.constraints) {
        rows.push([c.oid, c.name, namespaceOid(ctx.catalog, d.schema), 'c', false, false, !c.notValid, 0, d.oid, 0, 0, 0, ' ', ' ', ' ', true, 0, false, null, null, null, null, null, null, null, c.checkPlainSql]);
      }
    }
    return rows;
  }, 2606));

  add(rel('pg_catalog', 'pg_am', [['oid', oid], ['amname', name], ['amhandler', regproc], ['amtype', char]], () => [
    [2, 'heap', 3, 't'], [403, 'btree', 330, 'i'], [405, 'hash', 331, 'i'], [2742, 'gin', amHandlerOid('ginhandler'), 'i'], [AM.hnsw, 'hnsw', amHandlerOid('hnswhandler'), 'i'], [AM.ivfflat, 'ivfflat', amHandlerOid('ivfflathandler'), 'i'],
  ], 2601));

  add(rel('pg_catalog', 'pg_opclass', [['oid', oid], ['opcmethod', oid], ['opcname', name], ['opcnamespace', oid], ['opcowner', oid],
    ['opcfamily', oid], ['opcintype', oid], ['opcdefault', bool], ['opckeytype', oid]], (ctx) => opclassRows(ctx.catalog.extensions.has('vector')), 2616));
  add(rel('pg_catalog', 'pg_opfamily', [['oid', oid], ['opfmethod', oid], ['opfname', name], ['opfnamespace', oid], ['opfowner', oid]], (ctx) => opfamilyRows(ctx.catalog.extensions.has('vector')), 2753));
  add(rel('pg_catalog', 'pg_amop', [['oid', oid], ['amopfamily', oid], ['amoplefttype', oid], ['amoprighttype', oid], ['amopstrategy', int2],
    ['amoppurpose', char], ['amopopr', oid], ['amopmethod', oid], ['amopsortfamily', oid]], (ctx) => amopRows(ctx.catalog.extensions.has('vector')), 2602));
  add(rel('pg_catalog', 'pg_amproc', [['oid', oid], ['amprocfamily', oid], ['amproclefttype', oid], ['amprocrighttype', oid], ['amprocnum', int2],
    ['amproc', regproc]], (ctx) => amprocRows(ctx.catalog.extensions.has('vector')), 2603));

  add(rel('pg_catalog', 'pg_database', [
    ['oid', oid], ['datname', name], ['datdba', oid], ['encoding', int4], ['datlocprovider', char], ['datistemplate', bool],
    ['datallowconn', bool], ['datconnlimit', int4], ['datfrozenxid', T.int8], ['datminmxid', T.int8], ['dattablespace', oid],
    ['datcollate', text], ['datctype', text], ['daticulocale', text], ['datcollversion', text], ['datacl', aclitems],
  ], (ctx) => {
    const templateAcl = ['=c/postgres', 'postgres=CTc/postgres'];
    return databaseNames(ctx).map((d) => {
      const template = d === 'template0' || d === 'template1';
      const o = databaseOid(ctx, d);
      // GRANT … ON DATABASE: datdba and datacl kept with the roles
      const privs = ctx.roles?.databases[d];
      const acl = privs?.acl && ctx.roles ? formatAcl(privs, ctx.roles) : template ? templateAcl : null;
      return [o, d, privs ? ownerOf(privs) : ROLE.bootstrap, 6, 'c', template, d !== 'template0', -1, 0n, 0n, TABLESPACE_DEFAULT, 'C', 'C', null, null, acl] as Row;
    });
  }, 1262));

  add(rel('pg_catalog', 'pg_extension', [
    ['oid', oid], ['extname', name], ['extowner', oid], ['extnamespace', oid], ['extrelocatable', bool], ['extversion', text],
    ['extconfig', T._oid], ['extcondition', T._text],
  ], (ctx) => [
    [PLPGSQL_OID, 'plpgsql', ROLE.bootstrap, NAMESPACE.pg_catalog, false, '1.0', null, null],
    ...[...ctx.catalog.extensions.values()].filter((e) => e.name !== 'plpgsql').map((e) => [e.oid, e.name, ROLE.bootstrap, NAMESPACE.public, true, e.version, null, null] as Row),
  ], 3079));

  add(rel('pg_catalog', 'pg_settings', [['name', text], ['setting', text], ['unit', text], ['category', text], ['short_desc', text], ['extra_desc', text],
    ['context', text], ['vartype', text], ['source', text], ['min_val', text], ['max_val', text], ['enumvals', T._text], ['boot_val', text],
    ['reset_val', text], ['sourcefile', text], ['sourceline', int4], ['pending_restart', bool]],
  (ctx) => ctx.allSettings().map((s) => [s.name, s.setting, s.unit, s.category, s.shortDesc, s.extraDesc, s.context, s.vartype, s.source,
    s.minVal, s.maxVal, s.enumvals ? [...s.enumvals] : null, s.bootVal, s.resetVal, null, null, false])));

  const userCols: Cols = [['usename', name], ['usesysid', oid], ['usecreatedb', bool], ['usesuper', bool], ['userepl', bool], ['usebypassrls', bool],
    ['passwd', text], ['valuntil', T.timestamptz], ['useconfig', T._text]];
  const roleCols: Cols = [['rolname', name], ['rolsuper', bool], ['rolinherit', bool], ['rolcreaterole', bool], ['rolcreatedb', bool],
    ['rolcanlogin', bool], ['rolreplication', bool], ['rolconnlimit', int4], ['rolpassword', text], ['rolvaliduntil', T.timestamptz], ['rolbypassrls', bool], ['rolconfig', T._text], ['oid', oid]];
  add(rel('pg_catalog', 'pg_roles', roleCols, pgRolesRows));
  add(rel('pg_catalog', 'pg_authid', [['oid', oid], ['rolname', name], ['rolsuper', bool], ['rolinherit', bool], ['rolcreaterole', bool], ['rolcreatedb', bool],
    ['rolcanlogin', bool], ['rolreplication', bool], ['rolbypassrls', bool], ['rolconnlimit', int4], ['rolpassword', text], ['rolvaliduntil', T.timestamptz]],
  pgAuthidRows, 1260));
  add(rel('pg_catalog', 'pg_user', userCols, (ctx) => pgUserRows(ctx, false)));
  add(rel('pg_catalog', 'pg_default_acl', [['oid', oid], ['defaclrole', oid], ['defaclnamespace', oid], ['defaclobjtype', char], ['defaclacl', aclitems]],
    (ctx) => ctx.catalog.defaultAcls.map((d) => [d.oid, d.role, d.schema === '' ? 0 : namespaceOid(ctx.catalog, d.schema), d.objtype, ctx.roles ? formatAcl(d, ctx.roles) : null]), 826));
  add(rel('information_schema', 'routine_privileges', [['grantor', name], ['grantee', name], ['specific_catalog', name], ['specific_schema', name],
    ['specific_name', name], ['routine_catalog', name], ['routine_schema', name], ['routine_name', name], ['privilege_type', varchar], ['is_grantable', varchar]],
  routinePrivilegeRows));
  add(rel('information_schema', 'column_privileges', [['grantor', name], ['grantee', name], ['table_catalog', name], ['table_schema', name], ['table_name', name],
    ['column_name', name], ['privilege_type', varchar], ['is_grantable', varchar]], (ctx) => columnPrivilegeRows(ctx, userTables(ctx.catalog))));
  add(rel('pg_catalog', 'pg_db_role_setting', [['setdatabase', oid], ['setrole', oid], ['setconfig', T._text]], (ctx) => pgDbRoleSettingRows(ctx, (d) => databaseOid(ctx, d)), 2964));
  add(rel('pg_catalog', 'pg_auth_members', [['roleid', oid], ['member', oid], ['grantor', oid], ['admin_option', bool]], pgAuthMembersRows, 1261));

  add(rel('pg_catalog', 'pg_proc', [['oid', oid], ['proname', name], ['pronamespace', oid], ['proowner', oid], ['prolang', oid], ['procost', float4],
    ['prorows', float4], ['provariadic', oid], ['prosupport', regproc], ['prokind', char], ['prosecdef', bool], ['proleakproof', bool], ['proisstrict', bool],
    ['proretset', bool], ['provolatile', char], ['proparallel', char], ['pronargs', int2], ['pronargdefaults', int2], ['prorettype', oid],
    ['proargtypes', oidvector], ['proallargtypes', T._oid], ['proargmodes', sqlType(OID._char)], ['proargnames', T._text], ['proargdefaults', nodeTree],
    ['protrftypes', T._oid], ['prosrc', text], ['probin', text], ['prosqlbody', nodeTree], ['proconfig', T._text], ['proacl', aclitems]],
    (ctx) => [...withBuiltinAcls(builtinProcRows(ctx.catalog.extensions.has('vector')), ctx.catalog.procAcls, ctx.roles, builtinProcDefaultAcl), ...userFunctionRows(ctx.catalog, ctx.roles)], 1255));
  add(rel('pg_catalog', 'pg_operator', [['oid', oid], ['oprname', name], ['oprnamespace', oid], ['oprowner', oid], ['oprkind', char], ['oprcanmerge', bool],
    ['oprcanhash', bool], ['oprleft', oid], ['oprright', oid], ['oprresult', oid], ['oprcom', oid], ['oprnegate', oid], ['oprcode', regproc], ['oprrest', regproc],
    ['oprjoin', regproc]], (ctx) => builtinOperatorRows(ctx.catalog.extensions.has('vector')), 2617));
  add(rel('pg_catalog', 'pg_language', [['oid', oid], ['lanname', name], ['lanowner', oid], ['lanispl', bool], ['lanpltrusted', bool], ['lanplcallfoid', oid],
    ['laninline', oid], ['lanvalidator', oid], ['lanacl', aclitems]], () => [[12, 'internal', 10, false, false, 0, 0, 2246, null], [13, 'c', 10, false, false, 0, 0, 2247, null],
    [14, 'sql', 10, false, true, 0, 0, 2248, null], [13540, 'plpgsql', 10, true, true, 0, 0, 0, null]], 2612));

  add(rel('pg_catalog', 'pg_description', [['objoid', oid], ['classoid', oid], ['objsubid', int4], ['description', text]], (ctx) => [...descriptions(ctx.catalog), ...builtinDescriptionRows(ctx.catalog.extensions.has('vector'))], 2609));
  add(rel('pg_catalog', 'pg_shdescription', [['objoid', oid], ['classoid', oid], ['description', text]], () => [[1, CLASS_OID.pg_database, 'default template for new databases'],
    [5, CLASS_OID.pg_database, 'default administrative connection database']], 2396));
  add(rel('pg_catalog', 'pg_enum', [['oid', oid], ['enumtypid', oid], ['enumsortorder', float4], ['enumlabel', name]],
    (ctx) => [...ctx.catalog.types.values()].flatMap((t) => t.labels.map((l) => [l.oid, t.oid, l.sortOrder, l.label] as Row)), 3501));
  add(rel('pg_catalog', 'pg_range', [['rngtypid', oid], ['rngsubtype', oid], ['rngmultitypid', oid], ['rngcollation', oid], ['rngsubopc', oid], ['rngcanonical', regproc], ['rngsubdiff', regproc]],
    () => [...RANGE_TYPES.values()].map((r) => [r.oid, r.subtype, r.multirange, 0, r.subopc, r.canonicalProc, r.subdiffProc] as Row), 3541));
  add(rel('pg_catalog', 'pg_inherits', [['inhrelid', oid], ['inhparent', oid], ['inhseqno', int4], ['inhdetachpending', bool]],
    (ctx) => [
      ...userTables(ctx.catalog).filter((t) => partitionOf(t)).map((t) => [t.oid, partitionOf(t)!.parent, 1, false] as Row),
      // a partition's index made for (or attached to) its partitioned table's index
      ...userTables(ctx.catalog).flatMap((t) => t.indexes.filter((i) => i.parentIndex !== undefined).map((i) => [i.oid, i.parentIndex!, 1, false] as Row)),
    ], 2611));
  add(rel('pg_catalog', 'pg_partitioned_table', [['partrelid', oid], ['partstrat', char], ['partnatts', int2], ['partdefid', oid], ['partattrs', int2vector],
    ['partclass', oidvector], ['partcollation', oidvector], ['partexprs', nodeTree]], (ctx) => userTables(ctx.catalog).filter((t) => t.partition).map((t) => {
    const p = t.partition!;
    const types = p.columns.map((c) => t.columns[c].type.oid);
    return [t.oid, p.strategy[0], p.columns.length, 0, p.columns.map((c) => c + 1), types.map((ty) => BTREE_OPCLASSES[ty]?.[0] ?? 0), types.map((ty) => typeCollation(TYPES.get(ty))), null] as Row;
  }), 3350));
  add(rel('pg_catalog', 'pg_sequence', [['seqrelid', oid], ['seqtypid', oid], ['seqstart', int8], ['seqincrement', int8], ['seqmax', int8], ['seqmin', int8], ['seqcache', int8], ['seqcycle', bool]],
    (ctx) => [...ctx.catalog.sequences.values()].map((s) => [s.oid, s.type.oid, s.start, s.increment, s.max, s.min, s.cache ?? 1n, s.cycle]), 2224));
  add(rel('pg_catalog', 'pg_sequences', [['schemaname', name], ['sequencename', name], ['sequenceowner', name], ['data_type', T.regtype], ['start_value', int8],
    ['min_value', int8], ['max_value', int8], ['increment_by', int8], ['cycle', bool], ['cache_size', int8], ['last_value', int8]],
  (ctx) => [...ctx.catalog.sequences.values()].map((s) => [s.schema, s.name, ctx.user, s.type.oid, s.start, s.min, s.max, s.increment, s.cycle, s.cache ?? 1n, s.isCalled ? s.last : null])));
  add(rel('pg_catalog', 'pg_collation', [['oid', oid], ['collname', name], ['collnamespace', oid], ['collowner', oid], ['collprovider', char],
    ['collisdeterministic', bool], ['collencoding', int4], ['collcollate', text], ['collctype', text], ['colliculocale', text], ['collversion', text]],
  builtinCollationRows, 3456));
  add(rel('pg_catalog', 'pg_cast', [['oid', oid], ['castsource', oid], ['casttarget', oid], ['castfunc', oid], ['castcontext', char], ['castmethod', char]],
    (ctx) => builtinCastRows(ctx.catalog.extensions.has('vector')), 2605));
  add(rel('pg_catalog', 'pg_aggregate', [['aggfnoid', regproc], ['aggkind', char], ['aggnumdirectargs', int2], ['aggtransfn', regproc], ['aggfinalfn', regproc],
    ['aggcombinefn', regproc], ['aggserialfn', regproc], ['aggdeserialfn', regproc], ['aggmtransfn', regproc], ['aggminvtransfn', regproc], ['aggmfinalfn', regproc],
    ['aggfinalextra', bool], ['aggmfinalextra', bool], ['aggfinalmodify', char], ['aggmfinalmodify', char], ['aggsortop', oid], ['aggtranstype', oid],
    ['aggtransspace', int4], ['aggmtranstype', oid], ['aggmtransspace', int4], ['agginitval', text], ['aggminitval', text]],
  (ctx) => builtinAggregateRows(ctx.catalog.extensions.has('vector')), 2600));
  add(rel('pg_catalog', 'pg_tablespace', [['oid', oid], ['spcname', name], ['spcowner', oid], ['spcacl', aclitems], ['spcoptions', T._text]], () => [
    [TABLESPACE_DEFAULT, 'pg_default', ROLE.bootstrap, null, null], [1664, 'pg_global', ROLE.bootstrap, null, null],
  ], 1213));

  // features Quiver does not have: present and empty
  // row-level security policies (CREATE POLICY): polqual / polwithcheck hold the expression's text, as adbin does
  const POLICY_COMMANDS: Readonly<Record<string, string>> = { '*': 'ALL', r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE' };
  const policies = (ctx: SystemRelationContext) => userTables(ctx.catalog).flatMap((t) => (t.policies ?? []).map((p) => ({ t, p })));
  add(rel('pg_catalog', 'pg_policy', [['oid', oid], ['polname', name], ['polrelid', oid], ['polcmd', char], ['polpermissive', bool], ['polroles', T._oid],
    ['polqual', nodeTree], ['polwithcheck', nodeTree]],
  (ctx) => policies(ctx).map(({ t, p }) => [p.oid, p.name, t.oid, p.command, p.permissive, [...p.roles], p.using?.sql ?? null, p.check?.sql ?? null]), 3256));
  add(rel('pg_catalog', 'pg_policies', [['schemaname', name], ['tablename', name], ['policyname', name], ['permissive', text], ['roles', T._name], ['cmd', text],
    ['qual', text], ['with_check', text]],
  (ctx) => policies(ctx).map(({ t, p }) => [t.schema, t.name, p.name, p.permissive ? 'PERMISSIVE' : 'RESTRICTIVE',
    p.roles.map((r) => (r === 0 ? 'public' : ctx.roles?.nameOf(r) ?? String(r))).sort(), POLICY_COMMANDS[p.command], p.using?.sql ?? null, p.check?.sql ?? null])));
  add(rel('pg_catalog', 'pg_statistic_ext', [['oid', oid], ['stxrelid', oid], ['stxname', name], ['stxnamespace', oid], ['stxowner', oid], ['stxstattarget', int4],
    ['stxkeys', int2vector], ['stxkind', sqlType(OID._char)], ['stxexprs', nodeTree]], () => [], 3381));
  add(rel('pg_catalog', 'pg_publication', [['oid', oid], ['pubname', name], ['pubowner', oid], ['puballtables', bool], ['pubinsert', bool], ['pubupdate', bool],
    ['pubdelete', bool], ['pubtruncate', bool], ['pubviaroot', bool]], () => [], 6104));
  add(rel('pg_catalog', 'pg_publication_namespace', [['oid', oid], ['pnpubid', oid], ['pnnspid', oid]], () => [], 6237));
  add(rel('pg_catalog', 'pg_publication_rel', [['oid', oid], ['prpubid', oid], ['prrelid', oid], ['prqual', nodeTree], ['prattrs', int2vector]], () => [], 6106));
  add(rel('pg_catalog', 'pg_trigger', [['oid', oid], ['tgrelid', oid], ['tgparentid', oid], ['tgname', name], ['tgfoid', oid], ['tgtype', int2], ['tgenabled', char],
    ['tgisinternal', bool], ['tgconstrrelid', oid], ['tgconstrindid', oid], ['tgconstraint', oid], ['tgdeferrable', bool], ['tginitdeferred', bool], ['tgnargs', int2],
    ['tgattr', int2vector], ['tgargs', T.bytea], ['tgqual', nodeTree], ['tgoldtable', name], ['tgnewtable', name]], () => [], 2620));
  // a view's query is its ON SELECT DO INSTEAD rule "_RETURN" (its OID: the view's row type OID, unique among rules)
  add(rel('pg_catalog', 'pg_rewrite', [['oid', oid], ['rulename', name], ['ev_class', oid], ['ev_type', char], ['ev_enabled', char], ['is_instead', bool],
    ['ev_qual', nodeTree], ['ev_action', nodeTree]], (ctx) => userTables(ctx.catalog).filter((t) => t.kind === 'v').map((v) => [v.rowTypeOid, '_RETURN', v.oid, '1', 'O', true, null, null] as Row), 2618));
  add(rel('pg_catalog', 'pg_depend', [['classid', oid], ['objid', oid], ['objsubid', int4], ['refclassid', oid], ['refobjid', oid], ['refobjsubid', int4], ['deptype', char]], (ctx) => {
    const rows: Row[] = [];
    // sequences owned by serial (auto) and identity (internal) columns: pg_dump's OWNED BY, clients' serial lookups
    for (const s of ctx.catalog.sequences.values()) {
      if (!s.ownedBy) continue;
      const identity = ctx.catalog.tables.get(s.ownedBy.table)?.columns[s.ownedBy.column]?.identity;
      rows.push([CLASS_OID.pg_class, s.oid, 0, CLASS_OID.pg_class, s.ownedBy.table, s.ownedBy.column + 1, identity ? 'i' : 'a']);
    }
    // a default depends on its column (auto) and on the sequence it reads: pg_dump then sets a serial's default after CREATE SEQUENCE
    for (const t of userTables(ctx.catalog)) {
      t.columns.forEach((c, i) => {
        if (!c.defaultExpr || c.identity) return;
        const ad = attrdefOid(t.oid, i + 1);
        rows.push([CLASS_OID.pg_attrdef, ad, 0, CLASS_OID.pg_class, t.oid, i + 1, 'a']);
        for (const m of c.defaultExpr.sql.matchAll(/nextval\('((?:[^']|'')*)'::regclass\)/g)) {
          const parts = m[1].replace(/''/g, "'").split('.').map((x) => x.replace(/^"(.*)"$/, '$1'));
          const seq = ctx.catalog.findSequence(parts.length > 1 ? parts[0] : t.schema, parts[parts.length - 1]);
          if (seq) rows.push([CLASS_OID.pg_attrdef, ad, 0, CLASS_OID.pg_class, seq.oid, 0, 'n']);
        }
      });
    }
    // a view's rule depends on the view (internal) and on the columns it reads: pg_dump orders views after their tables by these
    for (const v of userTables(ctx.catalog)) {
      if (v.kind !== 'v') continue;
      rows.push([CLASS_OID.pg_rewrite, v.rowTypeOid, 0, CLASS_OID.pg_class, v.oid, 0, 'i']);
      for (const d of viewDependencies(ctx.catalog, v)) rows.push([CLASS_OID.pg_rewrite, v.rowTypeOid, 0, d.classid, d.objid, d.objsubid, 'n']);
    }
    // pgvector's objects are members of the vector extension once it is created (pg_dump then dumps CREATE EXTENSION, not them)
    const ext = ctx.catalog.extensions.get('vector');
    if (ext) {
      const member = (classid: number, objid: number) => rows.push([classid, objid, 0, CLASS_OID.pg_extension, ext.oid, 0, 'e']);
      for (const t of [OID.vector, OID.halfvec, OID.sparsevec]) member(CLASS_OID.pg_type, t);
      member(CLASS_OID.pg_am, AM.hnsw);
      member(CLASS_OID.pg_am, AM.ivfflat);
      for (const o of VECTOR_OPCLASSES) member(CLASS_OID.pg_opclass, o.oid);
      for (const o of VECTOR_OPCLASSES) member(CLASS_OID.pg_opfamily, o.oid);
      for (const f of pgvectorProcOids()) member(CLASS_OID.pg_proc, f);
      for (const o of pgvectorOperatorOids()) member(CLASS_OID.pg_operator, o);
      for (const c of pgvectorCastOids()) member(CLASS_OID.pg_cast, c);
    }
    return rows;
  }, 2608));
  add(rel('pg_catalog', 'pg_init_privs', [['objoid', oid], ['classoid', oid], ['objsubid', int4], ['privtype', char], ['initprivs', aclitems]], (ctx) => [
    [NAMESPACE.pg_catalog, CLASS_OID.pg_namespace, 0, 'i', [`${ctx.user}=UC/${ctx.user}`, `=U/${ctx.user}`]],
    [NAMESPACE.public, CLASS_OID.pg_namespace, 0, 'i', ['pg_database_owner=UC/pg_database_owner', '=U/pg_database_owner']],
  ], 3394));
  for (const e of EMPTY_CATALOGS) add(rel('pg_catalog', e.name, e.columns, () => [], e.oid));
  // the session's open SQL cursors (psycopg checks it before closing a server-side cursor)
  add(rel('pg_catalog', 'pg_cursors', [['name', text], ['statement', text], ['is_holdable', bool], ['is_binary', bool], ['is_scrollable', bool], ['creation_time', T.timestamptz]],
    (ctx) => (ctx.cursors?.() ?? []).map((c) => [c.name, c.statement, c.holdable, c.binary, c.scrollable, c.created])));

  // PREPARE's statements and the connection's Parse-prepared ones
  add(rel('pg_catalog', 'pg_prepared_statements', [['name', text], ['statement', text], ['prepare_time', T.timestamptz], ['parameter_types', sqlType(OID._regtype)],
    ['from_sql', bool], ['generic_plans', T.int8], ['custom_plans', T.int8]],
  (ctx) => (ctx.preparedStatements?.() ?? []).map((p) => [p.name, p.statement, p.prepared, [...p.paramTypes], p.fromSql, 0, 0])));

  // PREPARE TRANSACTION's transactions not yet committed or rolled back, in any database (owner and database joined as the view does)
  add(rel('pg_catalog', 'pg_prepared_xacts', [['transaction', sqlType(OID.xid)], ['gid', text], ['prepared', T.timestamptz], ['owner', name], ['database', name]],
    (ctx) => (ctx.preparedXacts?.() ?? []).map((p) => [p.id, p.gid, p.preparedAt, ctx.roles?.get(p.owner)?.name ?? null, ctx.databases.includes(p.database) ? p.database : null])));

  add(rel('pg_catalog', 'pg_views', [['schemaname', name], ['viewname', name], ['viewowner', name], ['definition', text]],
    (ctx) => userTables(ctx.catalog).filter((t) => t.kind === 'v').map((t) => [t.schema, t.name, ctx.user, t.view ? `${viewDefinitionText(ctx.catalog, ALL_VISIBLE, t, false)};` : null])));

  add(rel('pg_catalog', 'pg_tables', [['schemaname', name], ['tablename', name], ['tableowner', name], ['tablespace', name], ['hasindexes', bool], ['hasrules', bool], ['hastriggers', bool], ['rowsecurity', bool]],
    (ctx) => userTables(ctx.catalog).filter((t) => t.kind === 'r' || t.kind === 'p').map((t) => [t.schema, t.name, ctx.roles?.nameOf(ownerOf(t)) ?? ctx.user, null, t.indexes.length > 0, false, false, t.rowSecurity ?? false])));
  add(rel('pg_catalog', 'pg_matviews', [['schemaname', name], ['matviewname', name], ['matviewowner', name], ['tablespace', name], ['hasindexes', bool], ['ispopulated', bool], ['definition', text]],
    (ctx) => userTables(ctx.catalog).filter((t) => t.kind === 'm').map((t) => [t.schema, t.name, ctx.roles?.nameOf(ownerOf(t)) ?? ctx.user, null, t.indexes.length > 0, !t.unpopulated, t.view ? `${viewDefinitionText(ctx.catalog, ALL_VISIBLE, t, false)};` : null])));
  add(rel('pg_catalog', 'pg_indexes', [['schemaname', name], ['tablename', name], ['indexname', name], ['tablespace', name], ['indexdef', text]],
    (ctx) => userTables(ctx.catalog).flatMap((t) => t.indexes.map((i) => [t.schema, t.name, i.name, null, indexDef(t, i)] as Row))));
  add(rel('pg_catalog', 'pg_stat_user_indexes', [['relid', oid], ['indexrelid', oid], ['schemaname', name], ['relname', name], ['indexrelname', name],
    ['idx_scan', int8], ['idx_tup_read', int8], ['idx_tup_fetch', int8]],
  (ctx) => userTables(ctx.catalog).flatMap((t) => t.indexes.map((i) => [t.oid, i.oid, t.schema, t.name, i.name, 0n, 0n, 0n] as Row))));
  add(rel('pg_catalog', 'pg_stat_user_tables', [['relid', oid], ['schemaname', name], ['relname', name], ['seq_scan', int8], ['seq_tup_read', int8], ['idx_scan', int8],
    ['idx_tup_fetch', int8], ['n_tup_ins', int8], ['n_tup_upd', int8], ['n_tup_del', int8], ['n_tup_hot_upd', int8], ['n_live_tup', int8], ['n_dead_tup', int8],
    ['n_mod_since_analyze', int8], ['n_ins_since_vacuum', int8], ['last_vacuum', T.timestamptz], ['last_autovacuum', T.timestamptz], ['last_analyze', T.timestamptz],
    ['last_autoanalyze', T.timestamptz], ['vacuum_count', int8], ['autovacuum_count', int8], ['analyze_count', int8], ['autoanalyze_count', int8]],
  (ctx) => userTables(ctx.catalog).filter(storesRows).map((t) => {
    const n = BigInt(ctx.rowCount(t.oid));
    const st = t.stats;
    const sinceAnalyze = st ? BigInt(Math.abs(ctx.rowCount(t.oid) - st.reltuples)) : n;
    return [t.oid, t.schema, t.name, 0n, 0n, t.indexes.length ? 0n : null, t.indexes.length ? 0n : null, n, 0n, 0n, 0n, n, 0n, sinceAnalyze, n,
      null, null, st?.analyzedAt ?? null, st?.autoAnalyzedAt ?? null, 0n, 0n, BigInt(st?.analyzeCount ?? 0), BigInt(st?.autoAnalyzeCount ?? 0)] as Row;
  })));
  // what ANALYZE found, per column (PostgreSQL: pg_statistic through pg_stats); anyarray columns as text[]
  add(rel('pg_catalog', 'pg_stats', [['schemaname', name], ['tablename', name], ['attname', name], ['inherited', bool], ['null_frac', float4],
    ['avg_width', int4], ['n_distinct', float4], ['most_common_vals', T._text], ['most_common_freqs', T._float4], ['histogram_bounds', T._text],
    ['correlation', float4], ['most_common_elems', T._text], ['most_common_elem_freqs', T._float4], ['elem_count_histogram', T._float4]],
  (ctx) => userTables(ctx.catalog).flatMap((t) => {
    const f4 = (x: number | null) => (x === null ? null : Math.fround(x));
    const row = (relname: string, attname: string, cs: ColumnStatistics) => [t.schema, relname, attname, t.kind === 'p', f4(cs.nullFrac), cs.avgWidth, f4(cs.nDistinct), cs.mostCommonVals,
      cs.mostCommonFreqs?.map((x) => Math.fround(x)) ?? null, cs.histogramBounds, f4(cs.correlation),
      cs.mostCommonElems ?? null, cs.mostCommonElemFreqs?.map((x) => Math.fround(x)) ?? null, cs.elemCountHistogram?.map((x) => Math.fround(x)) ?? null] as Row;
    const columns = t.columns.flatMap((c) => (t.stats?.columns[c.name] ? [row(t.name, c.name, t.stats.columns[c.name])] : []));
    // an expression index's column, under the index's name (PostgreSQL's pg_statistic rows of the index)
    const indexes = t.indexes.flatMap((i) => (i.expression && t.stats?.indexes?.[i.name] ? [row(i.name, i.expression.name, t.stats.indexes[i.name])] : []));
    return [...columns, ...indexes];
  })));
  // per database, as pg_database lists them: only relation-lock conflicts happen here (recovery-conflicts.ts)
  add(rel('pg_catalog', 'pg_stat_database_conflicts', [['datid', oid], ['datname', name], ['confl_tablespace', int8], ['confl_lock', int8],
    ['confl_snapshot', int8], ['confl_bufferpin', int8], ['confl_deadlock', int8]],
  (ctx) => databaseNames(ctx).map((d) => [databaseOid(ctx, d), d, 0n, BigInt(ctx.recoveryConflicts?.().get(d) ?? 0), 0n, 0n, 0n] as Row)));
  // One row per session (PostgreSQL also lists its background processes; Quiver has none a client could signal)
  add(rel('pg_catalog', 'pg_stat_activity', [['datid', oid], ['datname', name], ['pid', int4], ['leader_pid', int4], ['usesysid', oid], ['usename', name],
    ['application_name', text], ['client_addr', sqlType(OID.inet)], ['client_hostname', text], ['client_port', int4], ['backend_start', T.timestamptz],
    ['xact_start', T.timestamptz], ['query_start', T.timestamptz], ['state_change', T.timestamptz], ['wait_event_type', text], ['wait_event', text],
    ['state', text], ['backend_xid', sqlType(OID.xid)], ['backend_xmin', sqlType(OID.xid)], ['query_id', int8], ['query', text], ['backend_type', text]],
  (ctx) => (ctx.activity?.() ?? []).map((a) => [databaseOid(ctx, a.database), a.database, a.pid, null, ctx.roles?.find(a.user)?.oid ?? ROLE.bootstrap, a.user, a.applicationName,
    socketAddressInet(a.clientAddress), null, a.clientAddress ? a.clientPort ?? null : -1, a.backendStart, a.xactStart, a.queryStart, a.stateChange,
    a.waitEventType, a.waitEvent, a.state, null, null, null, a.query, 'client backend'] as Row)));
  add(rel('pg_catalog', 'pg_statio_all_tables', [['relid', oid], ['schemaname', name], ['relname', name], ['heap_blks_read', int8], ['heap_blks_hit', int8],
    ['idx_blks_read', int8], ['idx_blks_hit', int8], ['toast_blks_read', int8], ['toast_blks_hit', int8], ['tidx_blks_read', int8], ['tidx_blks_hit', int8]],
  (ctx) => userTables(ctx.catalog).filter((t) => t.kind !== 'v').map((t) => [t.oid, t.schema, t.name, 0n, 0n, t.indexes.length ? 0n : null, t.indexes.length ? 0n : null, null, null, null, null] as Row)));
  // re-read on each query like PostgreSQL's: shows edits not yet reloaded, and each bad line's error
  add(rel('pg_catalog', 'pg_hba_file_rules', [['line_number', int4], ['type', text], ['database', T._text], ['user_name', T._text], ['address', text],
    ['netmask', text], ['auth_method', text], ['options', T._text], ['error', text]],
  (ctx) => (ctx.hbaFileRules?.() ?? []).map((r) => [r.lineNumber, r.type, r.database && [...r.database], r.userName && [...r.userName], r.address, r.netmask,
    r.authMethod, r.options && [...r.options], r.error] as Row)));

  addInformationSchema(add);
  SYSTEM = rels;
  add(rel('pg_catalog', 'pg_shadow', userCols, (ctx) => pgUserRows(ctx, true)));
  // added last: the system relations before it keep their OIDs
  // PostgreSQL 15's columns; one row per session building an index (pgvector's subphases in `phase`)
  add(rel('pg_catalog', 'pg_stat_progress_create_index', [['pid', int4], ['datid', oid], ['datname', name], ['relid', oid], ['index_relid', oid],
    ['command', text], ['phase', text], ['lockers_total', int8], ['lockers_done', int8], ['current_locker_pid', int8], ['blocks_total', int8],
    ['blocks_done', int8], ['tuples_total', int8], ['tuples_done', int8], ['partitions_total', int8], ['partitions_done', int8]],
  (ctx) => (ctx.createIndexProgress?.() ?? []).map((p) => [p.pid, databaseOid(ctx, p.database), p.database, p.relid, p.indexRelid, p.command, p.phase,
    0n, 0n, 0n, 0n, 0n, BigInt(p.tuplesTotal), BigInt(p.tuplesDone), BigInt(p.partitionsTotal), BigInt(p.partitionsDone)] as Row)));
  for (const r of timeZoneRelations()) add(r);
  for (const r of lockRelations(databaseOid)) add(r);
  return rels;
}

function attrdefOid(tableOid: number, attnum: number): number {
  // stable across scans and distinct from every catalog OID below 2^32 for realistic table OIDs
  return (tableOid * 1601 + attnum) % 0xffffffff;
}

const SCHEMAS = ['pg_catalog', 'public', 'information_schema', 'pg_toast'];

/** information_schema's description of a type (columns, domains): data_type, lengths, precisions, its udt's schema */
function typeFacts(type: SqlType) {
  const oid = type.oid;
  const info = TYPES.get(oid)!;
  const dataType = (isVectorType(oid) || info.category === 'E' || info.category === 'C') && info.category !== 'A' ? 'USER-DEFINED' : info.category === 'A' ? 'ARRAY' : formatType(sqlType(oid));
  const charLen = (oid === OID.varchar || oid === OID.bpchar) && type.typmod > 4 ? type.typmod - 4 : null;
  const octetLen = oid === OID.varchar || oid === OID.bpchar || oid === OID.text ? (charLen !== null ? charLen * 4 : 1073741824) : null;
  let numPrec: number | null = ({ [OID.int2]: 16, [OID.int4]: 32, [OID.int8]: 64, [OID.float4]: 24, [OID.float8]: 53 } as Record<number, number>)[oid] ?? null;
  let radix: number | null = numPrec !== null ? 2 : null;
  let scale: number | null = numPrec !== null && oid !== OID.float4 && oid !== OID.float8 ? 0 : null;
  if (oid === OID.numeric && type.typmod >= 4) {
    numPrec = (type.typmod - 4) >> 16;
    scale = (type.typmod - 4) & 0xffff;
    radix = 10;
  } else if (oid === OID.numeric) radix = 10;
  const isDatetime = [OID.date, OID.time, OID.timestamp, OID.timestamptz, OID.timetz, OID.interval].includes(oid as never);
  const dtPrec = isDatetime ? (oid === OID.date ? 0 : type.typmod >= 0 ? type.typmod : 6) : null;
  const udtSchema = isVectorType(oid) ? 'public' : userType(info.elem ?? oid)?.schema ?? 'pg_catalog';
  return { info, dataType, charLen, octetLen, numPrec, radix, scale, dtPrec, udtSchema };
}

function addInformationSchema(add: (r: SystemRelation) => void): void {
  const id = name;
  const chars = varchar;
  const yesNo = varchar;
  const card = int4;
  add(rel('information_schema', 'tables', [
    ['table_catalog', id], ['table_schema', id], ['table_name', id], ['table_type', chars], ['self_referencing_column_name', id],
    ['reference_generation', chars], ['user_defined_type_catalog', id], ['user_defined_type_schema', id], ['user_defined_type_name', id],
    ['is_insertable_into', yesNo], ['is_typed', yesNo], ['commit_action', chars],
  ], (ctx) => [
    ...userTables(ctx.catalog).filter((t) => t.kind !== 'm').map((t) => [ctx.database, t.schema, t.name, t.schema === ctx.myTempSchema ? 'LOCAL TEMPORARY' : t.kind === 'v' ? 'VIEW' : 'BASE TABLE', null, null, null, null, null, t.kind === 'v' ? 'NO' : 'YES', 'NO', null] as Row),
    ...SYSTEM.filter(() => LIST_SYSTEM_RELATIONS).map((r) => [ctx.database, r.schema, r.name, r.schema === 'information_schema' || SYSTEM_VIEWS.has(r.name) ? 'VIEW' : 'BASE TABLE', null, null, null, null, null, 'NO', 'NO', null] as Row),
  ]));
  add(rel('information_schema', 'columns', [
    ['table_catalog', id], ['table_schema', id], ['table_name', id], ['column_name', id], ['ordinal_position', card],
    ['column_default', chars], ['is_nullable', yesNo], ['data_type', chars], ['character_maximum_length', card], ['character_octet_length', card],
    ['numeric_precision', card], ['numeric_precision_radix', card], ['numeric_scale', card], ['datetime_precision', card],
    ['interval_type', chars], ['interval_precision', card], ['character_set_catalog', id], ['character_set_schema', id], ['character_set_name', id],
    ['collation_catalog', id], ['collation_schema', id], ['collation_name', id], ['domain_catalog', id], ['domain_schema', id], ['domain_name', id],
    ['udt_catalog', id], ['udt_schema', id], ['udt_name', id], ['scope_catalog', id], ['scope_schema', id], ['scope_name', id],
    ['maximum_cardinality', card], ['dtd_identifier', id], ['is_self_referencing', yesNo],
    ['is_identity', yesNo], ['identity_generation', chars], ['identity_start', chars], ['identity_increment', chars], ['identity_maximum', chars],
    ['identity_minimum', chars], ['identity_cycle', yesNo], ['is_generated', chars], ['generation_expression', chars], ['is_updatable', yesNo],
  ], (ctx) => [...userTables(ctx.catalog).filter((t) => t.kind !== 'm'), ...systemTablesForColumns()].flatMap((t) => t.columns.map((c, i) => {
    const { info, dataType, charLen, octetLen, numPrec, radix, scale, dtPrec, udtSchema } = typeFacts(c.type);
    const seq = c.identity && c.sequence ? ctx.catalog.findSequence(t.schema, c.sequence) : undefined;
    // a column of a domain names it; its data type and udt are the base type's
    const domain = c.type.domain !== undefined ? ctx.catalog.domains.get(c.type.domain) : undefined;
    return [ctx.database, t.schema, t.name, c.name, i + 1, c.identity || c.generated ? null : columnDefaultSql(c), c.notNull ? 'NO' : 'YES', dataType, charLen,
      octetLen, numPrec, radix, scale, dtPrec, null, null, null, null, null, null, null, null, domain ? ctx.database : null, domain?.schema ?? null, domain?.name ?? null,
      ctx.database, udtSchema, info.name, null, null, null, null, String(i + 1), 'NO',
      c.identity ? 'YES' : 'NO', c.identity === 'a' ? 'ALWAYS' : c.identity === 'd' ? 'BY DEFAULT' : null,
      seq ? String(seq.start) : null, seq ? String(seq.increment) : null, seq ? String(seq.max) : null, seq ? String(seq.min) : null, seq ? (seq.cycle ? 'YES' : 'NO') : 'NO',
      c.generated ? 'ALWAYS' : 'NEVER', c.generated ? columnDefaultSql(c) : null, t.kind === 'v' ? 'NO' : 'YES'] as Row;
  }))));
  add(rel('information_schema', 'domains', [
    ['domain_catalog', id], ['domain_schema', id], ['domain_name', id], ['data_type', chars], ['character_maximum_length', card], ['character_octet_length', card],
    ['character_set_catalog', id], ['character_set_schema', id], ['character_set_name', id], ['collation_catalog', id], ['collation_schema', id], ['collation_name', id],
    ['numeric_precision', card], ['numeric_precision_radix', card], ['numeric_scale', card], ['datetime_precision', card], ['interval_type', chars], ['interval_precision', card],
    ['domain_default', chars], ['udt_catalog', id], ['udt_schema', id], ['udt_name', id], ['scope_catalog', id], ['scope_schema', id], ['scope_name', id],
    ['maximum_cardinality', card], ['dtd_identifier', id],
  ], (ctx) => [...ctx.catalog.domains.values()].map((d) => {
    const { info, dataType, charLen, octetLen, numPrec, radix, scale, dtPrec, udtSchema } = typeFacts(d.base);
    return [ctx.database, d.schema, d.name, dataType, charLen, octetLen, null, null, null, d.collation !== undefined ? ctx.database : null, d.collation !== undefined ? 'pg_catalog' : null, d.collation ?? null,
      numPrec, radix, scale, dtPrec, null, null, d.default?.sql ?? null, ctx.database, udtSchema, info.name, null, null, null, null, '1'] as Row;
  })));
  add(rel('information_schema', 'domain_constraints', [
    ['constraint_catalog', id], ['constraint_schema', id], ['constraint_name', id], ['domain_catalog', id], ['domain_schema', id], ['domain_name', id],
    ['is_deferrable', yesNo], ['initially_deferred', yesNo],
  ], (ctx) => [...ctx.catalog.domains.values()].flatMap((d) => d.constraints.map((c) => [ctx.database, d.schema, c.name, ctx.database, d.schema, d.name, 'NO', 'NO'] as Row))));
  add(rel('information_schema', 'schemata', [['catalog_name', id], ['schema_name', id], ['schema_owner', id], ['default_character_set_catalog', id],
    ['default_character_set_schema', id], ['default_character_set_name', id], ['sql_path', chars]], (ctx) =>
    [...SCHEMAS.map((s) => [ctx.database, s, s === 'public' ? 'pg_database_owner' : ctx.user, null, null, null, null] as Row),
      // pg_has_role(nspowner, 'USAGE') OR has_schema_privilege(oid, 'CREATE, USAGE')
      ...[...ctx.catalog.schemas.values()].filter((s) => !ctx.roles || ctx.roleOid === undefined || ctx.roles.hasPrivilegesOf(ctx.roleOid, ownerOf(s))
        || hasPrivilege(ctx.roles, ctx.roleOid, s, 'U', ALL_SCHEMA_PRIVILEGES) || hasPrivilege(ctx.roles, ctx.roleOid, s, 'C', ALL_SCHEMA_PRIVILEGES))
        .map((s) => [ctx.database, s.name, ctx.roles?.nameOf(ownerOf(s)) ?? ctx.user, null, null, null, null] as Row)]));

  const constraintsOf = (ctx: SystemRelationContext) => userTables(ctx.catalog).flatMap((t) => t.constraints.map((c) => ({ t, c })));
  const TYPE_NAMES = { p: 'PRIMARY KEY', u: 'UNIQUE', c: 'CHECK', f: 'FOREIGN KEY' } as const;
  add(rel('information_schema', 'table_constraints', [['constraint_catalog', id], ['constraint_schema', id], ['constraint_name', id], ['table_catalog', id],
    ['table_schema', id], ['table_name', id], ['constraint_type', chars], ['is_deferrable', yesNo], ['initially_deferred', yesNo], ['enforced', yesNo], ['nulls_distinct', yesNo]],
  (ctx) => {
    const rows: Row[] = constraintsOf(ctx).map(({ t, c }) => [ctx.database, t.schema, c.name, ctx.database, t.schema, t.name, TYPE_NAMES[c.type], 'NO', 'NO', 'YES', c.type === 'u' || c.type === 'p' ? 'YES' : null]);
    // PostgreSQL lists each NOT NULL column as a CHECK constraint named <nsp oid>_<rel oid>_<attnum>_not_null
    for (const t of userTables(ctx.catalog)) {
      if (t.kind === 'v') continue;
      t.columns.forEach((col, i) => {
        if (col.notNull) rows.push([ctx.database, t.schema, `${namespaceOid(ctx.catalog, t.schema)}_${t.oid}_${i + 1}_not_null`, ctx.database, t.schema, t.name, 'CHECK', 'NO', 'NO', 'YES', null]);
      });
    }
    return rows;
  }));
  add(rel('information_schema', 'key_column_usage', [['constraint_catalog', id], ['constraint_schema', id], ['constraint_name', id], ['table_catalog', id],
    ['table_schema', id], ['table_name', id], ['column_name', id], ['ordinal_position', card], ['position_in_unique_constraint', card]],
  (ctx) => constraintsOf(ctx).filter(({ c }) => c.type !== 'c').flatMap(({ t, c }) => c.columns.map((col, k) =>
    [ctx.database, t.schema, c.name, ctx.database, t.schema, t.name, t.columns[col].name, k + 1, c.type === 'f' ? k + 1 : null] as Row))));
  add(rel('information_schema', 'constraint_column_usage', [['table_catalog', id], ['table_schema', id], ['table_name', id], ['column_name', id],
    ['constraint_catalog', id], ['constraint_schema', id], ['constraint_name', id]],
  (ctx) => constraintsOf(ctx).filter(({ c }) => c.type !== 'f').flatMap(({ t, c }) => c.columns.map((col) =>
    [ctx.database, t.schema, t.name, t.columns[col].name, ctx.database, t.schema, c.name] as Row))));
  add(rel('information_schema', 'constraint_table_usage', [['table_catalog', id], ['table_schema', id], ['table_name', id],
    ['constraint_catalog', id], ['constraint_schema', id], ['constraint_name', id]],
  (ctx) => constraintsOf(ctx).filter(({ c }) => c.type !== 'f').map(({ t, c }) => [ctx.database, t.schema, t.name, ctx.database, t.schema, c.name] as Row)));
  add(rel('information_schema', 'referential_constraints', [['constraint_catalog', id], ['constraint_schema', id], ['constraint_name', id],
    ['unique_constraint_catalog', id], ['unique_constraint_schema', id], ['unique_constraint_name', id], ['match_option', chars], ['update_rule', chars], ['delete_rule', chars]],
  (ctx) => constraintsOf(ctx).filter(({ c }) => c.type === 'f').map(({ t, c }) => [ctx.database, t.schema, c.name, null, null, null,
    c.match === 'f' ? 'FULL' : c.match === 'p' ? 'PARTIAL' : 'NONE', FK_RULES[c.onUpdate ?? 'a'] ?? 'NO ACTION', FK_RULES[c.onDelete ?? 'a'] ?? 'NO ACTION'] as Row)));
  add(rel('information_schema', 'check_constraints', [['constraint_catalog', id], ['constraint_schema', id], ['constraint_name', id], ['check_clause', chars]],
    (ctx) => constraintsOf(ctx).filter(({ c }) => c.type === 'c').map(({ t, c }) => [ctx.database, t.schema, c.name, constraintDef(t, c, ctx.catalog).replace(/^CHECK /, '')] as Row)));
  add(rel('information_schema', 'views', [['table_catalog', id], ['table_schema', id], ['table_name', id], ['view_definition', chars], ['check_option', chars],
    ['is_updatable', yesNo], ['is_insertable_into', yesNo], ['is_trigger_updatable', yesNo], ['is_trigger_deletable', yesNo], ['is_trigger_insertable_into', yesNo]],
  (ctx) => userTables(ctx.catalog).filter((t) => t.kind === 'v').map((t) => [ctx.database, t.schema, t.name, t.view ? `${viewDefinitionText(ctx.catalog, ALL_VISIBLE, t, false)};` : null, 'NONE', 'NO', 'NO', 'NO', 'NO', 'NO'] as Row)));
  add(rel('information_schema', 'sequences', [['sequence_catalog', id], ['sequence_schema', id], ['sequence_name', id], ['data_type', chars], ['numeric_precision', card],
    ['numeric_precision_radix', card], ['numeric_scale', card], ['start_value', chars], ['minimum_value', chars], ['maximum_value', chars], ['increment', chars], ['cycle_option', yesNo]],
  (ctx) => [...ctx.catalog.sequences.values()].map((s) => [ctx.database, s.schema, s.name, formatType(s.type), s.type.oid === OID.int2 ? 16 : s.type.oid === OID.int4 ? 32 : 64, 2, 0,
    String(s.start), String(s.min), String(s.max), String(s.increment), s.cycle ? 'YES' : 'NO'] as Row)));
  add(rel('information_schema', 'routines', [['specific_catalog', id], ['specific_schema', id], ['specific_name', id], ['routine_catalog', id], ['routine_schema', id],
    ['routine_name', id], ['routine_type', chars], ['data_type', chars], ['type_udt_name', id], ['routine_definition', chars], ['external_language', chars]], () => []));
  add(rel('information_schema', 'triggers', [['trigger_catalog', id], ['trigger_schema', id], ['trigger_name', id], ['event_manipulation', chars],
    ['event_object_catalog', id], ['event_object_schema', id], ['event_object_table', id], ['action_statement', chars], ['action_orientation', chars], ['action_timing', chars]], () => []));
}

let SYSTEM: SystemRelation[] = [];

/**
 * The system relations as TableDef-shaped rows for information_schema.columns, which lists their columns in
 * PostgreSQL (TypeORM probes `table_name = 'pg_class' AND column_name = 'relispartition'`). Built once
 * (SYSTEM does not change).
 */
let systemColumnTables: TableDef[] | undefined;
function systemTablesForColumns(): TableDef[] {
  if (!systemColumnTables && SYSTEM.length > 0) {
    systemColumnTables = SYSTEM.map((r) => {
      const view = r.schema === 'information_schema' || SYSTEM_VIEWS.has(r.name);
      return {
        oid: r.oid, name: r.name, schema: r.schema, kind: view ? 'v' : 'r', constraints: [], indexes: [],
        // genbki: catalog columns are NOT NULL up to the first variable-length one
        columns: r.columns.map((c, i) => ({ name: c.name, type: c.type, notNull: !view && r.columns.slice(0, i + 1).every((x) => (TYPES.get(x.type.oid)?.len ?? -1) !== -1) })),
      } as unknown as TableDef;
    });
  }
  return systemColumnTables ?? [];
}

/** whether pg_class / pg_attribute / information_schema.tables list the system relations themselves (see pg_class) */
const LIST_SYSTEM_RELATIONS = process.env.QUIVER_LIST_SYSTEM_RELATIONS === '1';
