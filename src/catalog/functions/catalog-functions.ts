/**
 * System information functions that read the catalog (pg_get_indexdef, pg_get_constraintdef,
 * pg_get_expr, obj_description, …). Output text follows PostgreSQL 15's ruleutils.c for the
 * objects Quiver has; objects Quiver lacks (rules, triggers, policies, statistics objects)
 * give what PostgreSQL gives for an OID that is not one: NULL.
 */
import type { Catalog, ConstraintDef, IndexDef, SqlFunctionDef, TableDef } from '../catalog.js';
import type { EvalContext, ScalarFunction } from '../../functions/api.js';
import { quoteIdent } from '../../types/identifiers.js';
import { SqlError, SqlState } from '../../errors.js';
import { OID, T, TYPES, formatType, formatTypeWithTypmod, sqlType, type SqlType, type Value } from '../../types/types.js';
import { satisfiesHashPartition } from './satisfies-hash-partition.js';
import { CLASS_OID, columnDefaultSql, descriptionOf, indexDef, indexExpressionText, objectOwnerName, partitionKeyDef, roleName } from '../system/objects.js';
import { partitionConstraintDef } from './partition-constraint.js';
import { describeObject } from './describe-object.js';
import { builtinDescription, builtinProcSignature } from '../system/builtin-proc-rows.js';
import { ALL_VISIBLE, qualifiedIn, qualifyExpressionText, viewDefinitionText, vectorObject, type Visible } from './qualify.js';

function fn(argTypes: SqlType[], returnType: SqlType, impl: (args: readonly Value[], ctx: EvalContext) => Value, strict = true): ScalarFunction {
  return { kind: 'scalar', argTypes, returnType, strict, volatile: false, impl };
}

export function findIndexByOid(catalog: Catalog, oid: number): { table: TableDef; index: IndexDef } | undefined {
  for (const table of catalog.tables.values()) {
    const index = table.indexes.find((i) => i.oid === oid);
    if (index) return { table, index };
  }
  return undefined;
}

export function findConstraintByOid(catalog: Catalog, oid: number): { table: TableDef; con: ConstraintDef } | undefined {
  for (const table of catalog.tables.values()) {
    const con = table.constraints.find((c) => c.oid === oid);
    if (con) return { table, con };
  }
  return undefined;
}

/** pg_get_constraintdef of a domain's CHECK: CHECK (VALUE …) [NOT VALID] */
function domainConstraintDef(catalog: Catalog, oid: number, pretty: boolean, visible: Visible): string | undefined {
  for (const d of catalog.domains.values()) {
    const c = d.constraints.find((x) => x.oid === oid);
    if (c) return `CHECK (${qualifyExpressionText(catalog, visible, pretty ? c.checkSql : c.checkPlainSql)})${c.notValid ? ' NOT VALID' : ''}`;
  }
  return undefined;
}

/**
 * ruleutils.c print_function_arguments / print_function_rettype for a SQL function:
 * pg_get_function_arguments prints each parameter's DEFAULT, the identity form does not.
 */
function functionSignatureText(f: SqlFunctionDef, which: string, visible: Visible): string {
  const type = (t: SqlType) => (VECTOR_TYPES.has(t.oid) ? vectorObject(visible, formatType(t)) : formatType(t));
  const arg = (p: { name?: string; type: SqlType }): string => (p.name ? `${quoteIdent(p.name)} ${type(p.type)}` : type(p.type));
  if (which === 'pg_get_function_result') {
    if (f.returns.kind === 'table') return `TABLE(${f.returns.columns.map(arg).join(', ')})`;
    return `${f.returns.kind === 'setof' ? 'SETOF ' : ''}${type(f.returns.type)}`;
  }
  const withDefault = which === 'pg_get_function_arguments';
  return f.params.map((p) => arg(p) + (withDefault && p.defaultSql !== undefined ? ` DEFAULT ${p.defaultSql}` : '')).join(', ');
}

const VOLATILITY: Record<SqlFunctionDef['volatility'], string> = { i: ' IMMUTABLE\n', s: ' STABLE\n', v: '' };

/**
 * pg_get_functiondef (psql's \sf) for a SQL function whose body is text, as ruleutils prints
 * it; NULL for a RETURN / BEGIN ATOMIC body (kept as a tree, not deparsed here).
 */
function functionDef(f: SqlFunctionDef, visible: Visible): string | null {
  if (f.body.sql === undefined) return null;
  let quote = '$function$';
  while (f.body.sql.includes(quote)) quote = `$${quote.slice(1, -1)}x$`;
  const name = `${quoteIdent(f.schema)}.${quoteIdent(f.name)}`;
  return `CREATE OR REPLACE FUNCTION ${name}(${functionSignatureText(f, 'pg_get_function_arguments', visible)})\n` +
    ` RETURNS ${functionSignatureText(f, 'pg_get_function_result', visible)}\n LANGUAGE sql\n${VOLATILITY[f.volatility]}` +
    `AS ${quote}${f.body.sql}${quote}\n`;
}

const FK_ACTIONS: Record<string, string> = { r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** ruleutils.c pg_get_constraintdef_worker for the constraint kinds Quiver keeps. */
export function constraintDef(table: TableDef, con: ConstraintDef, catalog?: Catalog, visible: Visible = ALL_VISIBLE, pretty = false): string {
  const def = constraintBody(table, con, catalog, visible, pretty);
  return con.notValid ? `${def} NOT VALID` : def;
}

function constraintBody(table: TableDef, con: ConstraintDef, catalog: Catalog | undefined, visible: Visible, pretty: boolean): string {
  const cols = con.columns.map((c) => quoteIdent(table.columns[c]?.name ?? '?')).join(', ');
  // a key's INCLUDE columns are its index's
  const index = con.indexOid === undefined ? undefined : table.indexes.find((i) => i.oid === con.indexOid);
  const included = index?.include;
  const include = included?.length ? ` INCLUDE (${included.map((c) => quoteIdent(table.columns[c]?.name ?? '?')).join(', ')})` : '';
  switch (con.type) {
    case 'p': return `PRIMARY KEY (${cols})${include}`;
    case 'u': return `UNIQUE ${index?.nullsNotDistinct ? 'NULLS NOT DISTINCT ' : ''}(${cols})${include}`;
    case 'c': {
      const text = (pretty ? con.checkSql : con.checkPlainSql ?? con.checkSql) ?? 'true';
      return `CHECK (${catalog ? qualifyExpressionText(catalog, visible, text) : text})`;
    }
    case 'f': {
      const ref = con.refTable === undefined ? undefined : catalog?.tables.get(con.refTable);
      if (!ref) return `FOREIGN KEY (${cols})`;
      // generate_relation_name: schema-qualified unless visible on the search path (Quiver: public)
      const refName = qualifiedIn(visible, ref.schema, quoteIdent(ref.name));
      const refCols = (con.refColumns ?? []).map((c) => quoteIdent(ref.columns[c]?.name ?? '?')).join(', ');
      let def = `FOREIGN KEY (${cols}) REFERENCES ${refName}(${refCols})`;
      if (con.match === 'f') def += ' MATCH FULL';
      else if (con.match === 'p') def += ' MATCH PARTIAL';
      if (con.onUpdate && FK_ACTIONS[con.onUpdate]) def += ` ON UPDATE ${FK_ACTIONS[con.onUpdate]}`;
      if (con.onDelete && FK_ACTIONS[con.onDelete]) def += ` ON DELETE ${FK_ACTIONS[con.onDelete]}`;
      return def;
    }
  }
}

/** pg_get_viewdef(text): the relation a possibly qualified, possibly quoted name finds (42P01 when none) */
function viewNamed(catalog: Catalog, visible: Visible, text: string): TableDef | undefined {
  const parts = [...text.matchAll(/"((?:[^"]|"")*)"|([^."]+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!.trim().toLowerCase()));
  const [schema, name] = parts.length > 1 ? [parts[parts.length - 2], parts[parts.length - 1]] : [undefined, parts[0]];
  const found = [...catalog.tables.values()].find((t) => t.name === name && (schema !== undefined ? t.schema === schema : visible(t.schema)));
  if (!found) throw new SqlError(SqlState.undefinedTable, `relation "${text}" does not exist`);
  return found;
}

/**
 * pg_get_expr(…, true): the catalog column holds the plain text; the relation's expression
 * kept with that plain text gives its pretty one (ruleutils deparses the one tree both ways).
 */
function prettyExpressionText(catalog: Catalog, relid: number, plain: string): string {
  const table = catalog.tables.get(relid);
  if (!table) return plain;
  for (const c of table.columns) if (c.defaultExpr && columnDefaultSql(c) === plain) return columnDefaultSql(c, true) ?? plain;
  for (const k of table.constraints) if (k.checkPlainSql === plain && k.checkSql !== undefined) return k.checkSql;
  for (const i of table.indexes) if (i.predicatePlainSql === plain && i.predicateSql !== undefined) return i.predicateSql;
  return plain;
}

/** pg_get_indexdef(oid, colno, pretty): colno 0 is the whole statement, otherwise that key column. */
function indexDefColumn(catalog: Catalog, oid: number, colno: number, visible: Visible, pretty = false): string | null {
  const found = findIndexByOid(catalog, oid);
  if (!found) return null;
  const { table, index } = found;
  if (colno === 0) return indexDef(table, index, visible, pretty);
  const col = index.columns[colno - 1];
  if (col === undefined) {
    // an INCLUDE column follows the keys
    const included = index.include?.[colno - 1 - index.columns.length];
    return included === undefined ? '' : quoteIdent(table.columns[included].name);
  }
  if (index.expression) return indexExpressionText(index.expression, pretty);
  return quoteIdent(table.columns[col].name);
}

/** format_type(): built-in types by the shared spelling, table row types by name, unknown OIDs as ??? */
export function formatTypeOf(catalog: Catalog, oid: number, typmod: number | null, visible: Visible = ALL_VISIBLE): string {
  // format_type(oid, NULL) spells plain bpchar "character"; with a typmod argument (even -1) it is "bpchar"
  if (oid === 0) return '-';
  if (TYPES.has(oid)) {
    const text = typmod === null ? formatType(sqlType(oid)) : formatTypeWithTypmod(sqlType(oid, typmod));
    return VECTOR_TYPES.has(oid) ? vectorObject(visible, text) : text;
  }
  for (const t of catalog.tables.values()) if (t.rowTypeOid === oid) return qualifiedIn(visible, t.schema, quoteIdent(t.name));
  return '???';
}

const VECTOR_TYPES = new Set<number>([OID.vector, OID._vector, OID.halfvec, OID._halfvec, OID.sparsevec, OID._sparsevec]);

function functionAt(catalog: Catalog, name: string, argTypes: readonly SqlType[], visible: Visible): ScalarFunction | undefined {
  const n = argTypes.length;
  // pg_node_tree has no cast to text in pg_cast: take it as it comes (its values are SQL text here)
  const textLike = (t: SqlType | undefined) => (t?.oid === OID.pg_node_tree ? t : T.text);
  switch (name) {
    case 'satisfies_hash_partition':
      return satisfiesHashPartition(catalog, argTypes);
    case 'pg_get_expr':
      // adbin / conbin / indpred / relpartbound hold the expression's text without pretty mode, deparsed when the DDL ran
      if (n === 2 || n === 3) {
        return fn(n === 2 ? [textLike(argTypes[0]), T.oid] : [textLike(argTypes[0]), T.oid, T.bool], T.text, (a) => {
          const text = a[2] === true ? prettyExpressionText(catalog, a[1] as number, String(a[0])) : String(a[0]);
          return qualifyExpressionText(catalog, visible, text);
        });
      }
      break;
    case 'pg_get_indexdef':
      if (n === 1) return fn([T.oid], T.text, (a) => indexDefColumn(catalog, a[0] as number, 0, visible));
      if (n === 3) return fn([T.oid, T.int4, T.bool], T.text, (a) => indexDefColumn(catalog, a[0] as number, a[1] as number, visible, a[2] === true));
      break;
    case 'pg_get_constraintdef':
      if (n === 1 || n === 2) {
        return fn(n === 1 ? [T.oid] : [T.oid, T.bool], T.text, (a) => {
          const found = findConstraintByOid(catalog, a[0] as number);
          if (found) return constraintDef(found.table, found.con, catalog, visible, a[1] === true);
          return domainConstraintDef(catalog, a[0] as number, a[1] === true, visible) ?? null;
        });
      }
      break;
    case 'pg_get_viewdef':
      if (n === 1 || n === 2) {
        // (text [, bool]): the view named, as regclass input finds it; (oid [, bool | int]): a wrap column is pretty too
        const byName = ([OID.text, OID.unknown, OID.varchar, OID.name, OID.bpchar] as number[]).includes(argTypes[0]?.oid ?? 0);
        const second = argTypes[1]?.oid === OID.int4 ? T.int4 : T.bool;
        return fn([byName ? T.text : T.oid, second].slice(0, n), T.text, (a) => {
          const v = byName ? viewNamed(catalog, visible, String(a[0])) : catalog.tables.get(a[0] as number);
          if (!v || !(v.kind === 'v' || v.kind === 'm') || !v.view) return null;
          // ruleutils ends the query with a semicolon (pg_dump strips it)
          const wrap = second === T.int4 && n === 2 && typeof a[1] === 'number' ? a[1] : undefined;
          return `${viewDefinitionText(catalog, visible, v, n === 2 && a[1] !== false && a[1] !== null, wrap)};`;
        });
      }
      break;
    case 'pg_partition_root':
      // the top of the partition tree the table is in; NULL outside one (partitionfuncs.c)
      if (n === 1) return fn([T.regclass], T.regclass, (a) => {
        let t = catalog.tables.get(a[0] as number);
        if (!t || (t.kind !== 'p' && !t.partitionOf)) return null;
        while (t.partitionOf) t = catalog.tables.get(t.partitionOf.parent) ?? t;
        return t.oid;
      });
      break;
    case 'pg_get_partkeydef':
      if (n === 1) return fn([T.oid], T.text, (a) => {
        const t = catalog.tables.get(a[0] as number);
        return t ? partitionKeyDef(t) : null;
      });
      break;
    case 'pg_get_function_result':
    case 'pg_get_function_arguments':
    case 'pg_get_function_identity_arguments':
      if (n === 1) return fn([T.oid], T.text, (a) => {
        const f = catalog.functions.get(a[0] as number);
        return f ? functionSignatureText(f, name, visible) : builtinProcSignature(a[0] as number, name) ?? null;
      });
      break;
    case 'pg_get_functiondef':
      if (n === 1) return fn([T.oid], T.text, (a) => {
        const f = catalog.functions.get(a[0] as number);
        return f ? functionDef(f, visible) : null;
      });
      break;
    case 'pg_get_partition_constraintdef':
      if (n === 1) return fn([T.oid], T.text, (a) => {
        const t = catalog.tables.get(a[0] as number);
        return t ? partitionConstraintDef(catalog, t) : null;
      });
      break;
    case 'pg_get_triggerdef':
    case 'pg_get_ruledef':
    case 'pg_get_statisticsobjdef':
    case 'pg_get_statisticsobjdef_columns':
      if (n === 1 || (n === 2 && (name === 'pg_get_triggerdef' || name === 'pg_get_ruledef'))) return fn(n === 1 ? [T.oid] : [T.oid, T.bool], T.text, () => null);
      break;
    case 'pg_describe_object':
      if (n === 3) return fn([T.oid, T.oid, T.int4], T.text, (a) => describeObject(catalog, a[0] as number, a[1] as number, a[2] as number));
      break;
    case 'obj_description':
      if (n === 1) return fn([T.oid], T.text, (a) => descriptionOf(catalog, a[0] as number, CLASS_OID.pg_class, 0));
      if (n === 2) {
        return fn([T.oid, T.name], T.text, (a) => {
          const classoid = CLASS_OID[a[1] as string] ?? -1;
          return descriptionOf(catalog, a[0] as number, classoid, 0) ?? builtinDescription(a[0] as number, classoid) ?? null;
        });
      }
      break;
    case 'col_description':
      if (n === 2) return fn([T.oid, T.int4], T.text, (a) => descriptionOf(catalog, a[0] as number, CLASS_OID.pg_class, a[1] as number));
      break;
    case 'shobj_description':
      if (n === 2) return fn([T.oid, T.name], T.text, (a) => descriptionOf(catalog, a[0] as number, CLASS_OID[a[1] as string] ?? -1, 0));
      break;
    case 'acldefault':
      if (n === 2) return fn([T.char, T.oid], T._text, (a, ctx) => defaultAcl(String(a[0]), roleName(a[1] as number, ctx.user)));
      break;
    case 'pg_get_userbyid':
      if (n === 1) return fn([T.oid], T.name, (a, ctx) => roleName(a[0] as number, ctx.user));
      break;
    case 'format_type':
      if (n === 2) return fn([T.oid, T.int4], T.text, (a) => (a[0] === null ? null : formatTypeOf(catalog, a[0] as number, a[1] as number | null, visible)), false);
      break;
    case 'pg_relation_is_publishable':
      if (n === 1) return fn([T.regclass], T.bool, (a) => catalog.tables.has(a[0] as number));
      break;
    case 'pg_size_pretty':
      if (n === 1) {
        const numeric = argTypes[0]?.oid === OID.numeric;
        return fn([numeric ? T.numeric : T.int8], T.text, (a) => sizePretty(numeric ? BigInt(String(a[0]).split('.')[0]) : (a[0] as bigint)));
      }
      break;
    case 'pg_tablespace_location':
      if (n === 1) return fn([T.oid], T.text, () => '');
      break;
    case 'pg_get_owner':
      if (n === 1) return fn([T.oid], T.name, (_a, ctx) => objectOwnerName(ctx.user));
      break;
    case 'pg_has_role':
      if (n === 2 || n === 3) return fn(argTypes.map((t) => (t.oid === OID.unknown ? T.text : t)), T.bool, () => true);
      break;
    case 'has_function_privilege':
    case 'has_sequence_privilege':
    case 'has_any_column_privilege':
    case 'has_type_privilege':
    case 'has_tablespace_privilege':
      if (n === 2 || n === 3) return fn(argTypes.map((t) => (t.oid === OID.unknown ? T.text : t)), T.bool, () => true);
      break;
    case 'pg_get_function_sqlbody':
      if (n === 1) return fn([T.oid], T.text, () => null);
      break;
    case 'pg_collation_is_visible':
    case 'pg_opclass_is_visible':
    case 'pg_opfamily_is_visible':
    case 'pg_operator_is_visible':
    case 'pg_conversion_is_visible':
    case 'pg_statistics_obj_is_visible':
    case 'pg_ts_config_is_visible':
      if (n === 1) return fn([T.oid], T.bool, () => true);
      break;
  }
  return undefined;
}

/** acl.c acldefault: the privileges an object of that kind has before any GRANT or REVOKE */
function defaultAcl(kind: string, owner: string): string[] {
  const own = (privs: string) => `${quoteIdent(owner)}=${privs}/${quoteIdent(owner)}`;
  switch (kind) {
    case 'r': return [own('arwdDxt')];
    case 's': return [own('rwU')];
    case 'd': return [`=Tc/${quoteIdent(owner)}`, own('CTc')];
    case 'f': return [`=X/${quoteIdent(owner)}`, own('X')];
    case 'l': case 'T': return [`=U/${quoteIdent(owner)}`, own('U')];
    case 'L': return [own('rw')];
    case 'n': return [own('UC')];
    case 't': return [own('C')];
    case 'F': case 'S': return [own('U')];
    case 'p': return [own('sA')];
    default: return [];
  }
}

/** dbsize.c pg_size_pretty: bytes below 10 kB, then kB … PB, each rounded half away from zero. */
export function sizePretty(size: bigint): string {
  const units: [string, bigint, boolean, number][] = [['bytes', 10n * 1024n, false, 0], ['kB', 20n * 1024n - 1n, true, 10], ['MB', 20n * 1024n - 1n, true, 20],
    ['GB', 20n * 1024n - 1n, true, 30], ['TB', 20n * 1024n - 1n, true, 40], ['PB', 20n * 1024n - 1n, true, 50]];
  const abs = (x: bigint) => (x < 0n ? -x : x);
  for (let i = 0; i < units.length; i++) {
    const [unit, limit, round, bits] = units[i];
    if (i === units.length - 1 || abs(size) < limit) {
      if (round) size = (size + (size < 0n ? -1n : 1n)) / 2n;
      return `${size} ${unit}`;
    }
    const next = units[i + 1];
    const shift = next[3] - bits - (next[2] ? 1 : 0) + (round ? 1 : 0);
    size /= 1n << BigInt(shift);
  }
  return `${size} bytes`;
}

/** Catalog-reading functions; undefined → not one of them. */
export function catalogFunction(catalog: Catalog, name: string, argTypes: readonly SqlType[], visible: Visible = ALL_VISIBLE): ScalarFunction | undefined {
  return functionAt(catalog, name, argTypes, visible);
}
