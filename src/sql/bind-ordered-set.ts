/**
 * `f(direct args) WITHIN GROUP (ORDER BY sorted args)`: ordered-set aggregates
 * (percentile_disc, percentile_cont, mode) and hypothetical-set aggregates (rank, dense_rank,
 * percent_rank, cume_dist). Bound as an `agg` expression whose arguments are the sorted
 * values, whose ORDER BY is the WITHIN GROUP clause and whose `direct` arguments are
 * evaluated once per group (so they may use only grouped columns, as in PostgreSQL).
 */
import { sortDirection } from './sort-direction.js';
import { SqlError, SqlState } from '../errors.js';
import { commonType, isAggregateName, resolveFunction } from '../functions/index.js';
import { describeArgs, functionNotFound, functionNotUnique } from '../functions/registry.js';
import {
  HYPOTHETICAL_SET_AGGREGATES, ORDERED_SET_AGGREGATES, hypotheticalSetAggregate, modeAggregate, percentileCont, percentileDisc,
} from '../functions/ordered-set-aggregates.js';
import type { AggregateFunction } from '../functions/api.js';
import type { Expr, SortKey } from '../planner/plan.js';
import { OID, T, arrayTypeOf, isArrayType, type SqlType } from '../types/types.js';
import { bindExpr, boolArg, coerce, filterContext, isUnknown, resolveUnknown, type ExprContext } from './bind-expr.js';
import { rawPosition as rawPos } from './positions.js';
import type { RawNode } from './parser.js';
import type { Scope } from './scope.js';

export function isOrderedSetAggregate(name: string): boolean {
  return ORDERED_SET_AGGREGATES.has(name) || HYPOTHETICAL_SET_AGGREGATES.has(name);
}

/** A call with WITHIN GROUP (n.agg_within_group); `position` is the call's. */
export function bindWithinGroupCall(n: RawNode, name: string, scope: Scope, ctx: ExprContext, position: number | undefined): Expr {
  if (n.over && isOrderedSetAggregate(name)) {
    throw new SqlError(SqlState.featureNotSupported, `OVER is not supported for ordered-set aggregate ${name}`, { position });
  }
  if (ctx.inAggregate) throw new SqlError(SqlState.groupingError, 'aggregate function calls cannot be nested', { position });
  if (ctx.noAggregates !== null && isOrderedSetAggregate(name)) {
    throw new SqlError(SqlState.groupingError, `aggregate functions are not allowed in ${ctx.noAggregates}`, { position });
  }
  const env = ctx.env;
  const inner: ExprContext = { ...ctx, inAggregate: true, allowWindow: false };
  const rawDirect = (n.args ?? []) as RawNode[];
  const direct = rawDirect.map((a) => bindExpr(a, scope, inner));
  const keys: SortKey[] = ((n.agg_order ?? []) as RawNode[]).map((s) => {
    const sb = s.SortBy;
    const { desc, nullsFirst } = sortDirection(sb);
    return { expr: bindExpr(sb.node, scope, inner), desc, nullsFirst };
  });
  const notFound = () => functionNotFound(name, [...direct, ...keys.map((k) => k.expr)].map((e) => e.type)).withPosition(position);
  if (!isOrderedSetAggregate(name)) {
    // PostgreSQL looks the name up with direct and sorted arguments together: only a plain
    // aggregate that fits them gets the WITHIN GROUP complaint, anything else "does not exist"
    if (n.agg_star || (isAggregateName(name) && fitsPlainAggregate(name, [...direct, ...keys.map((k) => k.expr)]))) {
      throw new SqlError(SqlState.wrongObjectType, `${name} is not an ordered-set aggregate, so it cannot have WITHIN GROUP`, { position });
    }
    throw notFound();
  }
  const filter = n.agg_filter ? boolArg(env, bindExpr(n.agg_filter, scope, filterContext(ctx)), 'FILTER') : null;
  const bound = HYPOTHETICAL_SET_AGGREGATES.has(name)
    ? bindHypothetical(name, direct, keys, rawDirect, ctx, position)
    : bindOrderedSet(name, direct, keys, ctx, notFound, position);
  return { kind: 'agg', type: bound.fn.returnType, name, fn: bound.fn, args: bound.keys.map((k) => k.expr), distinct: false, filter, orderBy: bound.keys, direct: bound.direct };
}

interface Bound { fn: AggregateFunction; keys: SortKey[]; direct: Expr[] }

function bindOrderedSet(name: string, direct: Expr[], keys: SortKey[], ctx: ExprContext, notFound: () => SqlError, position: number | undefined): Bound {
  const env = ctx.env;
  if (keys.length !== 1 || direct.length !== (name === 'mode' ? 0 : 1)) throw notFound();
  const key = { ...keys[0], expr: resolveUnknown(env, keys[0].expr) };
  if (name === 'mode') return { fn: modeAggregate(key.expr.type), keys: [key], direct };
  // percentile_disc/cont take float8 or float8[]: an untyped literal could be either
  if (isUnknown(direct[0]) && direct[0].kind === 'const' && direct[0].value !== null) {
    throw functionNotUnique(name, [direct[0].type, key.expr.type]).withPosition(position);
  }
  const array = isArrayType(direct[0].type.oid);
  const fraction = tryCoerce(ctx, direct[0], array ? { oid: OID._float8, typmod: -1 } : T.float8);
  if (!fraction) throw notFound();
  if (name === 'percentile_disc') {
    const elem = key.expr.type;
    const result: SqlType = array ? { oid: arrayTypeOf(elem.oid) ?? OID._text, typmod: -1 } : elem;
    return { fn: percentileDisc(result, array), keys: [key], direct: [fraction] };
  }
  const interval = key.expr.type.oid === OID.interval;
  const value = interval ? key.expr : tryCoerce(ctx, key.expr, T.float8);
  if (!value) throw notFound();
  const elem = interval ? T.interval : T.float8;
  const result: SqlType = array ? { oid: arrayTypeOf(elem.oid)!, typmod: -1 } : elem;
  return { fn: percentileCont(result, array, interval), keys: [{ ...key, expr: value }], direct: [fraction] };
}

/** Each hypothetical argument and its sort key share one type (select_common_type). */
function bindHypothetical(name: string, direct: Expr[], keys: SortKey[], rawDirect: readonly RawNode[], ctx: ExprContext, position: number | undefined): Bound {
  if (direct.length !== keys.length) {
    throw new SqlError(SqlState.undefinedFunction, `function ${name}(${describeArgs([...direct, ...keys.map((k) => k.expr)].map((e) => e.type))}) does not exist`, {
      position,
      hint: `To use the hypothetical-set aggregate ${name}, the number of hypothetical direct arguments (here ${direct.length}) must match the number of ordering columns (here ${keys.length}).`,
    });
  }
  const env = ctx.env;
  const outDirect: Expr[] = [];
  const outKeys: SortKey[] = [];
  keys.forEach((k, i) => {
    let type: SqlType;
    try {
      type = commonType([k.expr.type, direct[i].type], 'WITHIN GROUP');
    } catch (e) {
      throw e instanceof SqlError ? e.withPosition(rawPos(rawDirect[i]) ?? position) : e;
    }
    outDirect.push(coerce(env, direct[i], type, 'implicit'));
    outKeys.push({ ...k, expr: coerce(env, k.expr, type, 'implicit') });
  });
  const fn = hypotheticalSetAggregate(name, outKeys.map((k) => ({ type: k.expr.type, desc: k.desc, nullsFirst: k.nullsFirst })));
  return { fn, keys: outKeys, direct: outDirect };
}

function fitsPlainAggregate(name: string, args: readonly Expr[]): boolean {
  try {
    return resolveFunction(name, args.map((a) => a.type)).kind === 'aggregate';
  } catch {
    return false;
  }
}

function tryCoerce(ctx: ExprContext, e: Expr, target: SqlType): Expr | undefined {
  try {
    return coerce(ctx.env, e, target, 'implicit');
  } catch (err) {
    if (err instanceof SqlError && (err.code === SqlState.datatypeMismatch || err.code === SqlState.cannotCoerce)) return undefined;
    throw err;
  }
}
