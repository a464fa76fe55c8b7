/**
 * A parsed expression printed back as SQL the way PostgreSQL's ruleutils.c prints it in
 * pretty mode (pg_get_expr(…, true), psql's \d): keywords in upper case, identifiers
 * quoted only when needed, parentheses only where operator precedence needs them. It
 * prints the raw tree, so implicit casts PostgreSQL would add after analysis are not
 * shown (columnDefaultSql in the catalog adds the one clients rely on: 'x'::text).
 */
import type { A_Const, A_Expr, FuncCall, Node, TypeName } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';
import { quoteIdent } from '../../functions/scalar.js';
import { formatType } from '../../types/types.js';
import { resolveTypeName } from '../type-names.js';

/** Binding strength, as in gram.y: a child weaker than its parent gets parentheses. */
const enum Prec { or = 1, and, not, is, compare, like, other, add, mul, exp, unary, cast, atom }

const COMPARE = new Set(['<', '>', '=', '<=', '>=', '<>', '!=']);

function opPrec(op: string, unary: boolean): Prec {
  if (unary) return Prec.unary;
  if (COMPARE.has(op)) return Prec.compare;
  if (op === '+' || op === '-') return Prec.add;
  if (op === '*' || op === '/' || op === '%') return Prec.mul;
  if (op === '^') return Prec.exp;
  return Prec.other;
}

export function deparseExpr(node: Node): string {
  return print(node).text;
}

interface Printed { readonly text: string; readonly prec: Prec }

const atom = (text: string): Printed => ({ text, prec: Prec.atom });

/** `child` as an operand of an operator binding with `prec` (right operands bind one tighter). */
function operand(child: Node, prec: Prec, right = false): string {
  const p = print(child);
  return p.prec < prec || (right && p.prec === prec && prec !== Prec.and && prec !== Prec.or) ? `(${p.text})` : p.text;
}

function list(nodes: readonly Node[] | undefined): string {
  return (nodes ?? []).map(deparseExpr).join(', ');
}

function strings(nodes: readonly Node[] | undefined): string[] {
  return (nodes ?? []).map((n) => ('String' in n ? n.String.sval ?? '' : ''));
}

/** One node; every expression kind a DDL expression can hold has its case. */
function print(node: Node): Printed {
  if ('A_Const' in node) return printConst(node.A_Const);
  if ('ColumnRef' in node) {
    return atom((node.ColumnRef.fields ?? []).map((f) => ('A_Star' in f ? '*' : quoteIdent('String' in f ? f.String.sval ?? '' : ''))).join('.'));
  }
  if ('ParamRef' in node) return atom(`$${node.ParamRef.number ?? 0}`);
  if ('A_Expr' in node) return printOperator(node.A_Expr);
  if ('BoolExpr' in node) {
    const b = node.BoolExpr;
    const args = b.args ?? [];
    if (b.boolop === 'NOT_EXPR') return { text: `NOT ${operand(args[0], Prec.not)}`, prec: Prec.not };
    const prec = b.boolop === 'AND_EXPR' ? Prec.and : Prec.or;
    return { text: args.map((a) => operand(a, prec + 1)).join(b.boolop === 'AND_EXPR' ? ' AND ' : ' OR '), prec };
  }
  if ('FuncCall' in node) return atom(printCall(node.FuncCall));
  if ('TypeCast' in node) {
    const c = node.TypeCast;
    return { text: `${operand(c.arg!, Prec.atom)}::${typeText(c.typeName!)}`, prec: Prec.cast };
  }
  if ('NullTest' in node) {
    const t = node.NullTest;
    return { text: `${operand(t.arg!, Prec.is + 1)} ${t.nulltesttype === 'IS_NOT_NULL' ? 'IS NOT NULL' : 'IS NULL'}`, prec: Prec.is };
  }
  if ('BooleanTest' in node) {
    const t = node.BooleanTest;
    const test = (t.booltesttype ?? 'IS_TRUE').replace(/_/g, ' ');
    return { text: `${operand(t.arg!, Prec.is + 1)} ${test}`, prec: Prec.is };
  }
  if ('SQLValueFunction' in node) return atom(sqlValueFunction(node.SQLValueFunction.op, node.SQLValueFunction.typmod));
  if ('CaseExpr' in node) {
    const c = node.CaseExpr;
    const whens = (c.args ?? []).map((w) => ('CaseWhen' in w ? ` WHEN ${deparseExpr(w.CaseWhen.expr!)} THEN ${deparseExpr(w.CaseWhen.result!)}` : ''));
    return atom(`CASE${c.arg ? ` ${deparseExpr(c.arg)}` : ''}${whens.join('')}${c.defresult ? ` ELSE ${deparseExpr(c.defresult)}` : ''} END`);
  }
  if ('CoalesceExpr' in node) return atom(`COALESCE(${list(node.CoalesceExpr.args)})`);
  if ('MinMaxExpr' in node) return atom(`${node.MinMaxExpr.op === 'IS_LEAST' ? 'LEAST' : 'GREATEST'}(${list(node.MinMaxExpr.args)})`);
  if ('A_ArrayExpr' in node) return atom(`ARRAY[${list(node.A_ArrayExpr.elements)}]`);
  if ('RowExpr' in node) return atom(`ROW(${list(node.RowExpr.args)})`);
  if ('CollateClause' in node) {
    const c = node.CollateClause;
    return { text: `${operand(c.arg!, Prec.cast)} COLLATE ${strings(c.collname).map(quoteIdent).join('.')}`, prec: Prec.cast };
  }
  if ('A_Indirection' in node) {
    const i = node.A_Indirection;
    const parts = (i.indirection ?? []).map((x) => {
      if ('A_Indices' in x) {
        const ix = x.A_Indices;
        return ix.is_slice ? `[${ix.lidx ? deparseExpr(ix.lidx) : ''}:${ix.uidx ? deparseExpr(ix.uidx) : ''}]` : `[${deparseExpr(ix.uidx!)}]`;
      }
      if ('String' in x) return `.${quoteIdent(x.String.sval ?? '')}`;
      return '.*';
    });
    return atom(`(${deparseExpr(i.arg!)})${parts.join('')}`);
  }
  const kind = Object.keys(node)[0];
  if (kind === 'SubLink') throw new SqlError(SqlState.featureNotSupported, 'cannot use subquery in this expression');
  throw new SqlError(SqlState.featureNotSupported, `expression of kind ${kind} is not supported here`);
}

function printConst(c: A_Const): Printed {
  if (c.isnull) return atom('NULL');
  if (c.ival) return { text: String(c.ival.ival ?? 0), prec: (c.ival.ival ?? 0) < 0 ? Prec.unary : Prec.atom };
  if (c.fval) return { text: c.fval.fval ?? '0', prec: (c.fval.fval ?? '').startsWith('-') ? Prec.unary : Prec.atom };
  if (c.boolval) return atom(c.boolval.boolval ? 'true' : 'false');
  if (c.bsval) return atom(`B'${(c.bsval.bsval ?? '').slice(1)}'`);
  if (c.sval) return atom(`'${(c.sval.sval ?? '').replace(/'/g, "''")}'`);
  // protobuf leaves out zero values: an integer 0 and a false boolean arrive empty
  return atom(c.boolval !== undefined ? 'false' : '0');
}

function printOperator(e: A_Expr): Printed {
  const op = strings(e.name).pop() ?? '';
  const l = e.lexpr;
  const r = e.rexpr;
  switch (e.kind) {
    case 'AEXPR_OP': {
      const prec = opPrec(op, !l);
      if (!l) return { text: `${op}${operand(r!, prec)}`, prec };
      return { text: `${operand(l, prec)} ${op} ${operand(r!, prec, true)}`, prec };
    }
    case 'AEXPR_OP_ANY':
    case 'AEXPR_OP_ALL':
      return { text: `${operand(l!, Prec.compare)} ${op} ${e.kind === 'AEXPR_OP_ANY' ? 'ANY' : 'ALL'} (${deparseExpr(r!)})`, prec: Prec.compare };
    case 'AEXPR_DISTINCT':
    case 'AEXPR_NOT_DISTINCT':
      return { text: `${operand(l!, Prec.is + 1)} IS ${e.kind === 'AEXPR_DISTINCT' ? '' : 'NOT '}DISTINCT FROM ${operand(r!, Prec.is + 1)}`, prec: Prec.is };
    case 'AEXPR_NULLIF':
      return atom(`NULLIF(${deparseExpr(l!)}, ${deparseExpr(r!)})`);
    case 'AEXPR_IN': {
      const items = r && 'List' in r ? list(r.List.items) : deparseExpr(r!);
      return { text: `${operand(l!, Prec.like + 1)} ${op === '<>' ? 'NOT IN' : 'IN'} (${items})`, prec: Prec.like };
    }
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE':
    case 'AEXPR_SIMILAR': {
      const word = e.kind === 'AEXPR_LIKE' ? 'LIKE' : e.kind === 'AEXPR_ILIKE' ? 'ILIKE' : 'SIMILAR TO';
      const not = op.startsWith('!') ? 'NOT ' : '';
      return { text: `${operand(l!, Prec.like + 1)} ${not}${word} ${operand(r!, Prec.like + 1)}`, prec: Prec.like };
    }
    default: {
      // BETWEEN [SYMMETRIC] and its negations
      const bounds = r && 'List' in r ? r.List.items ?? [] : [];
      const word = (e.kind ?? '').replace('AEXPR_', '').replace('_SYM', ' SYMMETRIC').replace('NOT_', 'NOT ');
      return { text: `${operand(l!, Prec.like + 1)} ${word} ${operand(bounds[0], Prec.like + 1)} AND ${operand(bounds[1], Prec.like + 1)}`, prec: Prec.like };
    }
  }
}

function printCall(f: FuncCall): string {
  const names = strings(f.funcname);
  // functions of pg_catalog print unqualified, as ruleutils does for visible functions
  const shown = names[0] === 'pg_catalog' ? names.slice(1) : names;
  const args = f.agg_star ? '*' : `${f.agg_distinct ? 'DISTINCT ' : ''}${f.func_variadic ? 'VARIADIC ' : ''}${list(f.args)}`;
  return `${shown.map(quoteIdent).join('.')}(${args})`;
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
  const withPrecision = (op ?? '').endsWith('_N') && typmod !== undefined && typmod >= 0 ? `(${typmod})` : '';
  return name + withPrecision;
}
