/**
 * PostgreSQL's checkWellFormedRecursion (parse_cte.c) on the raw tree of a WITH RECURSIVE
 * query: the recursive term refers to the query exactly once, never from a subquery, an
 * outer join's nullable side, INTERSECT ALL or EXCEPT, nor from the non-recursive term; no
 * ORDER BY / LIMIT / OFFSET / FOR UPDATE on the whole UNION; no aggregate at the level that
 * reads the work table. Checked before binding so the messages and positions match.
 */
import { SqlError, SqlState } from '../errors.js';
import { isAggregateName } from '../functions/index.js';
import type { RawNode } from './parser.js';
import { rawPosition } from './positions.js';

type Context = 'ok' | 'nonRecursiveTerm' | 'subquery' | 'outerJoin' | 'intersect' | 'except';

const PLACES: Record<Exclude<Context, 'ok'>, string> = {
  nonRecursiveTerm: 'its non-recursive term', subquery: 'a subquery', outerJoin: 'an outer join', intersect: 'INTERSECT', except: 'EXCEPT',
};

const recursionError = (message: string, node?: RawNode): SqlError =>
  new SqlError(SqlState.invalidRecursion, message, { position: node ? rawPosition(node) : undefined });

/** `stmt` is the CTE's SelectStmt, already known to be a UNION that refers to `name`. */
export function checkWellFormedRecursion(name: string, stmt: RawNode): void {
  const state = { name, refs: 0 };
  walkSelect(stmt.larg, 'nonRecursiveTerm', state);
  walkSelect(stmt.rarg, 'ok', state);
  const unsupported = (what: string, node: RawNode | undefined) =>
    new SqlError(SqlState.featureNotSupported, `${what} in a recursive query is not implemented`, { position: node ? rawPosition(node) : undefined });
  if (stmt.sortClause?.length) throw unsupported('ORDER BY', stmt.sortClause[0]);
  if (stmt.limitOffset) throw unsupported('OFFSET', stmt.limitOffset);
  if (stmt.limitCount) throw unsupported('LIMIT', stmt.limitCount);
  if (stmt.lockingClause?.length) throw unsupported('FOR UPDATE/SHARE', undefined);
  checkNoAggregates(name, stmt.rarg);
}

interface State { readonly name: string; refs: number }

function walk(node: unknown, context: Context, state: State): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) { node.forEach((x) => walk(x, context, state)); return; }
  const o = node as RawNode;
  if (o.RangeVar) {
    const rv = o.RangeVar;
    if (rv.schemaname || rv.relname !== state.name) return;
    if (context !== 'ok') throw recursionError(`recursive reference to query "${state.name}" must not appear within ${PLACES[context]}`, o);
    if (++state.refs > 1) throw recursionError(`recursive reference to query "${state.name}" must not appear more than once`, o);
    return;
  }
  if (o.SelectStmt) { walkSelect(o.SelectStmt, context, state); return; }
  if (o.JoinExpr) { walkJoin(o.JoinExpr, context, state); return; }
  if (o.SubLink) {
    // a subquery is independent of the outer context
    walk(o.SubLink.subselect, 'subquery', state);
    walk(o.SubLink.testexpr, context, state);
    return;
  }
  for (const v of Object.values(o)) walk(v, context, state);
}

/** A SelectStmt body (set operations keep their operands as bodies, without the wrapper). */
function walkSelect(s: RawNode | undefined, context: Context, state: State): void {
  if (!s) return;
  // an inner WITH that defines the same name hides the outer query from its body
  const ctes = (s.withClause?.ctes ?? []) as RawNode[];
  if (ctes.some((c) => c.CommonTableExpr?.ctename === state.name)) {
    walk(ctes, context, state);
    return;
  }
  if (context !== 'ok' || !s.op || s.op === 'SETOP_NONE' || s.op === 'SETOP_UNION') {
    for (const [k, v] of Object.entries(s)) {
      if (k === 'larg' || k === 'rarg') walkSelect(v as RawNode, context, state);
      else walk(v, context, state);
    }
    return;
  }
  const rest = [s.sortClause, s.limitOffset, s.limitCount, s.lockingClause, s.withClause];
  if (s.op === 'SETOP_INTERSECT') {
    const inner: Context = s.all ? 'intersect' : context;
    walkSelect(s.larg, inner, state);
    walkSelect(s.rarg, inner, state);
  } else {
    walkSelect(s.larg, s.all ? 'except' : context, state);
    walkSelect(s.rarg, 'except', state);
  }
  walk(rest, context, state);
}

function walkJoin(j: RawNode, context: Context, state: State): void {
  const outer = (c: Context): Context => (c === 'ok' ? 'outerJoin' : c);
  switch (j.jointype) {
    case 'JOIN_LEFT': walk(j.larg, context, state); walk(j.rarg, outer(context), state); break;
    case 'JOIN_RIGHT': walk(j.larg, outer(context), state); walk(j.rarg, context, state); break;
    case 'JOIN_FULL': walk(j.larg, outer(context), state); walk(j.rarg, outer(context), state); break;
    default: walk(j.larg, context, state); walk(j.rarg, context, state);
  }
  walk(j.quals, context, state);
}

/** The SELECT level whose FROM reads the work table may not aggregate (parseCheckAggregates). */
function checkNoAggregates(name: string, rarg: RawNode): void {
  const level = levelReading(name, rarg);
  if (!level) return;
  const agg = findAggregate([level.targetList, level.havingClause]);
  if (agg) throw recursionError("aggregate functions are not allowed in a recursive query's recursive term", agg);
}

function levelReading(name: string, s: RawNode | undefined): RawNode | undefined {
  if (!s) return undefined;
  if (s.op && s.op !== 'SETOP_NONE') return levelReading(name, s.larg) ?? levelReading(name, s.rarg);
  return fromReads(name, s.fromClause) ? s : undefined;
}

function fromReads(name: string, items: unknown): boolean {
  if (!items || typeof items !== 'object') return false;
  if (Array.isArray(items)) return items.some((x) => fromReads(name, x));
  const o = items as RawNode;
  if (o.RangeVar) return !o.RangeVar.schemaname && o.RangeVar.relname === name;
  if (o.JoinExpr) return fromReads(name, o.JoinExpr.larg) || fromReads(name, o.JoinExpr.rarg);
  return false;
}

/** The first aggregate call of this query level (not inside a subquery or under OVER). */
function findAggregate(node: unknown): RawNode | undefined {
  if (!node || typeof node !== 'object') return undefined;
  if (Array.isArray(node)) {
    for (const x of node) { const found = findAggregate(x); if (found) return found; }
    return undefined;
  }
  const o = node as RawNode;
  if (o.SubLink) return undefined;
  if (o.FuncCall) {
    const names = (o.FuncCall.funcname as RawNode[]).map((x) => x.String.sval as string);
    if (!o.FuncCall.over && (o.FuncCall.agg_star || isAggregateName(names[names.length - 1]))) return o;
  }
  for (const v of Object.values(o)) {
    const found = findAggregate(v);
    if (found) return found;
  }
  return undefined;
}
