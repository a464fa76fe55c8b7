/**
 * The multirange types' functions, operators and aggregates (PostgreSQL 15's multirangetypes.c),
 * declared as pg_proc / pg_operator declare them: over anymultirange (its range type is the
 * anyrange, its subtype the anyelement), the constructors per type. The algebra is
 * types/multirange.ts.
 */
import { SqlError, SqlState } from '../errors.js';
import { type MultirangeValue, type RangeValue, type SqlType, type Value } from '../types/types.js';
import { multirangeOps, rangeOps } from '../types/compare.js';
import { MULTIRANGE_TYPES, rangeMultirangeType, type MultirangeOps } from '../types/multirange.js';
import { RANGE_LB_INC, RANGE_LB_INF, RANGE_UB_INC, RANGE_UB_INF } from '../types/range.js';
import type { EvalContext } from './api.js';

type Impl = (args: readonly Value[], ctx: EvalContext, types: readonly SqlType[]) => Value;

export interface MultirangeFunctionDef {
  readonly name: string;
  readonly args: readonly string[];
  readonly ret: string;
  readonly impl: Impl;
  readonly strict: boolean;
  /** the element type of a VARIADIC parameter */
  readonly variadic?: string;
}

export interface MultirangeOperatorDef {
  readonly sym: string;
  readonly left: string;
  readonly right: string;
  readonly ret: string;
  readonly impl: Impl;
}

const M = (v: Value | undefined): MultirangeValue => v as MultirangeValue;
const R = (v: Value | undefined): RangeValue => v as RangeValue;

/** the multirange algebra of the call's argument i, a multirange or (asRange) a range */
function opsOf(types: readonly SqlType[], i: number, asRange = false): MultirangeOps {
  const oid = asRange ? rangeMultirangeType(types[i]!.oid) : types[i]!.oid;
  const ops = oid !== undefined ? multirangeOps(oid) : undefined;
  if (!ops) throw new SqlError(SqlState.internalError, `bug: ${types[i]!.oid} is not a multirange type`);
  return ops;
}

type Kind = 'm' | 'r';
type Pred = (o: MultirangeOps, a: Value, b: Value) => Value;

/** [pg_proc name, operator, left, right, result, implementation] */
const BINARY: readonly [string, string | undefined, Kind, Kind, 'bool' | 'int4' | 'anymultirange', Pred][] = [
  ['multirange_eq', '=', 'm', 'm', 'bool', (o, a, b) => o.compare(M(a), M(b)) === 0],
  ['multirange_ne', '<>', 'm', 'm', 'bool', (o, a, b) => o.compare(M(a), M(b)) !== 0],
  ['multirange_lt', '<', 'm', 'm', 'bool', (o, a, b) => o.compare(M(a), M(b)) < 0],
  ['multirange_le', '<=', 'm', 'm', 'bool', (o, a, b) => o.compare(M(a), M(b)) <= 0],
  ['multirange_gt', '>', 'm', 'm', 'bool', (o, a, b) => o.compare(M(a), M(b)) > 0],
  ['multirange_ge', '>=', 'm', 'm', 'bool', (o, a, b) => o.compare(M(a), M(b)) >= 0],
  ['multirange_cmp', undefined, 'm', 'm', 'int4', (o, a, b) => o.compare(M(a), M(b))],
  ['range_overlaps_multirange', '&&', 'r', 'm', 'bool', (o, a, b) => o.overlapsRange(M(b), R(a))],
  ['multirange_overlaps_range', '&&', 'm', 'r', 'bool', (o, a, b) => o.overlapsRange(M(a), R(b))],
  ['multirange_overlaps_multirange', '&&', 'm', 'm', 'bool', (o, a, b) => o.overlaps(M(a), M(b))],
  ['multirange_contains_range', '@>', 'm', 'r', 'bool', (o, a, b) => o.containsRange(M(a), R(b))],
  ['multirange_contains_multirange', '@>', 'm', 'm', 'bool', (o, a, b) => o.contains(M(a), M(b))],
  ['range_contains_multirange', '@>', 'r', 'm', 'bool', (o, a, b) => o.rangeContains(R(a), M(b))],
  ['range_contained_by_multirange', '<@', 'r', 'm', 'bool', (o, a, b) => o.containsRange(M(b), R(a))],
  ['multirange_contained_by_multirange', '<@', 'm', 'm', 'bool', (o, a, b) => o.contains(M(b), M(a))],
  ['multirange_contained_by_range', '<@', 'm', 'r', 'bool', (o, a, b) => o.rangeContains(R(b), M(a))],
  ['range_overleft_multirange', '&<', 'r', 'm', 'bool', (o, a, b) => o.overLeft(R(a), M(b))],
  ['multirange_overleft_range', '&<', 'm', 'r', 'bool', (o, a, b) => o.overLeft(M(a), R(b))],
  ['multirange_overleft_multirange', '&<', 'm', 'm', 'bool', (o, a, b) => o.overLeft(M(a), M(b))],
  ['range_overright_multirange', '&>', 'r', 'm', 'bool', (o, a, b) => o.overRight(R(a), M(b))],
  ['multirange_overright_range', '&>', 'm', 'r', 'bool', (o, a, b) => o.overRight(M(a), R(b))],
  ['multirange_overright_multirange', '&>', 'm', 'm', 'bool', (o, a, b) => o.overRight(M(a), M(b))],
  ['range_adjacent_multirange', '-|-', 'r', 'm', 'bool', (o, a, b) => o.adjacent(R(a), M(b))],
  ['multirange_adjacent_range', '-|-', 'm', 'r', 'bool', (o, a, b) => o.adjacent(M(a), R(b))],
  ['multirange_adjacent_multirange', '-|-', 'm', 'm', 'bool', (o, a, b) => o.adjacent(M(a), M(b))],
  ['range_before_multirange', '<<', 'r', 'm', 'bool', (o, a, b) => o.before(R(a), M(b))],
  ['multirange_before_range', '<<', 'm', 'r', 'bool', (o, a, b) => o.before(M(a), R(b))],
  ['multirange_before_multirange', '<<', 'm', 'm', 'bool', (o, a, b) => o.before(M(a), M(b))],
  ['range_after_multirange', '>>', 'r', 'm', 'bool', (o, a, b) => o.before(M(b), R(a))],
  ['multirange_after_range', '>>', 'm', 'r', 'bool', (o, a, b) => o.before(R(b), M(a))],
  ['multirange_after_multirange', '>>', 'm', 'm', 'bool', (o, a, b) => o.before(M(b), M(a))],
  ['multirange_union', '+', 'm', 'm', 'anymultirange', (o, a, b) => o.union(M(a), M(b))],
  ['multirange_minus', '-', 'm', 'm', 'anymultirange', (o, a, b) => o.minus(M(a), M(b))],
  ['multirange_intersect', '*', 'm', 'm', 'anymultirange', (o, a, b) => o.intersect(M(a), M(b))],
];

const declared = (k: Kind): string => (k === 'm' ? 'anymultirange' : 'anyrange');
/** the argument that fixes the multirange type: the first multirange one */
const implOf = (left: Kind, f: Pred): Impl => ([a, b], _c, types) => f(left === 'm' ? opsOf(types, 0) : opsOf(types, 1), a!, b!);

const containsElem: Impl = ([m, e], _c, types) => opsOf(types, 0).containsElem(M(m), e!);
const elemContainedBy: Impl = ([e, m], _c, types) => opsOf(types, 1).containsElem(M(m), e!);

/** first range's lower bound / last range's upper bound flags (false when empty) */
const lowerFlag = (bit: number): Impl => ([m]) => M(m).ranges.length > 0 && (M(m).ranges[0]!.flags & bit) !== 0;
const upperFlag = (bit: number): Impl => ([m]) => M(m).ranges.length > 0 && (M(m).ranges[M(m).ranges.length - 1]!.flags & bit) !== 0;

const nullMember = (): SqlError => new SqlError(SqlState.nullValueNotAllowed, 'multirange values cannot contain null members');

/**
 * multirange_constructor0/1/2 of one multirange type as one variadic function: no argument
 * gives the empty multirange, one NULL range NULL (constructor1 is strict), a NULL among
 * several ranges 22004.
 */
function constructor(oid: number, name: string, rangeName: string): MultirangeFunctionDef {
  return {
    name, args: [], ret: name, strict: false, variadic: rangeName, impl: (args) => {
      if (args.length === 1 && args[0] === null) return null;
      if (args.some((a) => a === null)) throw nullMember();
      return multirangeOps(oid)!.make(args as RangeValue[]);
    },
  };
}

export const MULTIRANGE_FUNCTIONS: readonly MultirangeFunctionDef[] = [
  { name: 'lower', args: ['anymultirange'], ret: 'anyelement', strict: true, impl: ([m]) => {
    const first = M(m).ranges[0];
    return first === undefined || (first.flags & RANGE_LB_INF) !== 0 ? null : first.lower;
  } },
  { name: 'upper', args: ['anymultirange'], ret: 'anyelement', strict: true, impl: ([m]) => {
    const last = M(m).ranges[M(m).ranges.length - 1];
    return last === undefined || (last.flags & RANGE_UB_INF) !== 0 ? null : last.upper;
  } },
  { name: 'isempty', args: ['anymultirange'], ret: 'bool', strict: true, impl: ([m]) => M(m).ranges.length === 0 },
  { name: 'lower_inc', args: ['anymultirange'], ret: 'bool', strict: true, impl: lowerFlag(RANGE_LB_INC) },
  { name: 'upper_inc', args: ['anymultirange'], ret: 'bool', strict: true, impl: upperFlag(RANGE_UB_INC) },
  { name: 'lower_inf', args: ['anymultirange'], ret: 'bool', strict: true, impl: lowerFlag(RANGE_LB_INF) },
  { name: 'upper_inf', args: ['anymultirange'], ret: 'bool', strict: true, impl: upperFlag(RANGE_UB_INF) },
  { name: 'multirange_contains_elem', args: ['anymultirange', 'anyelement'], ret: 'bool', strict: true, impl: containsElem },
  { name: 'elem_contained_by_multirange', args: ['anyelement', 'anymultirange'], ret: 'bool', strict: true, impl: elemContainedBy },
  ...BINARY.map(([name, , l, r, ret, f]): MultirangeFunctionDef => ({ name, args: [declared(l), declared(r)], ret, strict: true, impl: implOf(l, f) })),
  { name: 'range_merge', args: ['anymultirange'], ret: 'anyrange', strict: true, impl: ([m], _c, types) => opsOf(types, 0).unionRange(M(m)) },
  { name: 'multirange', args: ['anyrange'], ret: 'anymultirange', strict: true, impl: ([r], _c, types) => opsOf(types, 0, true).make([R(r)]) },
  ...[...MULTIRANGE_TYPES.values()].map((t) => constructor(t.oid, t.name, rangeOps(t.range)!.info.name)),
];

export const MULTIRANGE_OPERATORS: readonly MultirangeOperatorDef[] = [
  ...BINARY.filter(([, sym]) => sym !== undefined).map(([, sym, l, r, ret, f]): MultirangeOperatorDef => ({
    sym: sym!, left: declared(l), right: declared(r), ret, impl: implOf(l, f),
  })),
  { sym: '@>', left: 'anymultirange', right: 'anyelement', ret: 'bool', impl: containsElem },
  { sym: '<@', left: 'anyelement', right: 'anymultirange', ret: 'bool', impl: elemContainedBy },
];

/** range_agg(anyrange): the non-NULL ranges gathered, make_multirange at the end (NULL without rows) */
export const RANGE_AGG = {
  init: (): { ranges: RangeValue[] | null } => ({ ranges: null }),
  step: (s: { ranges: RangeValue[] | null }, [r]: readonly Value[]): { ranges: RangeValue[] | null } => {
    s.ranges ??= [];
    if (r !== null) s.ranges.push(R(r));
    return s;
  },
  final: (s: { ranges: RangeValue[] | null }, _ctx: EvalContext, types: readonly SqlType[]): Value =>
    (s.ranges === null || s.ranges.length === 0 ? null : opsOf(types, 0, true).make(s.ranges)),
};

/** range_agg(anymultirange): every range of every non-NULL multirange (an empty one counts as a row) */
export const MULTIRANGE_AGG = {
  init: (): { ranges: RangeValue[] | null } => ({ ranges: null }),
  step: (s: { ranges: RangeValue[] | null }, [m]: readonly Value[], _ctx: EvalContext, types: readonly SqlType[]): { ranges: RangeValue[] | null } => {
    s.ranges ??= [];
    if (m !== null) s.ranges.push(...(M(m).ranges.length === 0 ? [opsOf(types, 0).ops.empty()] : M(m).ranges));
    return s;
  },
  final: (s: { ranges: RangeValue[] | null }, _ctx: EvalContext, types: readonly SqlType[]): Value =>
    (s.ranges === null || s.ranges.length === 0 ? null : opsOf(types, 0).make(s.ranges)),
};

/** range_intersect_agg(anymultirange): multirange_intersect_agg_transfn (strict: the first non-NULL starts) */
export const MULTIRANGE_INTERSECT_AGG = {
  init: (): { v: MultirangeValue | null } => ({ v: null }),
  step: (s: { v: MultirangeValue | null }, [m]: readonly Value[], _ctx: EvalContext, types: readonly SqlType[]): { v: MultirangeValue | null } => {
    if (m === null) return s;
    s.v = s.v === null ? M(m) : opsOf(types, 0).intersect(s.v, M(m));
    return s;
  },
  final: (s: { v: MultirangeValue | null }): Value => s.v,
};

