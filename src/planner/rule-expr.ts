/**
 * Bound expressions printed as PostgreSQL 15's ruleutils.c get_rule_expr prints a stored
 * (analyzed, not planned) expression: pg_get_constraintdef, pg_get_expr, a partial index's
 * WHERE. Two modes, as ruleutils' prettyFlags: pretty (PRETTYFLAG_PAREN, psql's \d) leaves out
 * the parentheses isSimpleNode says are not needed — `price > 0::numeric AND n <> 3`; plain
 * (pg_dump) gives every operator, test and AND / OR / NOT its own — `((price > (0)::numeric)
 * AND (n <> 3))`. Both indent CASE on lines of their own (PRETTYFLAG_INDENT). Implicit casts
 * show where ruleutils passes showimplicit (operands of operators, arguments of functions).
 *
 * EXPLAIN prints planned expressions (constants folded) with explain-expr.ts; the constant
 * spelling (get_const_expr) and the SQL-syntax calls are shared with it.
 */
import { formatTypeWithTypmod, OID, elementTypeOf, sqlType, type SqlType } from '../types/types.js';
import { quoteIdent } from '../types/identifiers.js';
import { domainOfArray } from '../types/user-types.js';
import { isRowType } from '../types/records.js';
import type { Expr } from './plan.js';
import { constLiteral } from './explain-expr.js';
import { sqlSyntaxCall } from './sql-syntax-calls.js';

export interface RuleExprOptions {
  readonly pretty: boolean;
  /** a column's name as printed (views qualify it with its relation); undefined: the bare name */
  readonly column?: (e: Extract<Expr, { kind: 'column' }>) => string | undefined;
  /** ruleutils' indentLevel the expression starts at (a view's clauses: PRETTYINDENT_STD) */
  readonly indent?: number;
  /**
   * a node printed by the caller (a view's sub-SELECTs, window clauses, NULLIF: from its
   * query's tree), given the indentLevel it starts at; undefined: printed here
   */
  readonly special?: (e: Expr, indent: number) => string | undefined;
}

/** ruleutils' PRETTYINDENT_VAR: CASE's WHEN / ELSE lines */
const INDENT_VAR = 4;

const INTEGERS = new Set<number>([OID.int2, OID.int4, OID.int8]);
const NUMBERS = new Set<number>([OID.int2, OID.int8, OID.numeric, OID.float4, OID.float8]);
/** keywords the grammar turns into calls (SQLValueFunction): printed as written */
const SQL_VALUE_FUNCTIONS = new Set(['current_user', 'session_user', 'current_role', 'current_catalog', 'current_schema', 'current_date', 'localtimestamp', 'localtime', 'current_timestamp', 'current_time']);

type Node = Expr;

type Call = Extract<Expr, { kind: 'call' }>;

function isOperatorCall(e: Expr): boolean {
  return e.kind === 'call' && !/^[a-z_]/i.test(e.name);
}

/**
 * An implicit cast PostgreSQL's tree does not have: it compares int2 / int4 / int8 (and
 * float4 / float8) with cross-type operators where the binder widens one side.
 */
function invisibleWidening(e: Extract<Expr, { kind: 'cast' }>): boolean {
  if (e.explicit) return false;
  return (INTEGERS.has(e.type.oid) && INTEGERS.has(e.arg.type.oid)) || (e.type.oid === OID.float8 && e.arg.type.oid === OID.float4);
}

/** a literal whose type the cast decides ('{}'::jsonb is one constant in PostgreSQL's tree) */
function untypedLiteral(e: Expr): boolean {
  return e.kind === 'const' && e.type.oid === OID.unknown;
}

/** ruleutils get_simple_binary_op_name's + - (1) and * / % (2); 0 for the rest */
function rank(e: Expr): number {
  if (e.kind !== 'call' || !isOperatorCall(e) || e.args.length !== 2) return 0;
  return e.name === '+' || e.name === '-' ? 1 : e.name === '*' || e.name === '/' || e.name === '%' ? 2 : 0;
}

class RulePrinter {
  private buf = '';
  private indent: number;

  constructor(private readonly opts: RuleExprOptions) {
    this.indent = opts.indent ?? 0;
  }

  text(): string {
    return this.buf;
  }

  private get paren(): boolean {
    return this.opts.pretty;
  }

  private out(s: string): void {
    this.buf += s;
  }

  /** appendContextKeyword: PRETTYFLAG_INDENT is on in both modes of the catalog functions */
  private keyword(s: string, before: number, after: number): void {
    this.indent = Math.max(this.indent + before, 0);
    this.buf = this.buf.replace(/ +$/, '');
    this.out(`\n${' '.repeat(this.indent)}${s}`);
    this.indent = Math.max(this.indent + after, 0);
  }

  /** get_rule_expr_paren: parentheses in pretty mode where the node is not simple under its parent */
  private paren_(e: Node, showImplicit: boolean, parent: Node): void {
    const need = this.paren && !isSimpleNode(e, parent, true);
    if (need) this.out('(');
    this.expr(e, showImplicit);
    if (need) this.out(')');
  }

  private open(): void {
    if (!this.paren) this.out('(');
  }

  private close(): void {
    if (!this.paren) this.out(')');
  }

  /** an operator or test: its own parentheses in plain mode, its operands' (get_rule_expr_paren) in pretty mode */
  private wrapped(parent: Node, ...parts: (string | readonly [Expr, boolean])[]): void {
    this.open();
    for (const p of parts) {
      if (typeof p === 'string') this.out(p);
      else this.paren_(p[0], p[1], parent);
    }
    this.close();
  }

  private list(es: readonly Expr[], showImplicit: boolean): void {
    es.forEach((x, i) => {
      if (i > 0) this.out(', ');
      this.expr(x, showImplicit);
    });
  }

  private constant(e: Extract<Expr, { kind: 'const' }>): void {
    // SIMILAR TO's pattern: the stored tree has the call (the planner folds it)
    if (e.similarToEscape) {
      this.out('similar_to_escape(');
      this.list(e.similarToEscape, true);
      return this.out(')');
    }
    this.out(constLiteral(e));
  }

  /** an IN list the binder folded into one array constant: PostgreSQL's ArrayExpr of constants */
  private inList(e: Expr): boolean {
    const elem = elementTypeOf(e.type.oid);
    if (e.kind !== 'const' || !Array.isArray(e.value) || elem === undefined || e.value.some((v) => Array.isArray(v))) return false;
    const type = sqlType(elem);
    this.out(`ARRAY[${e.value.map((v) => this.listItem(constLiteral({ kind: 'const', type, value: v }), type)).join(', ')}]`);
    return true;
  }

  /**
   * An IN list's number as PostgreSQL's tree has it: an int4 (or numeric) literal coerced to
   * the list's type, 1::bigint, 1.5::double precision; a numeric one of its own type is bare.
   */
  private listItem(text: string, type: SqlType): string {
    if (!NUMBERS.has(type.oid)) return text;
    const bare = text.replace(/^'(.*)'::.*$/, '$1');
    const isInt4 = /^-?\d+$/.test(bare) && Math.abs(Number(bare)) <= 2147483647;
    if (type.oid === OID.int4 || (type.oid === OID.numeric && !isInt4) || (!isInt4 && !/^-?[\d.]+$/.test(bare))) return text;
    if (!isInt4 && INTEGERS.has(type.oid)) return text;
    const literal = bare.startsWith('-') ? `'${bare}'::${isInt4 ? 'integer' : 'numeric'}` : bare;
    return this.paren ? `${literal}::${formatTypeWithTypmod(type)}` : `(${literal})::${formatTypeWithTypmod(type)}`;
  }

  expr(e: Node, showImplicit: boolean): void {
    const special = this.opts.special?.(e, this.indent);
    if (special !== undefined) return this.out(special);
    switch (e.kind) {
      case 'const': return this.constant(e);
      case 'param': return this.out(`$${e.index + 1}`);
      case 'column': return this.out(this.opts.column?.(e) ?? quoteIdent(e.name));
      case 'call': return this.call(e, showImplicit);
      case 'cast': return this.cast(e, showImplicit);
      case 'domain': return e.explicit ? this.cast({ kind: 'cast', type: e.type, arg: e.arg, fn: (v) => v, explicit: true }, showImplicit) : this.expr(e.arg, showImplicit);
      case 'and': case 'or': {
        if (e.kind === 'and' && e.rowNullTest && e.args.every((a) => a.kind === 'isnull')) {
          const tests = e.args as Extract<Expr, { kind: 'isnull' }>[];
          const row: Expr = { kind: 'array', type: sqlType(OID.record), elems: tests.map((t) => t.arg) };
          return this.wrapped({ kind: 'isnull', type: e.type, arg: row, negate: tests[0].negate }, [row, true], tests[0].negate ? ' IS NOT NULL' : ' IS NULL');
        }
        this.open();
        e.args.forEach((a, i) => {
          if (i > 0) this.out(` ${e.kind.toUpperCase()} `);
          this.paren_(a, false, e);
        });
        return this.close();
      }
      case 'not': return this.wrapped(e, 'NOT ', [e.arg, false]);
      case 'isnull': return this.wrapped(e, [e.arg, true], e.negate ? ' IS NOT NULL' : ' IS NULL');
      case 'booltest': return this.wrapped(e, [e.arg, true], ` IS ${e.negate ? 'NOT ' : ''}${e.test.toUpperCase()}`);
      case 'distinct':
        // IS NOT DISTINCT FROM is NOT (a IS DISTINCT FROM b) in PostgreSQL's tree
        if (e.negate) return this.expr({ kind: 'not', type: e.type, arg: { ...e, negate: false } }, showImplicit);
        return this.wrapped(e, [e.left, true], ' IS DISTINCT FROM ', [e.right, true]);
      case 'anyall':
        this.open();
        this.paren_(e.left, true, e);
        this.out(` ${e.op ?? '='} ${e.all ? 'ALL' : 'ANY'} (`);
        if (!(e.inList && this.inList(e.right))) this.paren_(e.right, true, e);
        this.out(')');
        return this.close();
      case 'case': return this.caseExpr(e);
      case 'rowcompare': {
        // get_rule_expr's RowCompareExpr: always in its own parentheses
        const n = e.args.length / 2;
        this.out('(ROW(');
        this.list(e.args.slice(0, n), true);
        this.out(`) ${e.op} ROW(`);
        this.list(e.args.slice(n), true);
        return this.out('))');
      }
      case 'coalesce':
        this.out('COALESCE(');
        this.list(e.args, true);
        return this.out(')');
      case 'minmax':
        this.out(`${e.op.toUpperCase()}(`);
        this.list(e.args, true);
        return this.out(')');
      case 'array':
        this.out(isRowType(e.type.oid) ? 'ROW(' : 'ARRAY[');
        this.list(e.elems, true);
        return this.out(e.type.oid === OID.record ? ')' : isRowType(e.type.oid) ? ')::' + formatTypeWithTypmod(e.type) : ']');
      case 'subscript': {
        const bare = e.arg.kind === 'column' || e.arg.kind === 'field';
        if (!bare) this.out('(');
        this.paren_(e.arg, showImplicit, e);
        if (!bare) this.out(')');
        for (const s of e.subs) {
          this.out('[');
          if (s.lower) this.expr(s.lower, false);
          if (e.slice) this.out(':');
          if (s.upper) this.expr(s.upper, false);
          this.out(']');
        }
        return;
      }
      case 'field':
        this.out('(');
        this.expr(e.arg, true);
        return this.out(`).f${e.index + 1}`);
      case 'sqlCall':
        this.out(`${quoteName(e.name)}(`);
        this.list(e.args.slice(0, e.written ?? e.args.length), true);
        return this.out(')');
      case 'agg': return this.aggregate(e);
      case 'window':
      case 'subquery':
      case 'insubquery':
        // not in a stored column / constraint / index expression (views print them from their query)
        return this.out(`(${e.kind})`);
    }
  }

  /** get_agg_expr: DISTINCT, ORDER BY, WITHIN GROUP and FILTER as written; GROUPING() */
  private aggregate(e: Extract<Expr, { kind: 'agg' }>): void {
    if (e.name === 'grouping' && e.type.oid === OID.int4 && !e.distinct && e.filter === null && e.orderBy.length === 0) {
      this.out('GROUPING(');
      this.list(e.args, true);
      return this.out(')');
    }
    this.out(`${quoteName(e.name)}(`);
    if (e.direct) {
      this.list(e.direct, true);
      this.out(') WITHIN GROUP (ORDER BY ');
      this.sortKeys(e.orderBy);
    } else {
      if (e.distinct) this.out('DISTINCT ');
      if (e.args.length === 0) this.out('*');
      else this.list(e.args, true);
      if (e.orderBy.length > 0) {
        this.out(' ORDER BY ');
        this.sortKeys(e.orderBy);
      }
    }
    this.out(')');
    if (e.filter) {
      this.out(' FILTER (WHERE ');
      this.expr(e.filter, false);
      this.out(')');
    }
  }

  private sortKeys(keys: readonly { expr: Expr; desc: boolean; nullsFirst: boolean }[]): void {
    keys.forEach((k, i) => {
      if (i > 0) this.out(', ');
      this.out(sortKeyText(k, this.opts, this.indent));
    });
  }

  /** get_oper_expr and get_func_expr */
  private call(call: Extract<Expr, { kind: 'call' }>, _showImplicit: boolean): void {
    if (call.args.length === 0 && SQL_VALUE_FUNCTIONS.has(call.name)) return this.out(call.name.toUpperCase());
    const e = { ...call, args: call.args.map((a, i) => relabelDomain(a, call.fn.argTypes[i])) };
    if (isOperatorCall(e)) {
      if (e.args.length === 1) return this.wrapped(e, `${e.name} `, [e.args[0], true]);
      return this.wrapped(e, [e.args[0], true], ` ${e.name} `, [e.args[1], true]);
    }
    if (e.sqlSyntax && e.name === 'collate' && e.args.length === 2 && e.args[1].kind === 'const' && typeof e.args[1].value === 'string') {
      // get_rule_expr's CollateExpr: its own parentheses in plain mode, the argument's (get_rule_expr_paren) in pretty
      return this.wrapped(e, [e.args[0], true], ` COLLATE ${quoteIdent(e.args[1].value)}`);
    }
    if (e.sqlSyntax) {
      const text = sqlSyntaxCall(e, (x) => ruleExpr(x, this.opts));
      if (text !== undefined) return this.out(text);
    }
    this.out(`${quoteName(e.name)}(`);
    this.list(e.args, true);
    this.out(')');
  }

  /** get_coercion_expr, for FuncExpr casts, RelabelType and CoerceViaIO alike */
  private cast(e: Extract<Expr, { kind: 'cast' }>, showImplicit: boolean): void {
    if (e.arg.kind === 'const' && (untypedLiteral(e.arg) || e.lookupLiteral)) return this.constant({ kind: 'const', type: e.type, value: e.arg.value });
    if (invisibleWidening(e)) return this.expr(e.arg, showImplicit);
    if (!e.explicit && !showImplicit) return this.paren_(e.arg, false, e);
    const arg = e.arg;
    if (arg.kind === 'const' && arg.type.oid === e.type.oid && arg.type.typmod === -1) {
      this.out(constLiteral(arg).replace(/::.*$/, ''));
    } else {
      this.open();
      this.paren_(arg, false, e);
      this.close();
    }
    this.out(`::${formatTypeWithTypmod(e.type)}`);
  }

  private caseExpr(e: Extract<Expr, { kind: 'case' }>): void {
    // CASE x WHEN v: each cond is `x = v` (the CaseTestExpr's place), printed as its right side
    const simple = e.simple && e.whens.length > 0 && e.whens.every((w) => w.cond.kind === 'call' && w.cond.args.length === 2);
    this.keyword('CASE', 0, INDENT_VAR);
    if (simple) {
      let operand = (e.whens[0].cond as Extract<Expr, { kind: 'call' }>).args[0];
      while (operand.kind === 'cast' && !operand.explicit) operand = operand.arg;
      this.out(' ');
      this.paren_(operand, true, e);
    }
    for (const w of e.whens) {
      this.keyword('WHEN ', 0, 0);
      this.expr(simple ? (w.cond as Extract<Expr, { kind: 'call' }>).args[1] : w.cond, false);
      this.out(' THEN ');
      this.expr(w.result, true);
    }
    // a CASE without ELSE has the NULL PostgreSQL's transformCaseExpr adds, which ruleutils prints too
    this.keyword('ELSE ', 0, 0);
    this.expr(e.otherwise, true);
    this.keyword('END', -INDENT_VAR, 0);
  }
}

/**
 * A domain's value passed where its base type is declared: PostgreSQL's tree has a RelabelType
 * to the base type there (coerce_type), which ruleutils prints as a cast — `c::integer < 100`,
 * a domain over a domain's CHECK as `VALUE::integer > 0`. A domain's array type is no domain.
 */
function relabelDomain(a: Expr, declared: SqlType | undefined): Expr {
  const domain = a.type.domain;
  if (domain === undefined || declared?.domain !== undefined || domainOfArray(domain)) return a;
  return { kind: 'cast', type: sqlType(a.type.oid), arg: a, fn: (v) => v, explicit: true };
}

function quoteName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? quoteIdent(name) : name;
}

/** ruleutils isSimpleNode: may `node` go without parentheses under `parent` (pretty mode)? */
function isSimpleNode(node: Node, parent: Node, pretty: boolean): boolean {
  switch (node.kind) {
    case 'const': case 'param': case 'column':
    case 'subscript': case 'array': case 'coalesce': case 'minmax': case 'agg': case 'window': case 'sqlCall': case 'case':
      return true;
    case 'field': return parent.kind !== 'field';
    case 'cast':
      // a cast the tree does not show is as simple as what it casts
      return invisibleWidening(node) || (!node.explicit && untypedLiteral(node.arg)) ? isSimpleNode(node.arg, parent, pretty) : true;
    case 'call':
      // a CollateExpr is no function-like node (isSimpleNode's default)
      if (node.sqlSyntax && node.name === 'collate') return underOwnSeparators(parent);
      if (!isOperatorCall(node)) return true;
      if (pretty && isOperatorCall(parent)) {
        const op = rank(node);
        const parentOp = rank(parent);
        if (op === 0 || parentOp === 0) return false;
        if (op > parentOp) return true;
        if (op < parentOp) return false;
        // the same rank: (a - b) - c needs none, a - (b - c) does
        return (parent as Call).args[0] === node;
      }
      return underOwnSeparators(parent);
    case 'isnull': case 'booltest': case 'distinct': case 'subquery': case 'insubquery':
      return underOwnSeparators(parent);
    case 'and': case 'or': case 'not':
      if (parent.kind === 'and' || parent.kind === 'or' || parent.kind === 'not') {
        if (!pretty) return false;
        return node.kind === 'or' ? parent.kind === 'or' : parent.kind === 'and' || parent.kind === 'or';
      }
      return underOwnSeparators(parent);
    default:
      return false;
  }
}

/** the parents that set their child off with their own parentheses or separators (functions, AND / OR, lists) */
function underOwnSeparators(parent: Node): boolean {
  switch (parent.kind) {
    case 'call': return !isOperatorCall(parent);
    case 'cast': return false;
    case 'and': case 'or': case 'not':
    case 'subscript': case 'array': case 'coalesce': case 'minmax': case 'agg': case 'window': case 'case': case 'sqlCall':
      return true;
    default: return false;
  }
}

/**
 * get_rule_sortgroupclause: a GROUP BY / ORDER BY / PARTITION BY item — a column bare, any
 * other expression parenthesized in pretty mode (and a function call in both)
 */
export function sortGroupText(e: Expr, opts: RuleExprOptions, indent = opts.indent ?? 0): string {
  const text = ruleExpr(e, { ...opts, indent }, true);
  const bare = e.kind === 'column' || (e.kind === 'cast' && !e.explicit && e.arg.kind === 'column' && invisibleWidening(e));
  const call = e.kind === 'agg' || e.kind === 'window' || e.kind === 'sqlCall' || (e.kind === 'call' && !isOperatorCall(e) && !(e.sqlSyntax && e.name === 'collate')) || (e.kind === 'cast' && !(e.arg.kind === 'const' && untypedLiteral(e.arg)));
  return !bare && (opts.pretty || call) ? `(${text})` : text;
}

/** get_rule_orderby's item: the key, then DESC / NULLS as the defaults leave them out */
export function sortKeyText(k: { expr: Expr; desc: boolean; nullsFirst: boolean }, opts: RuleExprOptions, indent = opts.indent ?? 0): string {
  let t = sortGroupText(k.expr, opts, indent);
  if (k.desc) t += ' DESC';
  if (k.nullsFirst !== k.desc) t += k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST';
  return t;
}

/** The expression as get_rule_expr prints it at the top of a catalog function (showimplicit false). */
export function ruleExpr(e: Expr, opts: RuleExprOptions, showImplicit = false): string {
  const p = new RulePrinter(opts);
  p.expr(e, showImplicit);
  return p.text();
}

/** Both texts a catalog expression is read in: psql's \d (pretty) and pg_dump's (plain). */
export function ruleExprTexts(e: Expr): { pretty: string; plain: string } {
  return { pretty: ruleExpr(e, { pretty: true }), plain: ruleExpr(e, { pretty: false }) };
}

