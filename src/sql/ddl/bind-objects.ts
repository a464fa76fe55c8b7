/** DROP, CREATE INDEX / VIEW / SEQUENCE / EXTENSION / SCHEMA / DATABASE, COMMENT, RENAME, TRUNCATE from the parser's tree. */
import type {
  AlterSeqStmt, CommentStmt, ObjectWithArgs, CreateSeqStmt, DropStmt, IndexElem, IndexStmt, Node, RenameStmt, TruncateStmt, ViewStmt,
} from '@pgsql/types';
import * as pg from 'libpg-query';
import { SqlError, SqlState } from '../../errors.js';
import { resolveTypeName } from '../type-names.js';
import { hasModifyingWith } from '../modifying-with.js';
import type { RawNode } from '../parser.js';
import { ddlExpr, parsedExpr } from './parsed-expr.js';
import { defElems, names, qualified, qualifiedFromNames, nullsNotDistinctOf, typeRef } from './tree.js';
import type { ViewNameRef } from '../../catalog/catalog.js';
import type { BoundDdl, CommentTarget, CreateIndex, CreateView, Drop, FunctionRef, IndexColumnSpec, QualifiedName, RenameTarget, SequenceOptions } from './types.js';

export function bindDrop(n: DropStmt): Drop {
  const missingOk = !!n.missing_ok;
  const cascade = n.behavior === 'DROP_CASCADE';
  if (n.removeType === 'OBJECT_FUNCTION') {
    const functions = (n.objects ?? []).flatMap((o): FunctionRef[] => ('ObjectWithArgs' in o ? [functionRef(o.ObjectWithArgs)] : []));
    return { kind: 'drop', objectType: 'function', functions, missingOk, cascade };
  }
  return { kind: 'drop', objectType: (n.removeType ?? '').slice(7).toLowerCase(), objects: (n.objects ?? []).map(objectName), missingOk, cascade };
}

/** name[(types)] of DROP FUNCTION / COMMENT ON FUNCTION */
export function functionRef(w: ObjectWithArgs): FunctionRef {
  const ref = qualifiedFromNames(names(w.objname));
  if (w.args_unspecified) return ref;
  return { ...ref, argTypes: (w.objargs ?? []).map((t) => resolveTypeName(('TypeName' in t ? t.TypeName : t) as never)) };
}

/** The (possibly qualified) name of one object of a DROP statement. */
function objectName(obj: Node): QualifiedName {
  if ('List' in obj) return qualifiedFromNames(names(obj.List.items));
  if ('String' in obj) return { name: obj.String.sval ?? '' };
  // DROP TYPE's objects are type names
  if ('TypeName' in obj) return qualifiedFromNames(names(obj.TypeName.names));
  return { name: '' };
}

export function bindCreateIndex(n: IndexStmt): CreateIndex {
  const options: Record<string, string> = {};
  for (const d of defElems(n.options)) options[d.defname ?? ''] = optionText(d.arg);
  return {
    kind: 'createIndex',
    ...(n.idxname ? { name: n.idxname } : {}),
    table: qualified(n.relation),
    only: !n.relation?.inh, // the parser leaves inh out (false) for ONLY
    method: (n.accessMethod ?? 'btree').toLowerCase(),
    unique: !!n.unique,
    ...nullsNotDistinctOf(n.nulls_not_distinct),
    ifNotExists: !!n.if_not_exists,
    concurrently: !!n.concurrent,
    columns: (n.indexParams ?? []).flatMap((p) => ('IndexElem' in p ? [indexColumn(p.IndexElem)] : [])),
    options,
    ...(n.whereClause ? { where: ddlExpr(n.whereClause) } : {}),
    ...(n.indexIncludingParams?.length ? { include: n.indexIncludingParams.flatMap((p) => ('IndexElem' in p ? [includedColumn(p.IndexElem)] : [])) } : {}),
  };
}

/** an INCLUDE element: a column (PostgreSQL refuses an expression there) */
function includedColumn(e: IndexElem): string {
  if (!e.name) throw new SqlError(SqlState.featureNotSupported, 'expressions are not supported in included columns');
  return e.name;
}

/** WITH (m = 16): the option's value as text (protobuf omits zero values: an Integer without ival is 0). */
function optionText(arg: Node | undefined): string {
  if (!arg) return '';
  if ('Integer' in arg) return String(arg.Integer.ival ?? 0);
  if ('String' in arg) return arg.String.sval ?? '';
  if ('Float' in arg) return arg.Float.fval ?? '';
  if ('A_Const' in arg && arg.A_Const.ival) return String(arg.A_Const.ival.ival ?? 0);
  // a bare word (WITH (quantization = i8)) parses as a type name, as in PostgreSQL's defGetString
  if ('TypeName' in arg) return names(arg.TypeName.names ?? []).join('.');
  return '';
}

function indexColumn(e: IndexElem): IndexColumnSpec {
  const opclass = e.opclass?.length ? { opclass: names(e.opclass).pop()! } : {};
  if (e.name) return { kind: 'column', column: e.name, ...opclass };
  const cast = e.expr && 'TypeCast' in e.expr ? e.expr.TypeCast : undefined;
  const ref = cast?.arg && 'ColumnRef' in cast.arg ? cast.arg.ColumnRef : undefined;
  const field = ref?.fields?.length === 1 ? ref.fields[0] : undefined;
  if (cast && field && 'String' in field) return { kind: 'castColumn', column: field.String.sval ?? '', type: typeRef(cast.typeName), expr: ddlExpr(e.expr!), ...opclass };
  return { kind: 'expression', expr: ddlExpr(e.expr!), ...opclass };
}

/**
 * The view's query text as written (pg_get_viewdef shows it): from the token after the
 * first AS outside parentheses to the end of the statement, less a trailing
 * WITH … CHECK OPTION. Tokens come from PostgreSQL's own scanner, so quoted names, strings
 * and comments cannot be mistaken for the keyword.
 */
export function viewQueryText(statement: string, withCheckOption: boolean, withData = false): { text: string; start: number } {
  const tokens = pg.scanSync(statement).tokens.filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT');
  const keyword = (i: number, word: string): boolean => tokens[i]?.keywordKind > 0 && tokens[i].text.toUpperCase() === word;
  let depth = 0;
  let start = -1;
  for (let i = 0; i < tokens.length && start < 0; i++) {
    if (tokens[i].text === '(') depth++;
    else if (tokens[i].text === ')') depth--;
    else if (depth === 0 && keyword(i, 'AS')) start = i + 1;
  }
  if (start < 0 || start >= tokens.length) return { text: '', start: 0 };
  let end = tokens.length;
  while (end > start && tokens[end - 1].text === ';') end--;
  // a materialized view's WITH [NO] DATA is no part of its query
  if (withData && keyword(end - 1, 'DATA')) end -= keyword(end - 2, 'NO') ? 3 : 2;
  if (withCheckOption) {
    for (let i = end - 1; i > start; i--) {
      if (keyword(i, 'WITH') && (keyword(i + 1, 'CHECK') || keyword(i + 1, 'LOCAL') || keyword(i + 1, 'CASCADED'))) { end = i; break; }
    }
  }
  return { text: statement.slice(tokens[start].start, tokens[end - 1].end), start: tokens[start].start };
}

const VECTOR_TYPE_NAMES = new Set(['vector', 'halfvec', 'sparsevec']);
const VECTOR_OPERATORS = new Set(['<->', '<#>', '<=>', '<+>', '<~>', '<%>']);

/**
 * The unqualified names in a view's query that pg_get_viewdef qualifies when their schema is
 * not on the search path (pg_dump reads it with an empty one): relations other than the
 * query's own WITH names, function calls, pgvector's type names and distance operators.
 * Offsets are into the view's text.
 */
export function viewNameRefs(query: Node, start: number): ViewNameRef[] {
  const ctes = new Set<string>();
  const refs: ViewNameRef[] = [];
  const visit = (node: unknown, fn: (kind: string, body: Record<string, unknown>) => void): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, fn));
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && /^[A-Z]/.test(k)) fn(k, v as Record<string, unknown>);
      visit(v, fn);
    }
  };
  visit(query, (kind, b) => {
    if (kind === 'CommonTableExpr' && typeof b.ctename === 'string') ctes.add(b.ctename);
  });
  const at = (loc: unknown) => (typeof loc === 'number' && loc >= start ? loc - start : -1);
  const single = (list: unknown) => (Array.isArray(list) && list.length === 1 ? (list[0] as { String?: { sval?: string } }).String?.sval : undefined);
  visit(query, (kind, b) => {
    if (kind === 'RangeVar' && !b.schemaname && typeof b.relname === 'string' && !ctes.has(b.relname) && at(b.location) >= 0) {
      refs.push({ at: at(b.location), name: b.relname, kind: 'relation' });
    } else if (kind === 'FuncCall' && single(b.funcname) && at(b.location) >= 0) {
      refs.push({ at: at(b.location), name: single(b.funcname)!, kind: 'function' });
    } else if (kind === 'TypeCast' && b.typeName && typeof b.typeName === 'object') {
      // the grammar gives a TypeCast its TypeName unwrapped
      const t = b.typeName as Record<string, unknown>;
      if (VECTOR_TYPE_NAMES.has(single(t.names) ?? '') && at(t.location) >= 0) refs.push({ at: at(t.location), name: single(t.names)!, kind: 'type' });
    } else if (kind === 'A_Expr' && b.kind === 'AEXPR_OP' && VECTOR_OPERATORS.has(single(b.name) ?? '') && at(b.location) >= 0) {
      refs.push({ at: at(b.location), name: single(b.name)!, kind: 'operator' });
    }
  });
  return refs.sort((x, y) => x.at - y.at);
}

export function bindCreateView(n: ViewStmt, statement: string): CreateView {
  if (n.query && 'SelectStmt' in n.query && hasModifyingWith(n.query.SelectStmt.withClause as RawNode | undefined)) {
    throw new SqlError(SqlState.featureNotSupported, 'views must not contain data-modifying statements in WITH');
  }
  const text = viewQueryText(statement, !!n.withCheckOption && n.withCheckOption !== 'NO_CHECK_OPTION');
  return {
    kind: 'createView',
    relation: qualified(n.view),
    replace: !!n.replace,
    aliases: names(n.aliases),
    ...(n.query && 'SelectStmt' in n.query ? { query: parsedExpr(n.query) } : {}),
    sql: text.text,
    names: n.query ? viewNameRefs(n.query, text.start) : [],
    ...(n.view?.relpersistence === 't' ? { temporary: true } : {}),
  };
}

export function bindCreateSequence(n: CreateSeqStmt): BoundDdl {
  return {
    kind: 'createSequence', relation: qualified(n.sequence), ifNotExists: !!n.if_not_exists, options: sequenceOptions(n.options),
    ...(n.sequence?.relpersistence === 't' ? { temporary: true } : {}),
  };
}

/** CREATE SEQUENCE's options, also those of an identity column's sequence (SEQUENCE NAME aside) */
export function sequenceOptions(list: Node[] | undefined): SequenceOptions {
  const elems = defElems(list);
  const value = (key: string): bigint | undefined => {
    const arg = elems.find((d) => d.defname === key)?.arg;
    if (!arg) return undefined;
    if ('Integer' in arg) return BigInt(arg.Integer.ival ?? 0);
    if ('Float' in arg) return BigInt(arg.Float.fval ?? '0');
    return undefined;
  };
  const as = elems.find((d) => d.defname === 'as')?.arg;
  // NO MINVALUE / NO MAXVALUE: the option without an argument
  const bound = (key: string): bigint | null | undefined => (elems.find((d) => d.defname === key) && !elems.find((d) => d.defname === key)!.arg ? null : value(key));
  const cycle = elems.find((d) => d.defname === 'cycle');
  const restart = elems.find((d) => d.defname === 'restart');
  const options: SequenceOptions = {
    increment: value('increment'), minvalue: bound('minvalue'), maxvalue: bound('maxvalue'), start: value('start'),
    ...(cycle ? { cycle: !!cycle.arg && 'Boolean' in cycle.arg && cycle.arg.Boolean.boolval === true } : {}),
    ...(restart ? { restart: value('restart') ?? true } : {}),
    ...(value('cache') !== undefined ? { cache: value('cache') } : {}),
    ...(as && 'TypeName' in as ? { type: resolveTypeName(as.TypeName as never) } : {}),
    ...(elems.some((d) => d.defname === 'owned_by') ? { ownedBy: sequenceOwner(elems.find((d) => d.defname === 'owned_by')!.arg) } : {}),
  };
  return options;
}

/** OWNED BY [schema.]table.column, or NONE (null) */
function sequenceOwner(arg: Node | undefined): string[] | null {
  const parts = arg && 'List' in arg ? names(arg.List.items) : [];
  return parts.length === 1 && parts[0].toLowerCase() === 'none' ? null : parts;
}

export function bindAlterSequence(n: AlterSeqStmt): BoundDdl {
  return { kind: 'alterSequence', relation: qualified(n.sequence), missingOk: !!n.missing_ok, options: sequenceOptions(n.options) };
}

export function bindComment(n: CommentStmt): BoundDdl {
  const parts = n.object && 'List' in n.object ? names(n.object.List.items) : [];
  let target: CommentTarget;
  if (n.objtype === 'OBJECT_TABLE' || n.objtype === 'OBJECT_INDEX') {
    target = { kind: n.objtype === 'OBJECT_TABLE' ? 'table' : 'index', relation: qualifiedFromNames(parts) };
  } else if (n.objtype === 'OBJECT_COLUMN') {
    const column = parts.pop() ?? '';
    target = { kind: 'column', relation: qualifiedFromNames(parts), column };
  } else if (n.objtype === 'OBJECT_VIEW' || n.objtype === 'OBJECT_MATVIEW' || n.objtype === 'OBJECT_SEQUENCE') {
    const kind = n.objtype === 'OBJECT_VIEW' ? 'view' : n.objtype === 'OBJECT_MATVIEW' ? 'matview' : 'sequence';
    target = { kind, relation: qualifiedFromNames(parts) };
  } else if (n.objtype === 'OBJECT_TABCONSTRAINT') {
    // COMMENT ON CONSTRAINT name ON [schema.]table: the list is the table's name parts, then the constraint's
    const name = parts.pop() ?? '';
    target = { kind: 'constraint', relation: qualifiedFromNames(parts), name };
  } else if (n.objtype === 'OBJECT_FUNCTION' && n.object && 'ObjectWithArgs' in n.object) {
    target = { kind: 'function', ref: functionRef(n.object.ObjectWithArgs) };
  } else if ((n.objtype === 'OBJECT_TYPE' || n.objtype === 'OBJECT_DOMAIN') && n.object && 'TypeName' in n.object) {
    target = { kind: 'type', type: qualifiedFromNames(names(n.object.TypeName.names)) };
  } else if (n.objtype === 'OBJECT_SCHEMA' && n.object && 'String' in n.object) {
    target = { kind: 'schema', name: n.object.String.sval ?? '' };
  } else {
    target = { kind: 'other' };
  }
  return { kind: 'comment', target, text: n.comment ?? undefined };
}

const RENAMES: Partial<Record<string, RenameTarget>> = {
  OBJECT_TABLE: 'table', OBJECT_VIEW: 'view', OBJECT_MATVIEW: 'matview', OBJECT_INDEX: 'index', OBJECT_COLUMN: 'column', OBJECT_TABCONSTRAINT: 'constraint',
};

export function bindRename(n: RenameStmt): BoundDdl {
  const type = n.renameType ?? '';
  return {
    kind: 'rename',
    target: RENAMES[type] ?? { unsupported: type.slice(7) },
    relation: qualified(n.relation),
    missingOk: !!n.missing_ok,
    ...(n.subname ? { subname: n.subname } : {}),
    newName: n.newname ?? '',
  };
}

export function bindTruncate(n: TruncateStmt): BoundDdl {
  const tables = (n.relations ?? []).flatMap((r) => ('RangeVar' in r ? [qualified(r.RangeVar)] : []));
  return { kind: 'truncate', tables, restartSequences: !!n.restart_seqs };
}
