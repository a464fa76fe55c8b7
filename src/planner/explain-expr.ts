/**
 * Expressions as EXPLAIN prints them, following PostgreSQL's ruleutils.c: operators in
 * parentheses `(a = 5)`, typed literals `'20'::double precision`, casts `(x)::bigint`,
 * `(x = ANY ('{1,2}'::integer[]))`, `(SubPlan 1)`. Columns are qualified with their table
 * when the plan reads more than one relation (or with VERBOSE), as PostgreSQL does.
 */
import { formatText, stringValueIsNotItsText } from '../types/text-io.js';
import { formatType, formatTypeWithTypmod, OID, type Value } from '../types/types.js';
import type { Expr, Plan, SortKey } from './plan.js';
import { foldedTsquery } from './fold-tsquery.js';
import { sqlSyntaxCall } from './sql-syntax-calls.js';
import { quoteIdent } from '../types/identifiers.js';
import { isRowType } from '../types/records.js';
import { planIsCorrelated } from './expr-walk.js';

export interface DeparseContext {
  readonly qualify: boolean;
  /** for columns of an enclosing query (a subquery's references to the outer row): `qualify` when absent */
  readonly qualifyOuter?: boolean;
  /** numbers a subquery the first time it is printed (SubPlan 1, 2, …) */
  subplanNumber(plan: Plan): number;
  /**
   * numbers an uncorrelated subquery, run once before the node (PostgreSQL's InitPlan N
   * (returns $K)), and gives its parameter K; without it every subquery prints as a SubPlan
   */
  initPlanParam?(plan: Plan): number;
  /**
   * A column of the node's input printed as what the input computes (a Sort over an
   * Aggregate: `c.id`, `(count(*))`), as PostgreSQL prints an upper node's reference to its
   * child's output; undefined: the column's own name
   */
  inputColumn?(e: Extract<Expr, { kind: 'column' }>): string | undefined;
  /** the name a column's relation shows under in EXPLAIN (made unique in the statement), `level` queries out */
  tableName?(table: string, level: number): string;
}

/**
 * ruleutils' get_const_expr prints an int4 constant bare and int2 / int8 ones as typed
 * literals ('5'::bigint). The bound tree also holds int2 / int8 constants PostgreSQL never
 * has: int4 literals coerced to a column's type (a key lookup, a LIMIT), which it prints as
 * the int4 they were. So an int8 constant that fits int4, or an int2 one, prints bare unless
 * it was a literal of its type ('5', '5'::bigint, a custom plan's parameter); one past int4 came
 * from a literal too big for int4, an int8 Const in PostgreSQL too.
 */
const INTEGERS = new Set<number>([OID.int2, OID.int4, OID.int8]);

function bareInteger(e: Extract<Expr, { kind: 'const' }>, text: string): boolean {
  if (!/^\d+$/.test(text)) return false;
  if (e.type.oid === OID.int4) return true;
  if (e.type.oid === OID.int2) return !e.typed;
  return e.type.oid === OID.int8 && !e.typed && BigInt(text) <= 2147483647n;
}


/** keywords the grammar turns into calls (SQLValueFunction): ruleutils prints them as written, CURRENT_USER */
const SQL_VALUE_FUNCTIONS = new Set(['current_user', 'session_user', 'current_role', 'current_catalog', 'current_schema', 'current_date', 'localtimestamp', 'localtime', 'current_timestamp', 'current_time']);

/** ruleutils get_const_expr's spelling of a constant: 5, 1.5, 'x'::text, '-1'::integer, NULL::integer */
export function constLiteral(e: Extract<Expr, { kind: 'const' }>): string {
  // ruleutils' get_const_expr: a NULL of a known type shows it
  if (e.value === null) return e.type.oid === OID.unknown ? 'NULL' : `NULL::${formatTypeWithTypmod(e.type)}`;
  let text: string;
  try {
    text = typeof e.value === 'string' && !stringValueIsNotItsText(e.type.oid) ? e.value : formatText(e.type, e.value);
  } catch {
    text = String(e.value);
  }
  if (bareInteger(e, text)) return text;
  if (e.type.oid === OID.numeric && /^\d+\.\d+$/.test(text)) return text;
  if (e.type.oid === OID.bool) return text === 't' || text === 'true' ? 'true' : 'false';
  const quoted = `'${text.replace(/'/g, "''")}'`;
  return e.type.oid === OID.unknown ? quoted : `${quoted}::${formatTypeWithTypmod(e.type)}`;
}

function castsOfConstant(e: Expr): boolean {
  return e.kind === 'const' ? e.value !== null : e.kind === 'cast' && castsOfConstant(e.arg);
}

function isOperator(name: string): boolean {
  return !/^[a-z_]/i.test(name);
}

export function deparse(e: Expr | null | undefined, ctx: DeparseContext): string {
  if (!e) return '';
  const d = (x: Expr) => deparse(x, ctx);
  switch (e.kind) {
    case 'const': return constLiteral(e);
    case 'param': return `$${e.index + 1}`;
    case 'column': {
      const resolved = e.level === 0 ? ctx.inputColumn?.(e) : undefined;
      if (resolved !== undefined) return resolved;
      const name = e.name || `#${e.index}`;
      const qualify = e.level > 0 ? ctx.qualifyOuter ?? ctx.qualify : ctx.qualify;
      return qualify && e.table ? `${ctx.tableName?.(e.table, e.level) ?? e.table}.${name}` : name;
    }
    case 'call': {
      if (e.args.length === 0 && SQL_VALUE_FUNCTIONS.has(e.name)) return e.name.toUpperCase();
      const tsquery = foldedTsquery(e);
      if (tsquery !== undefined) return constLiteral({ kind: 'const', type: e.type, value: tsquery });
      // the planner folds a CollateExpr into its argument's collation: EXPLAIN shows the argument
      if (e.sqlSyntax && e.name === 'collate' && e.args.length === 2) return d(e.args[0]);
      const sqlSyntax = e.sqlSyntax ? sqlSyntaxCall(e, d) : undefined;
      if (sqlSyntax !== undefined) return sqlSyntax;
      // a key word as a function's name is quoted, as quote_identifier does: "substring"(t, 2)
      if (!isOperator(e.name)) return `${/^[a-z_][a-z0-9_$]*$/.test(e.name) ? quoteIdent(e.name) : e.name}(${e.args.map(d).join(', ')})`;
      return e.args.length === 1 ? `(${e.name} ${d(e.args[0])})` : `(${d(e.args[0])} ${e.name} ${d(e.args[1])})`;
    }
    case 'cast':
      if (castsOfConstant(e.arg)) {
        // a cast of a constant prints as PostgreSQL's folded constant: '20'::double precision
        const inner = deparse(e.arg, ctx);
        // an int4 bare; an int8 / int2 the binder coerced an int4 literal to prints as that
        // literal, one written as a cast (5::bigint) as PostgreSQL's int8 Const, '5'::bigint
        if ((e.type.oid === OID.int4 || (!e.explicit && (e.type.oid === OID.int2 || e.type.oid === OID.int8))) && /^\d+$/.test(inner)) return inner;
        // the binder's widening of an integer for a key lookup (PostgreSQL compares with a cross-type operator instead)
        if (!e.explicit && INTEGERS.has(e.type.oid) && INTEGERS.has(e.arg.type.oid)) return inner;
        const bare = inner.replace(/::.*$/, '');
        return `${bare.startsWith("'") ? bare : `'${bare}'`}::${formatTypeWithTypmod(e.type)}`;
      }
      if (e.calledAs) return `${e.calledAs}(${d(e.arg)})`;
      return `(${d(e.arg)})::${formatTypeWithTypmod(e.type)}`;
    case 'and': case 'or': return `(${e.args.map(d).join(` ${e.kind.toUpperCase()} `)})`;
    case 'not': return `(NOT ${d(e.arg)})`;
    case 'isnull': return `(${d(e.arg)} IS ${e.negate ? 'NOT ' : ''}NULL)`;
    case 'booltest': return `(${d(e.arg)} IS ${e.negate ? 'NOT ' : ''}${e.test.toUpperCase()})`;
    case 'case': {
      // CASE x WHEN v (each cond `x = v`): ruleutils prints the operand once and each v
      const simple = e.simple && e.whens.length > 0 && e.whens.every((w) => w.cond.kind === 'call' && w.cond.args.length === 2);
      if (simple) {
        let operand = (e.whens[0].cond as Extract<Expr, { kind: 'call' }>).args[0];
        while (operand.kind === 'cast' && !operand.explicit) operand = operand.arg;
        return `CASE ${d(operand)} ${e.whens.map((w) => `WHEN ${d((w.cond as Extract<Expr, { kind: 'call' }>).args[1])} THEN ${d(w.result)}`).join(' ')} ELSE ${d(e.otherwise)} END`;
      }
      return `CASE ${e.whens.map((w) => `WHEN ${d(w.cond)} THEN ${d(w.result)}`).join(' ')} ELSE ${d(e.otherwise)} END`;
    }
    case 'coalesce': return `COALESCE(${e.args.map(d).join(', ')})`;
    case 'minmax': return `${e.op.toUpperCase()}(${e.args.map(d).join(', ')})`;
    case 'rowcompare': {
      const n = e.ops.length;
      return `(ROW(${e.args.slice(0, n).map(d).join(', ')}) ${e.op} ROW(${e.args.slice(n).map(d).join(', ')}))`;
    }
    case 'array': {
      if (e.type.oid === OID.record) return `ROW(${e.elems.map(d).join(', ')})`;
      if (isRowType(e.type.oid)) return `ROW(${e.elems.map(d).join(', ')})::${formatType(e.type)}`;
      // ARRAY[] of constants is one array constant, as eval_const_expressions folds it
      if (e.elems.length > 0 && e.elems.every((x) => x.kind === 'const')) return constLiteral({ kind: 'const', type: e.type, value: e.elems.map((x) => (x as Extract<Expr, { kind: 'const' }>).value) } as Extract<Expr, { kind: 'const' }>);
      return `ARRAY[${e.elems.map(d).join(', ')}]`;
    }
    // IS NOT DISTINCT FROM is NOT over a DistinctExpr to PostgreSQL
    case 'distinct': return e.negate ? `(NOT (${d(e.left)} IS DISTINCT FROM ${d(e.right)}))` : `(${d(e.left)} IS DISTINCT FROM ${d(e.right)})`;
    case 'sqlCall': return `${e.name}(${e.args.map(d).join(', ')})`;
    // ruleutils parenthesizes the array unless it is a plain column or a field selection
    case 'subscript': return `${e.arg.kind === 'column' || e.arg.kind === 'field' ? d(e.arg) : `(${d(e.arg)})`}${e.subs.map((s) => `[${s.lower ? d(s.lower) : ''}${e.slice ? ':' : ''}${s.upper ? d(s.upper) : ''}]`).join('')}`;
    case 'field': return `(${d(e.arg)}).f${e.index + 1}`;
    // CoerceToDomain: shown as the cast it was written as, else as its argument
    case 'domain': return e.explicit ? `(${d(e.arg)})::${formatType(e.type)}` : d(e.arg);
    case 'anyall': return `(${d(e.left)} ${e.op ?? '='} ${e.all ? 'ALL' : 'ANY'} (${d(e.right)}))`;
    case 'subquery':
      if (ctx.initPlanParam && !planIsCorrelated(e.plan)) return `$${ctx.initPlanParam(e.plan)}`;
      return `(SubPlan ${ctx.subplanNumber(e.plan)})`;
    case 'insubquery':
      // an uncorrelated IN / = ANY is looked up in a hash of the subquery's rows (PostgreSQL: hashed SubPlan)
      if (ctx.initPlanParam && !e.all && !planIsCorrelated(e.plan)) return `(hashed SubPlan ${ctx.subplanNumber(e.plan)})`;
      return `(${d(e.left)} ${e.all ? `${e.op ?? '<>'} ALL` : `${e.op ?? '='} ANY`} (SubPlan ${ctx.subplanNumber(e.plan)}))`;
    case 'agg': return `${e.name}(${e.distinct ? 'DISTINCT ' : ''}${e.args.length ? e.args.map(d).join(', ') : '*'})`;
    // PostgreSQL 15's ruleutils prints no window definition in a plan: OVER (?)
    case 'window': return `${e.name}(${e.args.length ? e.args.map(d).join(', ') : e.fn && e.name === 'count' ? '*' : ''}) OVER (?)`;
  }
}

/** A sort key as in "Sort Key: score DESC, id NULLS FIRST". */
export function sortKeyText(k: SortKey, ctx: DeparseContext): string {
  let s = deparse(k.expr, ctx);
  if (k.desc) s += ' DESC';
  if (k.nullsFirst !== k.desc) s += k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST';
  return s;
}

/** The value of a constant for display, or undefined. */
export function constantOf(e: Expr): Value | undefined {
  return e.kind === 'const' ? e.value : e.kind === 'cast' ? constantOf(e.arg) : undefined;
}
