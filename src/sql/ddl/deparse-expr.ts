/**
 * A parsed expression printed back as SQL the way PostgreSQL's ruleutils.c prints it in
 * pretty mode (pg_get_expr(…, true), pg_get_constraintdef(…, true), psql's \d): keywords
 * in upper case, identifiers quoted only when needed, the grammar's shorthands in the form
 * the analyzer turns them into (LIKE as ~~, IN as = ANY (ARRAY[…]), BETWEEN as two
 * comparisons), and parentheses where ruleutils' isSimpleNode puts them. It prints the
 * raw tree, so most implicit casts PostgreSQL adds after analysis ('x'::text next to a text
 * column) are not shown; columnDefaultSql in the catalog adds the one clients rely on, and
 * a built-in function's string-literal arguments get their parameter's type
 * (literal-arg-types.ts: to_tsvector('english'::regconfig, body)).
 */
import type { A_Const, A_Expr, FuncCall, Node, TypeName } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';
import { quoteIdent } from '../../types/identifiers.js';
import { formatType } from '../../types/types.js';
import { literalArgTypes, typedLiteral } from './literal-arg-types.js';
import { resolveTypeName } from '../type-names.js';

/** What a printed node is, as far as its parent's parentheses care (ruleutils isSimpleNode). */
type Shape =
  | { readonly kind: 'simple' }
  | { readonly kind: 'op'; readonly op: string; readonly unary: boolean }
  /** IS [NOT] NULL, IS TRUE …, IS DISTINCT FROM */
  | { readonly kind: 'test' }
  /** op ANY / ALL (array) */
  | { readonly kind: 'arrayOp' }
  | { readonly kind: 'bool'; readonly op: 'AND' | 'OR' | 'NOT' };

/** Where a child is printed. */
type Parent =
  | { readonly kind: 'op'; readonly op: string; readonly unary: boolean; readonly left: boolean }
  | { readonly kind: 'test' | 'cast' }
  | { readonly kind: 'bool'; readonly op: 'AND' | 'OR' | 'NOT' };

interface Printed { readonly text: string; readonly shape: Shape }

const SIMPLE: Shape = { kind: 'simple' };
const simple = (text: string): Printed => ({ text, shape: SIMPLE });

export function deparseExpr(node: Node): string {
  return print(node).text;
}

/** non-pretty mode is on: every operator, test and AND / OR / NOT prints its own parentheses */
let plain = false;

/**
 * The expression as ruleutils prints it without pretty mode (pg_get_expr(…, false), which
 * psql's \d and \dp use for policies): `(level <= 2)`, `((a = 1) AND (b = 2))`.
 */
export function deparseExprPlain(node: Node): string {
  plain = true;
  try {
    const p = print(node);
    return p.shape.kind === 'simple' ? p.text : `(${p.text})`;
  } finally {
    plain = false;
  }
}

function arithmeticRank(op: string): number {
  return op === '+' || op === '-' ? 1 : op === '*' || op === '/' || op === '%' ? 2 : 0;
}

/** ruleutils isSimpleNode: may `child` be printed without parentheses under `parent`? */
function isSimple(child: Shape, parent: Parent): boolean {
  if (plain) return child.kind === 'simple';
  switch (child.kind) {
    case 'simple': return true;
    case 'op': {
      if (parent.kind === 'bool') return true;
      if (parent.kind !== 'op' || child.unary || parent.unary) return false;
      // only + - * / % are ranked: a tighter child, or an equal one on the left, needs none
      const c = arithmeticRank(child.op);
      const p = arithmeticRank(parent.op);
      if (c === 0 || p === 0) return false;
      return c > p || (c === p && parent.left);
    }
    case 'test': return parent.kind === 'bool';
    case 'arrayOp': return false;
    case 'bool':
      if (parent.kind !== 'bool') return false;
      return child.op === 'OR' ? parent.op === 'OR' : parent.op === 'AND' || parent.op === 'OR';
  }
}

function child(node: Node, parent: Parent): string {
  const p = print(node);
  return isSimple(p.shape, parent) ? p.text : `(${p.text})`;
}

function list(nodes: readonly Node[] | undefined): string {
  return (nodes ?? []).map(deparseExpr).join(', ');
}

function strings(nodes: readonly Node[] | undefined): string[] {
  return (nodes ?? []).map((n) => ('String' in n ? n.String.sval ?? '' : ''));
}

function binary(l: Node, op: string, r: Node): Printed {
  const shape = { kind: 'op', op, unary: false } as const;
  return { text: `${child(l, { ...shape, left: true })} ${op} ${child(r, { ...shape, left: false })}`, shape };
}

function bool(op: 'AND' | 'OR', parts: readonly Printed[]): Printed {
  const text = parts.map((p) => (isSimple(p.shape, { kind: 'bool', op }) ? p.text : `(${p.text})`)).join(` ${op} `);
  return { text, shape: { kind: 'bool', op } };
}

/** One node; every expression kind a DDL expression can hold has its case. */
function print(node: Node): Printed {
  if ('A_Const' in node) return printConst(node.A_Const);
  if ('ColumnRef' in node) {
    return simple((node.ColumnRef.fields ?? []).map((f) => ('A_Star' in f ? '*' : quoteIdent('String' in f ? f.String.sval ?? '' : ''))).join('.'));
  }
  if ('ParamRef' in node) return simple(`$${node.ParamRef.number ?? 0}`);
  if ('A_Expr' in node) return printOperator(node.A_Expr);
  if ('BoolExpr' in node) {
    const b = node.BoolExpr;
    const args = b.args ?? [];
    if (b.boolop === 'NOT_EXPR') return { text: `NOT ${child(args[0], { kind: 'bool', op: 'NOT' })}`, shape: { kind: 'bool', op: 'NOT' } };
    return bool(b.boolop === 'AND_EXPR' ? 'AND' : 'OR', args.map(print));
  }
  if ('FuncCall' in node) return simple(printCall(node.FuncCall));
  if ('TypeCast' in node) return simple(`${child(node.TypeCast.arg!, { kind: 'cast' })}::${typeText(node.TypeCast.typeName!)}`);
  if ('NullTest' in node) {
    const t = node.NullTest;
    return { text: `${child(t.arg!, { kind: 'test' })} ${t.nulltesttype === 'IS_NOT_NULL' ? 'IS NOT NULL' : 'IS NULL'}`, shape: { kind: 'test' } };
  }
  if ('BooleanTest' in node) {
    const t = node.BooleanTest;
    return { text: `${child(t.arg!, { kind: 'test' })} ${(t.booltesttype ?? 'IS_TRUE').replace(/_/g, ' ')}`, shape: { kind: 'test' } };
  }
  if ('SQLValueFunction' in node) return simple(sqlValueFunction(node.SQLValueFunction.op, node.SQLValueFunction.typmod));
  if ('CaseExpr' in node) {
    const c = node.CaseExpr;
    const whens = (c.args ?? []).map((w) => ('CaseWhen' in w ? ` WHEN ${deparseExpr(w.CaseWhen.expr!)} THEN ${deparseExpr(w.CaseWhen.result!)}` : ''));
    return simple(`CASE${c.arg ? ` ${deparseExpr(c.arg)}` : ''}${whens.join('')}${c.defresult ? ` ELSE ${deparseExpr(c.defresult)}` : ''} END`);
  }
  if ('CoalesceExpr' in node) return simple(`COALESCE(${list(node.CoalesceExpr.args)})`);
  if ('MinMaxExpr' in node) return simple(`${node.MinMaxExpr.op === 'IS_LEAST' ? 'LEAST' : 'GREATEST'}(${list(node.MinMaxExpr.args)})`);
  if ('A_ArrayExpr' in node) return simple(`ARRAY[${list(node.A_ArrayExpr.elements)}]`);
  if ('RowExpr' in node) return simple(`ROW(${list(node.RowExpr.args)})`);
  if ('CollateClause' in node) {
    const c = node.CollateClause;
    return simple(`${child(c.arg!, { kind: 'cast' })} COLLATE ${strings(c.collname).map(quoteIdent).join('.')}`);
  }
  if ('A_Indirection' in node) return simple(printIndirection(node));
  const kind = Object.keys(node)[0];
  if (kind === 'SubLink') throw new SqlError(SqlState.featureNotSupported, 'cannot use subquery in this expression');
  throw new SqlError(SqlState.featureNotSupported, `expression of kind ${kind} is not supported here`);
}

function printIndirection(node: Extract<Node, { A_Indirection: unknown }>): string {
  const i = node.A_Indirection;
  const parts = (i.indirection ?? []).map((x) => {
    if ('A_Indices' in x) {
      const ix = x.A_Indices;
      return ix.is_slice ? `[${ix.lidx ? deparseExpr(ix.lidx) : ''}:${ix.uidx ? deparseExpr(ix.uidx) : ''}]` : `[${deparseExpr(ix.uidx!)}]`;
    }
    if ('String' in x) return `.${quoteIdent(x.String.sval ?? '')}`;
    return '.*';
  });
  return `(${deparseExpr(i.arg!)})${parts.join('')}`;
}

/**
 * Constants as ruleutils prints them: an integer that fits int4 bare, a bigint quoted with
 * its type; a numeric bare; negative ones quoted with their type ('-1'::integer).
 */
function printConst(c: A_Const): Printed {
  if (c.isnull) return simple('NULL');
  if (c.boolval) return simple(c.boolval.boolval ? 'true' : 'false');
  if (c.bsval) return simple(`B'${(c.bsval.bsval ?? '').slice(1)}'`);
  if (c.sval) return simple(`'${(c.sval.sval ?? '').replace(/'/g, "''")}'`);
  if (c.fval) {
    const v = c.fval.fval ?? '0';
    if (/^-?\d+$/.test(v) && BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n) return simple(`'${v}'::bigint`);
    return simple(v.startsWith('-') ? `'${v}'::numeric` : v);
  }
  // protobuf leaves out zero values: an integer 0 arrives as an empty ival
  const n = c.ival?.ival ?? 0;
  return simple(n < 0 ? `'${n}'::integer` : String(n));
}

function printOperator(e: A_Expr): Printed {
  const op = strings(e.name).pop() ?? '';
  const l = e.lexpr;
  const r = e.rexpr!;
  const items = r && 'List' in r ? r.List.items ?? [] : [];
  switch (e.kind) {
    case 'AEXPR_OP':
      if (!l) return { text: `${op} ${child(r, { kind: 'op', op, unary: true, left: false })}`, shape: { kind: 'op', op, unary: true } };
      return binary(l, op, r);
    case 'AEXPR_OP_ANY':
    case 'AEXPR_OP_ALL':
      return { text: `${child(l!, { kind: 'test' })} ${op} ${e.kind === 'AEXPR_OP_ANY' ? 'ANY' : 'ALL'} (${deparseExpr(r)})`, shape: { kind: 'arrayOp' } };
    case 'AEXPR_DISTINCT':
      return { text: `${child(l!, { kind: 'test' })} IS DISTINCT FROM ${child(r, { kind: 'test' })}`, shape: { kind: 'test' } };
    case 'AEXPR_NOT_DISTINCT': {
      // the analyzer makes it NOT (a IS DISTINCT FROM b)
      const inner: Printed = { text: `${child(l!, { kind: 'test' })} IS DISTINCT FROM ${child(r, { kind: 'test' })}`, shape: { kind: 'test' } };
      return { text: `NOT ${isSimple(inner.shape, { kind: 'bool', op: 'NOT' }) ? inner.text : `(${inner.text})`}`, shape: { kind: 'bool', op: 'NOT' } };
    }
    case 'AEXPR_NULLIF':
      return simple(`NULLIF(${deparseExpr(l!)}, ${deparseExpr(r)})`);
    case 'AEXPR_IN':
      return printIn(l!, op === '<>', items);
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE':
      return binary(l!, op, r);
    case 'AEXPR_SIMILAR': {
      // the pattern goes through similar_to_escape(pattern [, escape]) and the regex match operator
      const args = 'FuncCall' in r ? list(r.FuncCall.args) : deparseExpr(r);
      const shape = { kind: 'op', op: op === '!~' ? '!~' : '~', unary: false } as const;
      return { text: `${child(l!, { ...shape, left: true })} ${shape.op} similar_to_escape(${args})`, shape };
    }
    default:
      return printBetween(e.kind ?? 'AEXPR_BETWEEN', l!, items[0], items[1]);
  }
}

/** x IN (…): column references compared one by one, the other values as = ANY (ARRAY[…]) (transformAExprIn). */
function printIn(l: Node, negated: boolean, items: readonly Node[]): Printed {
  const op = negated ? '<>' : '=';
  const mentionsColumn = (n: Node): boolean => JSON.stringify(n).includes('"ColumnRef"');
  const consts = items.filter((n) => !mentionsColumn(n));
  const parts: Printed[] = [];
  if (consts.length > 1) {
    const shape = { kind: 'arrayOp' } as const;
    parts.push({ text: `${child(l, { kind: 'test' })} ${op} ${negated ? 'ALL' : 'ANY'} (ARRAY[${list(consts)}])`, shape });
  }
  for (const n of items) if (mentionsColumn(n) || consts.length === 1) parts.push(binary(l, op, n));
  return parts.length === 1 ? parts[0] : bool(negated ? 'AND' : 'OR', parts);
}

/** BETWEEN [SYMMETRIC] as the analyzer rewrites it: x >= a AND x <= b (OR the swapped pair). */
function printBetween(kind: string, x: Node, a: Node, b: Node): Printed {
  const not = kind.includes('NOT');
  const within = (lo: Node, hi: Node): Printed => (not
    ? bool('OR', [binary(x, '<', lo), binary(x, '>', hi)])
    : bool('AND', [binary(x, '>=', lo), binary(x, '<=', hi)]));
  if (!kind.endsWith('_SYM')) return within(a, b);
  return bool(not ? 'AND' : 'OR', [within(a, b), within(b, a)]);
}

function printCall(f: FuncCall): string {
  const names = strings(f.funcname);
  // functions of pg_catalog print unqualified, as ruleutils does for visible functions
  const shown = names[0] === 'pg_catalog' ? names.slice(1) : names;
  const args = f.agg_star ? '*' : `${f.agg_distinct ? 'DISTINCT ' : ''}${f.func_variadic ? 'VARIADIC ' : ''}${callArgs(names, f.args ?? [])}`;
  return `${shown.map(quoteIdent).join('.')}(${args})`;
}

/** a call's arguments, string literals with the cast to their parameter's type the analyzer gives them */
function callArgs(names: readonly string[], args: readonly Node[]): string {
  const types = literalArgTypes(names[names.length - 1]!, names.length > 1 ? names[names.length - 2] : undefined, args.length);
  return args.map((a, i) => {
    const literal = 'A_Const' in a && a.A_Const.sval ? a.A_Const.sval.sval ?? '' : undefined;
    return literal !== undefined && types[i] !== undefined ? typedLiteral(literal, types[i]!) : deparseExpr(a);
  }).join(', ');
}

function typeText(t: TypeName): string {
  try {
    return formatType(resolveTypeName(t as never));
  } catch {
    // a type Quiver does not know: as written (binding the expression reports it)
    return strings(t.names).map(quoteIdent).join('.');
  }
}

function sqlValueFunction(op: string | undefined, typmod: number | undefined): string {
  const name = (op ?? '').replace('SVFOP_', '').replace(/_N$/, '');
  return name + ((op ?? '').endsWith('_N') && typmod !== undefined && typmod >= 0 ? `(${typmod})` : '');
}
