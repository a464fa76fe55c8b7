/**
 * Reading libpg-query's parse tree for the fan-out planner: what a node is, whether two
 * expressions are the same (ignoring where they were written), and searches of a subtree.
 * The tree is the library's JSON (typed by @pgsql/types); the planner only reads it.
 */
export type RawNode = Record<string, any>;

/** the node's kind and body: { ColumnRef: {...} } → ['ColumnRef', {...}] */
export function kindOf(node: unknown): [string, RawNode] | undefined {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const keys = Object.keys(node);
  if (keys.length !== 1) return undefined;
  return [keys[0], (node as RawNode)[keys[0]]];
}

function withoutLocations(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutLocations);
  if (v && typeof v === 'object') {
    const out: RawNode = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'location') out[k] = withoutLocations(x);
    return out;
  }
  return v;
}

/** the same expression, wherever it was written (ORDER BY a+b matches SELECT a+b) */
export function sameExpr(a: unknown, b: unknown): boolean {
  return JSON.stringify(withoutLocations(a)) === JSON.stringify(withoutLocations(b));
}

/** every node of the subtree (objects with one key), depth first; `into` says whether to descend */
export function walk(node: unknown, visit: (kind: string, body: RawNode) => boolean | void): void {
  if (Array.isArray(node)) {
    for (const x of node) walk(x, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const k = kindOf(node);
  if (k && typeof k[1] === 'object' && k[1] !== null) {
    if (visit(k[0], k[1]) === false) return;
    for (const v of Object.values(k[1])) walk(v, visit);
    return;
  }
  for (const v of Object.values(node)) walk(v, visit);
}

export function findNode(node: unknown, pred: (kind: string, body: RawNode) => boolean): RawNode | undefined {
  let found: RawNode | undefined;
  walk(node, (kind, body) => {
    if (found) return false;
    if (pred(kind, body)) { found = body; return false; }
    return true;
  });
  return found;
}

export function strings(list: unknown): string[] {
  return ((list as RawNode[] | undefined) ?? []).map((n) => (n.String?.sval as string | undefined) ?? (n.A_Star ? '*' : ''));
}

/** a function's name without a pg_catalog qualification (undefined: another schema) */
export function funcName(call: RawNode): string | undefined {
  const parts = strings(call.funcname);
  if (parts.length === 2 && parts[0] !== 'pg_catalog') return undefined;
  return parts[parts.length - 1];
}

/**
 * PostgreSQL's built-in aggregates by name: the ones a sharded cluster merges, and the
 * others (recognized only to say so: Quiver has no CREATE AGGREGATE).
 */
export const MERGEABLE_AGGREGATES = new Set(['count', 'sum', 'min', 'max', 'avg', 'bool_and', 'bool_or', 'every']);
const OTHER_AGGREGATES = new Set([
  'array_agg', 'string_agg', 'json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg', 'json_agg_strict',
  'jsonb_agg_strict', 'json_objectagg', 'json_arrayagg', 'bit_and', 'bit_or', 'bit_xor', 'stddev', 'stddev_pop',
  'stddev_samp', 'variance', 'var_pop', 'var_samp', 'corr', 'covar_pop', 'covar_samp', 'regr_avgx', 'regr_avgy',
  'regr_count', 'regr_intercept', 'regr_r2', 'regr_slope', 'regr_sxx', 'regr_sxy', 'regr_syy', 'percentile_cont',
  'percentile_disc', 'mode', 'xmlagg', 'range_agg', 'range_intersect_agg', 'any_value',
]);

/** a call of an aggregate (ignoring window calls, which the shape check refuses first) */
export function isAggregateCall(kind: string, body: RawNode): boolean {
  if (kind !== 'FuncCall') return false;
  if (body.agg_star || body.agg_within_group) return true;
  const name = funcName(body);
  return name !== undefined && (MERGEABLE_AGGREGATES.has(name) || OTHER_AGGREGATES.has(name));
}

/** the aggregate calls in an expression, outermost first (an aggregate's own argument is not searched) */
export function aggregateCalls(node: unknown): RawNode[] {
  const out: RawNode[] = [];
  walk(node, (kind, body) => {
    if (kind === 'SubLink') return false; // a subquery's aggregates are its own
    if (isAggregateCall(kind, body)) { out.push(body); return false; }
    return true;
  });
  return out;
}

export function containsParam(node: unknown): boolean {
  return findNode(node, (kind) => kind === 'ParamRef') !== undefined;
}

/** an integer constant (ORDER BY 2, LIMIT 10) */
export function intConst(node: unknown): number | undefined {
  const k = kindOf(node);
  if (k?.[0] !== 'A_Const') return undefined;
  if (k[1].ival !== undefined) return Number(k[1].ival.ival ?? 0);
  return undefined;
}

/** a bare column name (ORDER BY d), as PostgreSQL matches it against output column names */
export function bareColumnName(node: unknown): string | undefined {
  const k = kindOf(node);
  if (k?.[0] !== 'ColumnRef') return undefined;
  const f = strings(k[1].fields);
  return f.length === 1 && f[0] !== '*' ? f[0] : undefined;
}
