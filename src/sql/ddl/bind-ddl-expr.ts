/**
 * Binding the parsed pieces DDL carries (src/sql/ddl/parsed-expr.ts) when the engine needs
 * them: an expression over one row (DEFAULT for existing rows, USING, CHECK) and a view's
 * query. The engine gets bound expressions and column lists, never the parser's tree.
 */
import type { Expr, Plan } from '../../planner/plan.js';
import { formatType, type SqlType } from '../../types/types.js';
import { bindExpr, coerce, newBoundRecord } from '../bind-expr.js';
import { deparseViewQuery, MARK_WRAPS } from './view-deparse.js';
import type { SelectBinder } from '../bind-select.js';
import { Scope } from '../scope.js';
import { treeOf, type ParsedExpr } from './parsed-expr.js';
import type { TableDef, ViewRead } from '../../catalog/catalog.js';

/** An expression over a row with these columns, cast (assignment context) to `type` (undefined: of its own type, an index key). */
export function bindRowExpr(binder: SelectBinder, expr: ParsedExpr, columns: readonly { name: string; type: SqlType }[], type: SqlType | undefined): Expr {
  const scope = new Scope(null);
  scope.add('', columns.map((c) => ({ name: c.name, type: c.type, tableOid: 0, attnum: 0 })));
  const bound = bindExpr(treeOf(expr) as never, scope, binder.ctx(type ? 'DEFAULT expressions' : 'index expressions'));
  if (!type) return bound;
  // an unknown literal ('0') takes the column's type directly, as in CREATE TABLE … DEFAULT '0'
  return coerce(binder.env, bound, type, 'assignment', () => `default for column of type ${formatType(type)}`);
}

/** A view's query as a plan, as the binder leaves it (no rule applied); undefined for a query that is no SELECT. */
export function bindViewPlan(binder: SelectBinder, query: ParsedExpr): Plan | undefined {
  const node = treeOf(query);
  if (!('SelectStmt' in node)) return undefined;
  return binder.bindSelect(node.SelectStmt, null);
}

/** A view's query bound: its plan, what it reads, and its text as pg_get_viewdef prints it (view-deparse.ts) for these column names. */
export interface BoundView {
  readonly plan: Plan;
  readonly reads: ViewRead[];
  readonly deparse: (columns: readonly string[]) => { readonly pretty: string; readonly plain: string; readonly wrapped: string } | undefined;
}

/**
 * A view's query bound as bindViewPlan binds it, with the relations it reads directly (not
 * through another view) and the columns of each it uses: what it depends on.
 */
export function bindViewQuery(binder: SelectBinder, query: ParsedExpr): BoundView | undefined {
  const node = treeOf(query);
  if (!('SelectStmt' in node)) return undefined;
  const record = newBoundRecord();
  binder.env.bound = record;
  let plan: Plan;
  try {
    plan = binder.bindSelect(node.SelectStmt, null);
  } finally {
    binder.env.bound = undefined;
  }
  const reads = new Map<number, { oid: number; columns: string[]; table: TableDef }>();
  for (const a of binder.accessed) {
    // a view's own reads are checked as its owner: they are that view's dependencies
    if (!a.table || a.checkAs !== undefined) continue;
    const r = reads.get(a.table.oid) ?? { oid: a.table.oid, columns: [], table: a.table };
    reads.set(a.table.oid, r);
    for (const i of [...(a.columns ?? [])].sort((x, y) => x - y)) {
      const name = a.table.columns[i]?.name;
      if (name !== undefined && !r.columns.includes(name)) r.columns.push(name);
    }
  }
  const deparse = (columns: readonly string[]) => {
    const pretty = deparseViewQuery(node.SelectStmt, record, columns, true);
    const plain = pretty === undefined ? undefined : deparseViewQuery(node.SelectStmt, record, columns, false);
    const wrapped = plain === undefined ? undefined : deparseViewQuery(node.SelectStmt, record, columns, true, MARK_WRAPS);
    return pretty === undefined || plain === undefined || wrapped === undefined ? undefined : { pretty, plain, wrapped };
  };
  // in attnum order, as pg_depend's rows
  return { plan, deparse, reads: [...reads.values()].map((r) => ({ oid: r.oid, columns: r.table.columns.map((c) => c.name).filter((c) => r.columns.includes(c)) })) };
}

/** The output columns of a view's query. */
export function bindViewColumns(binder: SelectBinder, query: ParsedExpr): readonly { name: string; type: SqlType }[] {
  const node = treeOf(query);
  if (!('SelectStmt' in node)) throw new Error('bug: a view query that is not a SELECT');
  return binder.bindSelect(node.SelectStmt, null).schema;
}
