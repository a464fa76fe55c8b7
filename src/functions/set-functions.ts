/**
 * Set-returning functions: generate_series, unnest, generate_subscripts, regexp_matches,
 * regexp_split_to_table, string_to_table, json[b]_each[_text], json[b]_array_elements[_text],
 * json[b]_object_keys, pg_get_keywords, information_schema._pg_expandarray.
 *
 * One registry serves the binder (resolveSetFunction: overloads, argument types, output
 * columns) and the executor (setFunctionRows). A function has one or more output columns:
 * in FROM they become the relation's columns, in the select list a one-column function
 * yields its value and a several-column one a record (whose fields `(f(x)).n` selects).
 */
import { SqlError, SqlState } from '../errors.js';
import { selectCandidate, oidOf, functionNotFound, functionNotUnique } from './registry.js';
import { regexpMatchesRows, regexpSplitValues } from './scalar.js';
import { jsonArrayElementRows, jsonEachRows, jsonObjectKeyRows } from './json-modify.js';
import { parseJsonTree } from '../types/json.js';
import { PATH_FUNCTION_ARGS, pathQuery } from './jsonpath.js';
import { OID, T, TYPES, sqlType, type MultirangeValue, type Row, type SqlType, type Value } from '../types/types.js';
import { multirangeRangeType } from '../types/multirange.js';
import { isRowType } from '../types/records.js';
import type { EvalContext, FunctionServices } from './api.js';
import { debugRows, parseRows, tokenTypeRows } from './text-search/debug.js';
import { configByOid, defaultConfig } from './text-search/config.js';

export interface SetFunctionColumn {
  readonly name: string;
  readonly type: SqlType;
}

export interface ResolvedSetFunction {
  /** the types the arguments are cast to */
  readonly argTypes: readonly SqlType[];
  readonly columns: readonly SetFunctionColumn[];
  /** true when the function has named OUT columns (json_each → key, value): in FROM they
   *  keep their names; otherwise the single column is named after the alias / function */
  readonly namedColumns: boolean;
}

interface SetFunctionDef {
  readonly args: readonly number[];
  readonly variadic?: number;
  /** output columns for the resolved argument types */
  readonly columns: (argTypes: readonly SqlType[]) => readonly SqlType[];
  readonly names?: readonly string[];
  /** the rows, lazily where there can be many (generate_series is a generator) */
  readonly rows: (args: readonly Value[], argTypes: readonly SqlType[], ctx: EvalContext | undefined) => Iterable<Row>;
  /** a NULL argument yields no rows without calling rows() (default true) */
  readonly strict?: boolean;
}

const DEFS = new Map<string, SetFunctionDef[]>();

function def(name: string, args: string[], columns: SetFunctionDef['columns'] | string, rows: SetFunctionDef['rows'], opts: { names?: string[]; strict?: boolean; variadic?: string } = {}): void {
  const list = DEFS.get(name) ?? [];
  const fixed = typeof columns === 'string' ? columns.split(',').map((c) => sqlType(oidOf(c))) : undefined;
  list.push({
    args: args.map(oidOf), columns: fixed ? () => fixed : (columns as SetFunctionDef['columns']), rows,
    names: opts.names, strict: opts.strict, variadic: opts.variadic ? oidOf(opts.variadic) : undefined,
  });
  DEFS.set(name, list);
}

/** The schema-less name of a set-returning function, or undefined. */
export function isSetReturning(name: string): boolean {
  return DEFS.has(name);
}

/** Resolve an overload; throws 42883 / 42725 like PostgreSQL when none or several fit. */
export function resolveSetFunction(name: string, argTypes: readonly SqlType[], inFrom = false): ResolvedSetFunction {
  if (name === 'unnest' && argTypes.length > 1 && inFrom) return resolveMultiUnnest(argTypes);
  const chosen = selectCandidate(DEFS.get(name) ?? [], argTypes.map(vectorTypesAsArrays));
  if (chosen === 'ambiguous') throw functionNotUnique(name, argTypes);
  if (!chosen) throw functionNotFound(name, argTypes);
  // polymorphic array arguments keep their own type (int2vector stays int2vector)
  const types = chosen.argTypes.map((t, i) => (chosen.declared[i] === OID.anyarray && argTypes[i].oid !== OID.unknown ? argTypes[i] : t));
  const colTypes = chosen.def.columns(types);
  const names = chosen.def.names ?? [name];
  return { argTypes: types, columns: colTypes.map((type, i) => ({ name: names[i] ?? name, type })), namedColumns: chosen.def.names !== undefined };
}

/** Rows of one call; argTypes are the (already cast) argument types. */
/** unnest(a, b, …) in FROM: one column per array, zipped, shorter arrays padded with NULL */
function resolveMultiUnnest(argTypes: readonly SqlType[]): ResolvedSetFunction {
  const types = argTypes.map(vectorTypesAsArrays);
  if (!types.every((t) => TYPES.get(t.oid)?.category === 'A' && TYPES.get(t.oid)?.elem !== undefined)) throw functionNotFound('unnest', argTypes);
  return { argTypes, columns: types.map((t) => ({ name: 'unnest', type: elemOf(t) })), namedColumns: false };
}

export function setFunctionRows(name: string, args: readonly Value[], argTypes: readonly SqlType[], ctx?: EvalContext): Iterable<Row> {
  if (name === 'unnest' && args.length > 1) {
    const lists = args.map((a, i) => (a === null ? [] : flatOf(a, argTypes[i])));
    const n = Math.max(0, ...lists.map((l) => l.length));
    const rows: Row[] = [];
    for (let i = 0; i < n; i++) rows.push(lists.map((l) => (i < l.length ? l[i] : null)));
    return rows;
  }
  const chosen = selectCandidate(DEFS.get(name) ?? [], argTypes.map(vectorTypesAsArrays));
  if (!chosen || chosen === 'ambiguous') throw new SqlError(SqlState.internalError, `bug: set-returning function ${name} not resolvable at run time`);
  if (chosen.def.strict !== false && args.some((a) => a === null)) return [];
  return chosen.def.rows(args, argTypes, ctx);
}

/** int2vector / oidvector are int2[] / oid[] to polymorphic functions (binary coercible in PostgreSQL) */
function vectorTypesAsArrays(t: SqlType): SqlType {
  if (t.oid === OID.int2vector) return T._int2;
  if (t.oid === OID.oidvector) return T._oid;
  return t;
}

// an anonymous record's array keeps its fields' typmod (records.ts)
const elemOf = (t: SqlType): SqlType => (t.oid === OID.vector ? T.float4 : sqlType(TYPES.get(t.oid)?.elem ?? OID.text, TYPES.get(t.oid)?.elem === OID.record ? t.typmod : -1));
const flatAll = (v: Value): Value[] => (Array.isArray(v) ? v.flatMap(flatAll) : [v]);
/** an array's elements in storage order; an array of rows is one-dimensional (its elements are Value[]) */
const flatOf = (v: Value, t: SqlType | undefined): Value[] => (t !== undefined && isRowType(TYPES.get(t.oid)?.elem ?? 0) && Array.isArray(v) ? v : flatAll(v));
const json = (v: Value, isJsonb: boolean) => parseJsonTree(v as string, isJsonb);

// ---------------------------------------------------------------- generate_series

def('generate_series', ['int4', 'int4'], 'int4', (a) => seriesNumber(a, false));
def('generate_series', ['int4', 'int4', 'int4'], 'int4', (a) => seriesNumber(a, false));
def('generate_series', ['int8', 'int8'], 'int8', (a) => seriesBigint(a));
def('generate_series', ['int8', 'int8', 'int8'], 'int8', (a) => seriesBigint(a));
def('generate_series', ['numeric', 'numeric'], 'numeric', (a) => seriesNumber(a, true));
def('generate_series', ['numeric', 'numeric', 'numeric'], 'numeric', (a) => seriesNumber(a, true));
def('generate_series', ['timestamp', 'timestamp', 'interval'], 'timestamp', (a) => seriesTimestamp(a));
def('generate_series', ['timestamptz', 'timestamptz', 'interval'], 'timestamptz', (a) => seriesTimestamp(a));

// Series are generated lazily: generate_series(1, 2000000000) streams, it is never an array.
function seriesBigint(args: readonly Value[]): Iterable<Row> {
  const [start, stop, step = 1n] = args as bigint[];
  if (step === 0n) throw new SqlError(SqlState.invalidParameterValue, 'step size cannot equal zero');
  return (function* () {
    for (let v = start; step > 0n ? v <= stop : v >= stop; v += step) yield [v];
  })();
}

function seriesNumber(args: readonly Value[], numeric: boolean): Iterable<Row> {
  const [start, stop, step = 1] = args.map(Number);
  if (step === 0) throw new SqlError(SqlState.invalidParameterValue, 'step size cannot equal zero');
  return (function* () {
    for (let v = start; step > 0 ? v <= stop : v >= stop; v += step) yield [numeric ? String(v) : v];
  })();
}

function seriesTimestamp(args: readonly Value[]): Iterable<Row> {
  const [start, stop, step] = args as [number, number, { months: number; days: number; micros: number }];
  const stepMicros = step.micros + step.days * 86_400_000_000;
  if (step.months !== 0) throw new SqlError(SqlState.featureNotSupported, 'generate_series with month steps is not supported');
  if (stepMicros === 0) throw new SqlError(SqlState.invalidParameterValue, 'step size cannot equal zero');
  return (function* () {
    for (let v = start; stepMicros > 0 ? v <= stop : v >= stop; v += stepMicros) yield [v];
  })();
}

// ---------------------------------------------------------------- arrays

def('unnest', ['anyarray'], (t) => [elemOf(t[0])], ([a], t) => flatOf(a, t[0]).map((v) => [v]));
// unnest(anymultirange): its ranges in order (multirange_unnest)
def('unnest', ['anymultirange'], (t) => [sqlType(multirangeRangeType(t[0]!.oid) ?? OID.anyrange)], ([m]) => (m as MultirangeValue).ranges.map((r) => [r]));
def('unnest', ['vector'], 'float4', ([a]) => Array.from(a as Float32Array, (x) => [x]));
def('generate_subscripts', ['anyarray', 'int4'], 'int4', ([a, d]) => subscripts(a as Value[], d as number, false));
def('generate_subscripts', ['anyarray', 'int4', 'bool'], 'int4', ([a, d, r]) => subscripts(a as Value[], d as number, r as boolean));
def('_pg_expandarray', ['anyarray'], (t) => [elemOf(t[0]), T.int4], ([a], t) => flatOf(a, t[0]).map((v, i) => [v, i + 1]), { names: ['x', 'n'] });

function subscripts(a: Value[], dim: number, reverse: boolean): Row[] {
  let level: Value = a;
  for (let d = 1; d < dim; d++) {
    if (!Array.isArray(level) || level.length === 0 || !Array.isArray(level[0])) return [];
    level = level[0];
  }
  if (dim < 1 || !Array.isArray(level) || level.length === 0) return [];
  const n = level.length;
  const out: Row[] = [];
  for (let i = 1; i <= n; i++) out.push([reverse ? n - i + 1 : i]);
  return out;
}

// ---------------------------------------------------------------- strings

def('regexp_matches', ['text', 'text'], '_text', ([s, p]) => regexpMatchesRows(s as string, p as string).map((m) => [m]));
def('regexp_matches', ['text', 'text', 'text'], '_text', ([s, p, f]) => regexpMatchesRows(s as string, p as string, f as string).map((m) => [m]));
def('regexp_split_to_table', ['text', 'text'], 'text', ([s, p]) => regexpSplitValues(s as string, p as string).map((v) => [v]));
def('regexp_split_to_table', ['text', 'text', 'text'], 'text', ([s, p, f]) => regexpSplitValues(s as string, p as string, f as string).map((v) => [v]));
def('string_to_table', ['text', 'text'], 'text', ([s, d]) => stringToTable(s, d, null), { strict: false });
def('string_to_table', ['text', 'text', 'text'], 'text', ([s, d, n]) => stringToTable(s, d, n), { strict: false });

function stringToTable(s: Value, delim: Value, nullStr: Value): Row[] {
  if (s === null) return [];
  const str = s as string;
  let parts: string[];
  if (delim === null) parts = Array.from(str);
  else if (str === '') parts = [];
  else if (delim === '') parts = [str];
  else parts = str.split(delim as string);
  return parts.map((p) => [nullStr !== null && p === nullStr ? null : p]);
}

// ---------------------------------------------------------------- json

for (const isJsonb of [true, false]) {
  const p = isJsonb ? 'jsonb' : 'json';
  def(`${p}_each`, [p], `text,${p}`, ([v]) => jsonEachRows(json(v, isJsonb), false, `${p}_each`), { names: ['key', 'value'] });
  def(`${p}_each_text`, [p], 'text,text', ([v]) => jsonEachRows(json(v, isJsonb), true, `${p}_each_text`), { names: ['key', 'value'] });
  def(`${p}_array_elements`, [p], p, ([v]) => jsonArrayElementRows(json(v, isJsonb), false, `${p}_array_elements`).map((x) => [x]), { names: ['value'] });
  def(`${p}_array_elements_text`, [p], 'text', ([v]) => jsonArrayElementRows(json(v, isJsonb), true, `${p}_array_elements_text`).map((x) => [x]), { names: ['value'] });
  def(`${p}_object_keys`, [p], 'text', ([v]) => jsonObjectKeyRows(json(v, isJsonb), `${p}_object_keys`).map((k) => [k]));
}

for (const sfx of ['', '_tz']) {
  for (const args of PATH_FUNCTION_ARGS) def(`jsonb_path_query${sfx}`, [...args], 'jsonb', (a) => pathQuery(a).map((x) => [x]));
}

// ---------------------------------------------------------------- full-text search (text-search/debug.ts)

for (const parser of ['text', 'oid']) {
  def('ts_token_type', [parser], 'int4,text,text', ([p]) => tokenTypeRows(p!), { names: ['tokid', 'alias', 'description'] });
  def('ts_parse', [parser, 'text'], 'int4,text', ([p, t]) => parseRows(p!, t as string), { names: ['tokid', 'token'] });
}
const DEBUG_NAMES = ['alias', 'description', 'token', 'dictionaries', 'dictionary', 'lexemes'];
def('ts_debug', ['regconfig', 'text'], 'text,text,text,_regdictionary,regdictionary,_text', ([c, t]) => debugRows(configByOid(c as number), t as string), { names: DEBUG_NAMES });
def('ts_debug', ['text'], 'text,text,text,_regdictionary,regdictionary,_text', ([t], _types, ctx) => debugRows(defaultConfig(ctx?.setting('default_text_search_config')), t as string), { names: DEBUG_NAMES });

// ---------------------------------------------------------------- catalog

// partition trees, as PostgreSQL's partitionfuncs.c: nothing for a table outside one
def('pg_partition_ancestors', ['regclass'], 'regclass', ([rel], _t, ctx) => partitionAncestors(ctx!.services, rel as number).map((oid) => [oid]), { names: ['relid'] });
def('pg_partition_tree', ['regclass'], 'regclass,regclass,bool,int4', ([rel], _t, ctx) => partitionTree(ctx!.services, rel as number), { names: ['relid', 'parentrelid', 'isleaf', 'level'] });
// foreign-data options (name=value items) as rows; pg_dump reads them for every column
def('pg_options_to_table', ['_text'], 'text,text', ([a]) => (a as Value[]).map((o) => {
  const item = String(o);
  const eq = item.indexOf('=');
  return eq < 0 ? [item, null] : [item.slice(0, eq), item.slice(eq + 1)];
}), { names: ['option_name', 'option_value'] });
def('pg_get_keywords', [], 'text,char,bool,text,text', () => keywordRows(), { names: ['word', 'catcode', 'barelabel', 'catdesc', 'baredesc'] });
def('aclexplode', ['_text'], 'oid,oid,text,bool', ([a], _t, ctx) => aclexplodeRows(flatAll(a), ctx), { names: ['grantor', 'grantee', 'privilege_type', 'is_grantable'] });

/** aclitem letters in their bit order (ACL_INSERT … ACL_CONNECT) and each one's name */
const ACL_PRIVILEGES: readonly [string, string][] = [['a', 'INSERT'], ['r', 'SELECT'], ['w', 'UPDATE'], ['d', 'DELETE'], ['D', 'TRUNCATE'], ['x', 'REFERENCES'],
  ['t', 'TRIGGER'], ['X', 'EXECUTE'], ['U', 'USAGE'], ['C', 'CREATE'], ['T', 'TEMPORARY'], ['c', 'CONNECT']];

/** A role name of aclitem text (aclitemout's putid: double-quoted unless plain), and the rest of the text. */
function aclName(text: string): [string, string] {
  if (!text.startsWith('"')) {
    const end = text.search(/[=/]/);
    return end < 0 ? [text, ''] : [text.slice(0, end), text.slice(end)];
  }
  let name = '';
  let i = 1;
  for (; i < text.length; i++) {
    if (text[i] === '"' && text[i + 1] === '"') { name += '"'; i++; continue; }
    if (text[i] === '"') break;
    name += text[i];
  }
  return [name, text.slice(i + 1)];
}

/** aclexplode: one row per privilege of each aclitem (`grantee=privs/grantor`, PUBLIC's grantee empty: OID 0) */
function aclexplodeRows(items: readonly Value[], ctx: EvalContext | undefined): Row[] {
  const roleOid = (name: string): number => {
    try {
      return ctx?.services.roleOid?.(name) ?? 0;
    } catch {
      return Number(/^unknown \(OID=(\d+)\)$/.exec(name)?.[1] ?? 0);
    }
  };
  const rows: Row[] = [];
  for (const item of items) {
    if (item === null) continue;
    const [grantee, rest] = aclName(String(item));
    const slash = rest.lastIndexOf('/');
    const privs = rest.slice(1, slash < 0 ? undefined : slash);
    const grantor = slash < 0 ? '' : aclName(rest.slice(slash + 1))[0];
    for (const [letter, name] of ACL_PRIVILEGES) {
      const at = privs.indexOf(letter);
      if (at < 0) continue;
      rows.push([roleOid(grantor), grantee === '' ? 0 : roleOid(grantee), name, privs[at + 1] === '*']);
    }
  }
  return rows;
}

/** PostgreSQL 15's keyword list (src/include/parser/kwlist.h) by category and bare-label flag. */
const KEYWORDS: readonly [string, string][] = [
  ['Cf', 'char character precision'],
  ['Ct', 'between bigint bit boolean coalesce dec decimal exists extract float greatest grouping inout int integer interval least national nchar none normalize nullif numeric out overlay position real row setof smallint substring time timestamp treat trim values varchar xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable'],
  ['Rf', 'array as create except fetch for from grant group having intersect into limit offset on order returning to union where window with'],
  ['Rt', 'all analyse analyze and any asc asymmetric both case cast check collate column constraint current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc distinct do else end false foreign in initially lateral leading localtime localtimestamp not null only or placing primary references select session_user some symmetric table then trailing true unique user using variadic when'],
  ['Tf', 'isnull notnull overlaps'],
  ['Tt', 'authorization binary collation concurrently cross current_schema freeze full ilike inner is join left like natural outer right similar tablesample verbose'],
  ['Uf', 'day filter hour minute month over second varying within without year'],
  ['Ut', 'abort absolute access action add admin after aggregate also alter always asensitive assertion assignment at atomic attach attribute backward before begin breadth by cache call called cascade cascaded catalog chain characteristics checkpoint class close cluster columns comment comments commit committed compression configuration conflict connection constraints content continue conversion copy cost csv cube current cursor cycle data database deallocate declare defaults deferred definer delete delimiter delimiters depends depth detach dictionary disable discard document domain double drop each enable encoding encrypted enum escape event exclude excluding exclusive execute explain expression extension external family finalize first following force forward function functions generated global granted groups handler header hold identity if immediate immutable implicit import include including increment index indexes inherit inherits inline input insensitive insert instead invoker isolation key label language large last leakproof level listen load local location lock locked logged mapping match matched materialized maxvalue merge method minvalue mode move name names new next nfc nfd nfkc nfkd no normalized nothing notify nowait nulls object of off oids old operator option options ordinality others overriding owned owner parallel parameter parser partial partition passing password plans policy preceding prepare prepared preserve prior privileges procedural procedure procedures program publication quote range read reassign recheck recursive ref referencing refresh reindex relative release rename repeatable replace replica reset restart restrict return returns revoke role rollback rollup routine routines rows rule savepoint schema schemas scroll search security sequence sequences serializable server session set sets share show simple skip snapshot sql stable standalone start statement statistics stdin stdout storage stored strict strip subscription support sysid system tables tablespace temp template temporary text ties transaction transform trigger truncate trusted type types uescape unbounded uncommitted unencrypted unknown unlisten unlogged until update vacuum valid validate validator value version view views volatile whitespace work wrapper write xml yes zone'],];

const CATDESC: Record<string, string> = {
  U: 'unreserved', C: 'unreserved (cannot be function or type name)', T: 'reserved (can be function or type name)', R: 'reserved',
};

let keywordCache: Row[] | undefined;
function keywordRows(): Row[] {
  if (!keywordCache) {
    const rows: Row[] = [];
    for (const [code, words] of KEYWORDS) {
      const bare = code[1] === 't';
      for (const w of words.split(' ')) rows.push([w, code[0], bare, CATDESC[code[0]], bare ? 'can be bare label' : 'requires AS']);
    }
    rows.sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1));
    keywordCache = rows;
  }
  return keywordCache.map((r) => [...r]);
}

function inPartitionTree(info: ReturnType<FunctionServices['partitionInfo']>): boolean {
  return info !== undefined && (info.partitioned || info.parent !== undefined);
}

function partitionAncestors(services: FunctionServices, oid: number): number[] {
  if (!inPartitionTree(services.partitionInfo(oid))) return [];
  const out: number[] = [];
  for (let at: number | undefined = oid; at !== undefined; at = services.partitionInfo(at)?.parent) out.push(at);
  return out;
}

/** the table and everything below it, level by level, each level in OID order */
function partitionTree(services: FunctionServices, oid: number): Row[] {
  const root = services.partitionInfo(oid);
  if (!root || !inPartitionTree(root)) return [];
  const rows: Row[] = [];
  let level: { oid: number; parent: number | null }[] = [{ oid, parent: root.parent ?? null }];
  for (let depth = 0; level.length; depth++) {
    const next: typeof level = [];
    for (const t of level) {
      const info = services.partitionInfo(t.oid);
      rows.push([t.oid, depth === 0 ? info?.parent ?? null : t.parent, !info?.partitioned, depth]);
      for (const c of info?.children ?? []) next.push({ oid: c, parent: t.oid });
    }
    level = next;
  }
  return rows;
}
