/**
 * pg_catalog and information_schema relations, computed from the catalog on each scan.
 * Column lists follow PostgreSQL 15 (a subset of columns where clients never read the
 * rest; add columns as the client corpus needs them).
 */
import { NAMESPACE, type Catalog, type SystemRelation, type SystemRelationContext, type TableDef } from '../catalog.js';
import { OID, T, TYPES, formatType, sqlType, type Row, type SqlType } from '../../types/types.js';
import { indexDef } from './objects.js';

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
const text = T.text;
const char = T.char;

function userTables(c: Catalog): TableDef[] {
  return [...c.tables.values()];
}

function namespaceOid(schema: string): number {
  return (NAMESPACE as Record<string, number>)[schema] ?? NAMESPACE.public;
}

export function buildSystemRelations(): SystemRelation[] {
  const rels: SystemRelation[] = [];
  rels.push(rel('pg_catalog', 'pg_namespace', [['oid', oid], ['nspname', name], ['nspowner', oid], ['nspacl', T._text]], () => [
    [NAMESPACE.pg_catalog, 'pg_catalog', 10, null], [NAMESPACE.public, 'public', 10, null],
    [NAMESPACE.information_schema, 'information_schema', 10, null], [NAMESPACE.pg_toast, 'pg_toast', 10, null],
  ], 2615));

  rels.push(rel('pg_catalog', 'pg_type', [
    ['oid', oid], ['typname', name], ['typnamespace', oid], ['typowner', oid], ['typlen', int2], ['typbyval', bool],
    ['typtype', char], ['typcategory', char], ['typispreferred', bool], ['typisdefined', bool], ['typdelim', char],
    ['typrelid', oid], ['typsubscript', oid], ['typelem', oid], ['typarray', oid], ['typinput', oid], ['typoutput', oid],
    ['typreceive', oid], ['typsend', oid], ['typmodin', oid], ['typmodout', oid], ['typanalyze', oid], ['typalign', char],
    ['typstorage', char], ['typnotnull', bool], ['typbasetype', oid], ['typtypmod', int4], ['typndims', int4],
    ['typcollation', oid], ['typdefault', text],
  ], (ctx) => {
    const rows: Row[] = [];
    for (const t of TYPES.values()) {
      const isVector = t.oid === 16385 || t.oid === 16386;
      const ns = isVector ? NAMESPACE.public : NAMESPACE.pg_catalog;
      const typtype = t.category === 'P' ? 'p' : 'b';
      rows.push([
        t.oid, t.name, ns, 10, t.len, t.byval ?? false, typtype, t.category, t.preferred ?? false, true, t.delim ?? ',',
        0, t.elem ? 1 : 0, t.elem ?? 0, t.array ?? 0, 0, 0, 0, 0, 0, 0, 0, t.align ?? 'i',
        t.len === -1 ? 'x' : 'p', false, 0, -1, 0, t.category === 'S' ? 100 : 0, null,
      ]);
    }
    for (const tbl of userTables(ctx.catalog)) {
      rows.push([tbl.rowTypeOid, tbl.name, namespaceOid(tbl.schema), 10, -1, false, 'c', 'C', false, true, ',', tbl.oid, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'd', 'x', false, 0, -1, 0, 0, null]);
    }
    return rows;
  }, 1247));

  rels.push(rel('pg_catalog', 'pg_class', [
    ['oid', oid], ['relname', name], ['relnamespace', oid], ['reltype', oid], ['reloftype', oid], ['relowner', oid],
    ['relam', oid], ['relfilenode', oid], ['reltablespace', oid], ['relpages', int4], ['reltuples', T.float4],
    ['relallvisible', int4], ['reltoastrelid', oid], ['relhasindex', bool], ['relisshared', bool], ['relpersistence', char],
    ['relkind', char], ['relnatts', int2], ['relchecks', int2], ['relhasrules', bool], ['relhastriggers', bool],
    ['relhassubclass', bool], ['relrowsecurity', bool], ['relforcerowsecurity', bool], ['relispopulated', bool],
    ['relreplident', char], ['relispartition', bool], ['relrewrite', oid], ['relfrozenxid', T.int8], ['relminmxid', T.int8],
    ['relacl', T._text], ['reloptions', T._text], ['relpartbound', text],
  ], (ctx) => {
    const rows: Row[] = [];
    const base = (o: number, n: string, ns: number, type: number, am: number, kind: string, natts: number, hasIndex: boolean, tuples: number, options: string[] | null): Row => [
      o, n, ns, type, 0, 10, am, o, 0, 0, tuples, 0, 0, hasIndex, false, 'p', kind, natts, 0, false, false, false, false, false, true, 'd', false, 0, 0n, 0n, null, options, null,
    ];
    for (const t of userTables(ctx.catalog)) {
      rows.push(base(t.oid, t.name, namespaceOid(t.schema), t.rowTypeOid, 2, t.kind, t.columns.length, t.indexes.length > 0, ctx.rowCount(t.oid), null));
      for (const i of t.indexes) {
        const opts = Object.entries(i.options).map(([k, v]) => `${k}=${v}`);
        rows.push(base(i.oid, i.name, namespaceOid(t.schema), 0, AM[i.method] ?? 403, 'i', i.columns.length, false, 0, opts.length ? opts : null));
      }
    }
    for (const s of ctx.catalog.sequences.values()) rows.push(base(s.oid, s.name, namespaceOid(s.schema), 0, 0, 'S', 3, false, 1, null));
    for (const r of SYSTEM) rows.push(base(r.oid, r.name, namespaceOid(r.schema), 0, 2, 'v', r.columns.length, false, 0, null));
    return rows;
  }, 1259));

  rels.push(rel('pg_catalog', 'pg_attribute', [
    ['attrelid', oid], ['attname', name], ['atttypid', oid], ['attstattarget', int4], ['attlen', int2], ['attnum', int2],
    ['attndims', int4], ['attcacheoff', int4], ['atttypmod', int4], ['attbyval', bool], ['attalign', char], ['attstorage', char],
    ['attcompression', char], ['attnotnull', bool], ['atthasdef', bool], ['atthasmissing', bool], ['attidentity', char],
    ['attgenerated', char], ['attisdropped', bool], ['attislocal', bool], ['attinhcount', int4], ['attcollation', oid],
    ['attacl', T._text], ['attoptions', T._text], ['attfdwoptions', T._text],
  ], (ctx) => {
    const rows: Row[] = [];
    for (const t of userTables(ctx.catalog)) {
      t.columns.forEach((c, i) => {
        const info = TYPES.get(c.type.oid);
        rows.push([t.oid, c.name, c.type.oid, -1, info?.len ?? -1, i + 1, info?.category === 'A' ? 1 : 0, -1, c.type.typmod, info?.byval ?? false,
          info?.align ?? 'i', info?.len === -1 ? 'x' : 'p', '', c.notNull, c.defaultExpr !== null, false, c.identity ?? '', '', false, true, 0,
          info?.category === 'S' ? 100 : 0, null, null, null]);
      });
      for (const idx of t.indexes) {
        idx.columns.forEach((ci, i) => {
          const c = t.columns[ci];
          rows.push([idx.oid, c.name, c.type.oid, -1, -1, i + 1, 0, -1, c.type.typmod, false, 'i', 'p', '', false, false, false, '', '', false, true, 0, 0, null, null, null]);
        });
      }
    }
    return rows;
  }, 1249));

  rels.push(rel('pg_catalog', 'pg_attrdef', [['oid', oid], ['adrelid', oid], ['adnum', int2], ['adbin', text]], (ctx) => {
    const rows: Row[] = [];
    let n = 1;
    for (const t of userTables(ctx.catalog)) t.columns.forEach((c, i) => { if (c.defaultExpr) rows.push([20000 + n++, t.oid, i + 1, c.defaultExpr.sql]); });
    return rows;
  }, 2604));

  rels.push(rel('pg_catalog', 'pg_index', [
    ['indexrelid', oid], ['indrelid', oid], ['indnatts', int2], ['indnkeyatts', int2], ['indisunique', bool],
    ['indnullsnotdistinct', bool], ['indisprimary', bool], ['indisexclusion', bool], ['indimmediate', bool],
    ['indisclustered', bool], ['indisvalid', bool], ['indcheckxmin', bool], ['indisready', bool], ['indislive', bool],
    ['indisreplident', bool], ['indkey', sqlType(OID.int2vector)], ['indcollation', sqlType(OID.oidvector)], ['indclass', sqlType(OID.oidvector)],
    ['indoption', sqlType(OID.int2vector)], ['indexprs', text], ['indpred', text],
  ], (ctx) => {
    const rows: Row[] = [];
    for (const t of userTables(ctx.catalog)) {
      for (const i of t.indexes) {
        rows.push([i.oid, t.oid, i.columns.length, i.columns.length, i.unique, false, i.primary, false, true, false, true, false, true, true, false,
          i.columns.map((c) => c + 1), i.columns.map(() => 0), i.columns.map(() => 0), i.columns.map(() => 0), null, null]);
      }
    }
    return rows;
  }, 2610));

  rels.push(rel('pg_catalog', 'pg_constraint', [
    ['oid', oid], ['conname', name], ['connamespace', oid], ['contype', char], ['condeferrable', bool], ['condeferred', bool],
    ['convalidated', bool], ['conrelid', oid], ['contypid', oid], ['conindid', oid], ['conparentid', oid], ['confrelid', oid],
    ['confupdtype', char], ['confdeltype', char], ['confmatchtype', char], ['conislocal', bool], ['coninhcount', int4],
    ['connoinherit', bool], ['conkey', T._int2], ['confkey', T._int2],
  ], (ctx) => {
    const rows: Row[] = [];
    for (const t of userTables(ctx.catalog)) {
      for (const c of t.constraints) {
        rows.push([c.oid, c.name, namespaceOid(t.schema), c.type, false, false, true, t.oid, 0, c.indexOid ?? 0, 0, 0, ' ', ' ', ' ', true, 0, true, c.columns.map((x) => x + 1), null]);
      }
    }
    return rows;
  }, 2606));

  rels.push(rel('pg_catalog', 'pg_am', [['oid', oid], ['amname', name], ['amhandler', oid], ['amtype', char]], () => [
    [2, 'heap', 0, 't'], [403, 'btree', 0, 'i'], [405, 'hash', 0, 'i'], [16390, 'hnsw', 0, 'i'], [16391, 'ivfflat', 0, 'i'],
  ], 2601));

  rels.push(rel('pg_catalog', 'pg_database', [
    ['oid', oid], ['datname', name], ['datdba', oid], ['encoding', int4], ['datlocprovider', char], ['datistemplate', bool],
    ['datallowconn', bool], ['datconnlimit', int4], ['datcollate', text], ['datctype', text], ['daticulocale', text], ['datacl', T._text],
  ], (ctx) => ctx.databases.map((d, i) => [d === 'postgres' ? 5 : d === 'template1' ? 1 : 16000 + i, d, 10, 6, 'c', d === 'template1', true, -1, 'C', 'C', null, null] as Row), 1262));

  rels.push(rel('pg_catalog', 'pg_extension', [
    ['oid', oid], ['extname', name], ['extowner', oid], ['extnamespace', oid], ['extrelocatable', bool], ['extversion', text],
    ['extconfig', T._oid], ['extcondition', T._text],
  ], (ctx) => [
    [13500, 'plpgsql', 10, NAMESPACE.pg_catalog, false, '1.0', null, null],
    ...[...ctx.catalog.extensions.values()].filter((e) => e.name !== 'plpgsql').map((e) => [e.oid, e.name, 10, NAMESPACE.public, true, e.version, null, null] as Row),
  ], 3079));

  rels.push(rel('pg_catalog', 'pg_settings', [['name', text], ['setting', text], ['unit', text], ['category', text], ['short_desc', text], ['context', text], ['vartype', text], ['source', text]],
    (ctx) => ctx.allSettings().map((s) => [s.name, s.value, null, '', '', 'user', 'string', 'default'])));

  const roleCols: Cols = [['oid', oid], ['rolname', name], ['rolsuper', bool], ['rolinherit', bool], ['rolcreaterole', bool], ['rolcreatedb', bool],
    ['rolcanlogin', bool], ['rolreplication', bool], ['rolconnlimit', int4], ['rolpassword', text], ['rolvaliduntil', T.timestamptz], ['rolbypassrls', bool], ['rolconfig', T._text]];
  rels.push(rel('pg_catalog', 'pg_roles', roleCols, (ctx) => [[10, ctx.user, true, true, true, true, true, true, -1, '********', null, true, null]], 1260));
  rels.push(rel('pg_catalog', 'pg_user', [['usename', name], ['usesysid', oid], ['usecreatedb', bool], ['usesuper', bool]], (ctx) => [[ctx.user, 10, true, true]]));
  rels.push(rel('pg_catalog', 'pg_proc', [['oid', oid], ['proname', name], ['pronamespace', oid], ['prokind', char], ['prorettype', oid], ['proargtypes', sqlType(OID.oidvector)]], () => [], 1255));
  rels.push(rel('pg_catalog', 'pg_description', [['objoid', oid], ['classoid', oid], ['objsubid', int4], ['description', text]], (ctx) =>
    userTables(ctx.catalog).filter((t) => t.comment).map((t) => [t.oid, 1259, 0, t.comment!]), 2609));
  rels.push(rel('pg_catalog', 'pg_enum', [['oid', oid], ['enumtypid', oid], ['enumsortorder', T.float4], ['enumlabel', name]], () => [], 3501));
  rels.push(rel('pg_catalog', 'pg_inherits', [['inhrelid', oid], ['inhparent', oid], ['inhseqno', int4], ['inhdetachpending', bool]], () => [], 2611));
  rels.push(rel('pg_catalog', 'pg_sequence', [['seqrelid', oid], ['seqtypid', oid], ['seqstart', T.int8], ['seqincrement', T.int8], ['seqmax', T.int8], ['seqmin', T.int8], ['seqcache', T.int8], ['seqcycle', bool]],
    (ctx) => [...ctx.catalog.sequences.values()].map((s) => [s.oid, s.type.oid, s.start, s.increment, s.max, s.min, 1n, s.cycle]), 2224));
  rels.push(rel('pg_catalog', 'pg_tables', [['schemaname', name], ['tablename', name], ['tableowner', name], ['tablespace', name], ['hasindexes', bool], ['hasrules', bool], ['hastriggers', bool], ['rowsecurity', bool]],
    (ctx) => userTables(ctx.catalog).filter((t) => t.kind !== 'v').map((t) => [t.schema, t.name, ctx.user, null, t.indexes.length > 0, false, false, false])));
  rels.push(rel('pg_catalog', 'pg_indexes', [['schemaname', name], ['tablename', name], ['indexname', name], ['tablespace', name], ['indexdef', text]],
    (ctx) => userTables(ctx.catalog).flatMap((t) => t.indexes.map((i) => [t.schema, t.name, i.name, null, indexDef(t, i)] as Row))));

  // information_schema
  rels.push(rel('information_schema', 'tables', [
    ['table_catalog', name], ['table_schema', name], ['table_name', name], ['table_type', text], ['self_referencing_column_name', name],
    ['reference_generation', text], ['user_defined_type_catalog', name], ['user_defined_type_schema', name], ['user_defined_type_name', name],
    ['is_insertable_into', text], ['is_typed', text], ['commit_action', text],
  ], (ctx) => userTables(ctx.catalog).map((t) => [ctx.database, t.schema, t.name, t.kind === 'v' ? 'VIEW' : 'BASE TABLE', null, null, null, null, null, 'YES', 'NO', null])));
  rels.push(rel('information_schema', 'columns', [
    ['table_catalog', name], ['table_schema', name], ['table_name', name], ['column_name', name], ['ordinal_position', int4],
    ['column_default', text], ['is_nullable', text], ['data_type', text], ['character_maximum_length', int4], ['character_octet_length', int4],
    ['numeric_precision', int4], ['numeric_precision_radix', int4], ['numeric_scale', int4], ['datetime_precision', int4],
    ['udt_catalog', name], ['udt_schema', name], ['udt_name', name], ['is_identity', text], ['identity_generation', text], ['is_generated', text],
    ['is_updatable', text], ['collation_name', name],
  ], (ctx) => userTables(ctx.catalog).flatMap((t) => t.columns.map((c, i) => {
    const info = TYPES.get(c.type.oid)!;
    const isVector = c.type.oid === OID.vector;
    const dataType = isVector ? 'USER-DEFINED' : info.category === 'A' ? 'ARRAY' : formatType(sqlType(c.type.oid));
    const charLen = (c.type.oid === OID.varchar || c.type.oid === OID.bpchar) && c.type.typmod > 4 ? c.type.typmod - 4 : null;
    const numPrec = ({ [OID.int2]: 16, [OID.int4]: 32, [OID.int8]: 64, [OID.float4]: 24, [OID.float8]: 53 } as Record<number, number>)[c.type.oid] ?? null;
    return [ctx.database, t.schema, t.name, c.name, i + 1, c.defaultExpr?.sql ?? null, c.notNull ? 'NO' : 'YES', dataType, charLen,
      charLen !== null ? charLen * 4 : null, numPrec, numPrec !== null ? 2 : null, numPrec !== null && c.type.oid !== OID.float4 && c.type.oid !== OID.float8 ? 0 : null, null,
      ctx.database, isVector ? 'public' : 'pg_catalog', info.name, c.identity ? 'YES' : 'NO', c.identity === 'a' ? 'ALWAYS' : c.identity === 'd' ? 'BY DEFAULT' : null, 'NEVER', 'YES', null] as Row;
  }))));
  rels.push(rel('information_schema', 'schemata', [['catalog_name', name], ['schema_name', name], ['schema_owner', name]], (ctx) =>
    ['pg_catalog', 'public', 'information_schema'].map((s) => [ctx.database, s, ctx.user])));
  SYSTEM = rels;
  return rels;
}

let SYSTEM: SystemRelation[] = [];

const AM: Record<string, number> = { btree: 403, hash: 405, hnsw: 16390, ivfflat: 16391 };

