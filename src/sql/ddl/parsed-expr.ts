/**
 * Expressions inside DDL (DEFAULT, CHECK, USING, index expressions) as the rest of Quiver
 * sees them: an opaque parsed tree (only src/sql/ opens it, to bind it), its text as
 * PostgreSQL's ruleutils would print it, and the columns it mentions. The catalog persists
 * the tree (plain JSON) and the text; binding it again never needs the statement's text.
 */
import { quoteIdent } from '../../types/identifiers.js';
import type { Node } from '@pgsql/types';
import { deparseExpr, deparseExprPlain } from './deparse-expr.js';
import { leftmostPosition } from '../positions.js';
import type { RawNode } from '../parser.js';

declare const parsedTree: unique symbol;
/** A parser expression tree; opaque outside src/sql/. */
export interface ParsedExpr { readonly [parsedTree]: true }

export interface DdlExpr {
  readonly tree: ParsedExpr;
  /** as pg_get_expr prints it (pretty) */
  readonly sql: string;
  /** as pg_get_expr prints it without pretty mode (pg_dump, information_schema): every operator parenthesized */
  readonly plainSql?: string;
  /** 1-based position in the statement, for errors */
  readonly position?: number;
}

export function parsedExpr(node: Node): ParsedExpr {
  return node as unknown as ParsedExpr;
}

/** The library's tree of a parsed expression (src/sql/ only). */
export function treeOf(e: ParsedExpr | unknown): Node {
  return e as Node;
}

/** A policy's expression: its text as pg_get_expr prints it without pretty mode (pg_policy's readers use that). */
export function plainDdlExpr(node: Node): DdlExpr {
  return { tree: parsedExpr(node), sql: deparseExprPlain(node), position: firstLocation(node) };
}

export function ddlExpr(node: Node): DdlExpr {
  return { tree: parsedExpr(node), sql: deparseExpr(node), plainSql: deparseExprPlain(node), position: firstLocation(node) };
}

/** A column's DEFAULT / generation expression as the catalog keeps it (ColumnDef.defaultExpr). */
export function storedDefault(e: DdlExpr): { ast: unknown; sql: string; plainSql?: string } {
  return { ast: e.tree, sql: e.sql, ...(e.plainSql !== undefined ? { plainSql: e.plainSql } : {}) };
}

/** A reference to one column by name (ALTER COLUMN … TYPE without USING converts the column itself). */
export function columnReference(name: string): ParsedExpr {
  return parsedExpr({ ColumnRef: { fields: [{ String: { sval: name } }] } });
}

/**
 * `nextval('<sequence>'::regclass)`: the DEFAULT of a serial or identity column; a sequence
 * outside public is named with its schema (the default must find it whatever the search path).
 */
export function nextvalDefault(sequence: string, schema = 'public'): DdlExpr {
  // a temporary table's sequence is in the session's temporary schema, searched first
  const literal = schema === 'public' || /^pg_temp_\d+$/.test(schema) ? quoteIdent(sequence) : `${quoteIdent(schema)}.${quoteIdent(sequence)}`;
  const node: Node = {
    FuncCall: {
      funcname: [{ String: { sval: 'nextval' } }],
      args: [{ TypeCast: { arg: { A_Const: { sval: { sval: literal } } }, typeName: { names: [{ String: { sval: 'regclass' } }], typemod: -1 } } }],
      funcformat: 'COERCE_EXPLICIT_CALL',
    },
  };
  return ddlExpr(node);
}

/** The distinct column names an expression mentions (PostgreSQL names a CHECK after its only column). */
export function mentionedColumns(e: ParsedExpr): string[] {
  const found = new Set<string>();
  const walk = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    const ref = (x as { ColumnRef?: { fields?: Node[] } }).ColumnRef;
    if (ref) {
      const last = ref.fields?.[ref.fields.length - 1];
      if (last && 'String' in last) found.add(last.String.sval ?? '');
      return;
    }
    for (const v of Object.values(x as Record<string, unknown>)) walk(v);
  };
  walk(treeOf(e));
  return [...found];
}

/**
 * Does the expression name column `name` of its own table (a subquery's names are its own
 * tables' and are not looked into)? Policies depend on the columns they name.
 */
export function namesOwnColumn(e: ParsedExpr | unknown, name: string): boolean {
  let found = false;
  visitOwnColumnRefs(treeOf(e), (fields) => {
    const last = fields[fields.length - 1];
    if (last && 'String' in last && last.String.sval === name) found = true;
  });
  return found;
}

/** The expression with its own table's column `from` renamed `to` (ALTER TABLE … RENAME COLUMN). */
export function renameOwnColumn(e: ParsedExpr | unknown, from: string, to: string): ParsedExpr {
  const copy = JSON.parse(JSON.stringify(treeOf(e))) as Node;
  visitOwnColumnRefs(copy, (fields) => {
    const last = fields[fields.length - 1];
    if (last && 'String' in last && last.String.sval === from) last.String.sval = to;
  });
  return parsedExpr(copy);
}

function visitOwnColumnRefs(x: unknown, visit: (fields: Node[]) => void): void {
  if (!x || typeof x !== 'object') return;
  if ('SubLink' in (x as object)) {
    // the test expression (x IN (SELECT …)) is the outer query's; the subquery is not
    visitOwnColumnRefs((x as { SubLink: { testexpr?: unknown } }).SubLink.testexpr, visit);
    return;
  }
  const ref = (x as { ColumnRef?: { fields?: Node[] } }).ColumnRef;
  if (ref) {
    visit(ref.fields ?? []);
    return;
  }
  for (const v of Object.values(x as Record<string, unknown>)) visitOwnColumnRefs(v, visit);
}

/** 1-based position of the first token of a tree (the smallest location inside it). */
export function firstLocation(node: unknown): number | undefined {
  return leftmostPosition(node as RawNode);
}

/**
 * `to_tsvector('config', column)` (the config maybe cast to regconfig, the function maybe
 * pg_catalog-qualified): the shape of a GIN expression index over text, else undefined.
 */
export function toTsvectorCall(e: ParsedExpr): { config: string; column: string } | undefined {
  const call = (treeOf(e) as { FuncCall?: { funcname?: Node[]; args?: Node[]; agg_star?: boolean } }).FuncCall;
  const name = call?.funcname?.map((n) => ('String' in n ? n.String.sval : '')) ?? [];
  if (!call || name[name.length - 1] !== 'to_tsvector' || (name.length === 2 && name[0] !== 'pg_catalog') || name.length > 2) return undefined;
  if (call.args?.length !== 2) return undefined;
  let [cfg, col] = call.args;
  if ('TypeCast' in cfg) {
    const names = cfg.TypeCast.typeName?.names?.map((n) => ('String' in n ? n.String.sval : '')) ?? [];
    if (names[names.length - 1] !== 'regconfig' || !cfg.TypeCast.arg) return undefined;
    cfg = cfg.TypeCast.arg;
  }
  const config = 'A_Const' in cfg ? cfg.A_Const.sval?.sval : undefined;
  const fields = 'ColumnRef' in col ? col.ColumnRef.fields ?? [] : [];
  const column = fields.length === 1 && 'String' in fields[0] ? fields[0].String.sval : undefined;
  return config !== undefined && column !== undefined ? { config, column } : undefined;
}
