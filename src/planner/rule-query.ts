/**
 * A view's query as PostgreSQL 15's ruleutils.c get_query_def prints it (pg_get_viewdef,
 * `\d+`, pg_views, information_schema.views): ` SELECT pa.id,\n    pa.code\n   FROM pa\n  WHERE
 * pa.price > 10::numeric` — columns qualified with their relation, ` AS name` where the
 * view's column is named otherwise, the keywords on lines of their own (PRETTYFLAG_INDENT),
 * expressions as rule-expr.ts prints them. Only the shapes printed here exactly as
 * PostgreSQL does are taken: one table, a WHERE, ORDER BY and LIMIT / OFFSET over a select
 * list; any other query (joins, grouping, set operations, subqueries, CTEs) is undefined and
 * the caller keeps the query as written.
 */
import type { Expr, Plan, SortKey } from './plan.js';
import type { TableDef } from '../catalog/catalog.js';
import { quoteIdent } from '../types/identifiers.js';
import { ruleExpr } from './rule-expr.js';
import { mapExpr } from './expr-walk.js';

type Scan = Extract<Plan, { kind: 'scan' }>;

interface Shape {
  readonly scan: Scan;
  readonly where: Expr | null;
  readonly exprs: readonly Expr[];
  readonly order: readonly SortKey[];
  readonly limit: Expr | null;
  readonly offset: Expr | null;
}

/** expressions a view of this shape may hold: those rule-expr.ts prints as ruleutils does */
function printable(e: Expr): boolean {
  let ok = true;
  mapExpr(e, (x) => {
    // SQL functions' names need qualifying off the search path: kept as written
    if (x.kind === 'subquery' || x.kind === 'insubquery' || x.kind === 'agg' || x.kind === 'window' || x.kind === 'param' || x.kind === 'field' || x.kind === 'sqlCall') ok = false;
    if (x.kind === 'column' && x.level !== 0) ok = false;
    return undefined;
  });
  return ok;
}

function shapeOf(plan: Plan): Shape | undefined {
  let p = plan;
  let limit: Expr | null = null;
  let offset: Expr | null = null;
  let order: readonly SortKey[] = [];
  if (p.kind === 'limit') {
    ({ limit, offset } = p);
    p = p.input;
  }
  if (p.kind === 'sort') {
    order = p.keys;
    p = p.input;
  }
  if (p.kind !== 'project') return undefined;
  const exprs = p.exprs;
  let input = p.input;
  let where: Expr | null = null;
  if (input.kind === 'filter') {
    where = input.predicate;
    input = input.input;
  }
  if (input.kind !== 'scan' || input.filter || input.table.kind === 'p' || input.alias !== undefined) return undefined;
  // ORDER BY keys that are select-list columns (a key outside it needs a hidden column: not taken)
  if (order.some((k) => k.expr.kind !== 'column' || k.expr.level !== 0 || k.expr.index >= exprs.length)) return undefined;
  const all = [...exprs, ...(where ? [where] : []), ...(limit ? [limit] : []), ...(offset ? [offset] : [])];
  return all.every(printable) ? { scan: input, where, exprs, order, limit, offset } : undefined;
}

/** ruleutils' appendContextKeyword in a view: a new line, `plus` spaces, the keyword */
function line(keyword: string, plus: number): string {
  return `\n${' '.repeat(plus)}${keyword}`;
}

function queryText(s: Shape, columnNames: readonly string[], pretty: boolean): string {
  const relation = quoteIdent(s.scan.table.name);
  const column = (e: Extract<Expr, { kind: 'column' }>) => `${relation}.${quoteIdent(e.name)}`;
  // get_query_def's clauses print their expressions at PRETTYINDENT_STD
  const expr = (e: Expr) => ruleExpr(e, { pretty, column, indent: 8 });
  const targets = s.exprs.map((e, i) => {
    const name = columnNames[i] ?? '?column?';
    const text = expr(e);
    // get_target_list: AS only where the column's name is not the one the expression gives
    return e.kind === 'column' && e.name === name ? text : `${text} AS ${quoteIdent(name)}`;
  });
  let sql = ` SELECT ${targets.join(',\n    ')}`;
  sql += `${line(' FROM ', 2)}${relation}`;
  if (s.where) sql += `${line(' WHERE ', 1)}${expr(s.where)}`;
  if (s.order.length > 0) {
    const keys = s.order.map((k) => {
      const target = s.exprs[(k.expr as Extract<Expr, { kind: 'column' }>).index];
      let t = expr(target);
      if (k.desc) t += ' DESC';
      if (k.nullsFirst !== k.desc) t += k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST';
      return t;
    });
    sql += `${line(' ORDER BY ', 1)}${keys.join(', ')}`;
  }
  if (s.offset) sql += `${line(' OFFSET ', 0)}${expr(s.offset)}`;
  if (s.limit) sql += `${line(' LIMIT ', 0)}${expr(s.limit)}`;
  return sql;
}

/**
 * Both texts of a view's query (pg_get_viewdef(v, true) and pg_get_viewdef(v)), without the
 * final semicolon, or undefined for a query of a shape not printed here.
 */
export function viewQueryTexts(plan: Plan, columnNames: readonly string[]): NonNullable<NonNullable<TableDef['view']>['deparsed']> | undefined {
  const shape = shapeOf(plan);
  if (!shape) return undefined;
  const t = shape.scan.table;
  return {
    pretty: queryText(shape, columnNames, true), plain: queryText(shape, columnNames, false),
    schema: t.schema, relation: t.oid, names: [t.name, ...t.columns.map((c) => c.name)], viewColumns: columnNames,
  };
}
