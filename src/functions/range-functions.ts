/**
 * The range types' functions, operators and range_intersect_agg (PostgreSQL 15's rangetypes.c),
 * declared as pg_proc / pg_operator declare them: over anyrange (its subtype is the
 * anyelement), the constructors and subdiff functions per type. The algebra is types/range.ts.
 */
import { SqlError, SqlState } from '../errors.js';
import { type RangeValue, type SqlType, type Value } from '../types/types.js';
import { rangeOps } from '../types/compare.js';
import { RANGE_EMPTY, RANGE_LB_INC, RANGE_LB_INF, RANGE_TYPES, RANGE_UB_INC, RANGE_UB_INF, parseRangeFlags, type RangeOps } from '../types/range.js';
import { numericSub } from '../types/numeric.js';
import type { EvalContext } from './api.js';

type RangeImpl = (args: readonly Value[], ctx: EvalContext, types: readonly SqlType[]) => Value;

export interface RangeFunctionDef {
  readonly name: string;
  readonly args: readonly string[];
  readonly ret: string;
  readonly impl: RangeImpl;
  /** the constructors take NULL bounds (infinite) */
  readonly strict: boolean;
}

export interface RangeOperatorDef {
  readonly sym: string;
  readonly left: string;
  readonly right: string;
  readonly ret: string;
  readonly impl: RangeImpl;
}

/** the range algebra of the call's range argument (the binder resolved anyrange to it) */
function opsOf(types: readonly SqlType[], i = 0): RangeOps {
  const ops = rangeOps(types[i]!.oid);
  if (!ops) throw new SqlError(SqlState.internalError, `bug: ${types[i]!.oid} is not a range type`);
  return ops;
}

const R = (v: Value | undefined): RangeValue => v as RangeValue;
const flag = (bit: number): RangeImpl => ([r]) => (R(r).flags & bit) !== 0;

/** range × range → bool (or range) predicates, each a rangetypes.c function and an operator */
const BINARY: readonly [fn: string, sym: string | undefined, ret: 'bool' | 'anyrange' | 'int4', impl: (ops: RangeOps, a: RangeValue, b: RangeValue) => Value][] = [
  ['range_eq', '=', 'bool', (o, a, b) => o.compare(a, b) === 0],
  ['range_ne', '<>', 'bool', (o, a, b) => o.compare(a, b) !== 0],
  ['range_lt', '<', 'bool', (o, a, b) => o.compare(a, b) < 0],
  ['range_le', '<=', 'bool', (o, a, b) => o.compare(a, b) <= 0],
  ['range_gt', '>', 'bool', (o, a, b) => o.compare(a, b) > 0],
  ['range_ge', '>=', 'bool', (o, a, b) => o.compare(a, b) >= 0],
  ['range_cmp', undefined, 'int4', (o, a, b) => o.compare(a, b)],
  ['range_overlaps', '&&', 'bool', (o, a, b) => o.overlaps(a, b)],
  ['range_contains', '@>', 'bool', (o, a, b) => o.contains(a, b)],
  ['range_contained_by', '<@', 'bool', (o, a, b) => o.contains(b, a)],
  ['range_before', '<<', 'bool', (o, a, b) => o.before(a, b)],
  ['range_after', '>>', 'bool', (o, a, b) => o.after(a, b)],
  ['range_overleft', '&<', 'bool', (o, a, b) => o.overLeft(a, b)],
  ['range_overright', '&>', 'bool', (o, a, b) => o.overRight(a, b)],
  ['range_adjacent', '-|-', 'bool', (o, a, b) => o.adjacent(a, b)],
  ['range_union', '+', 'anyrange', (o, a, b) => o.union(a, b, true)],
  ['range_intersect', '*', 'anyrange', (o, a, b) => o.intersect(a, b)],
  ['range_minus', '-', 'anyrange', (o, a, b) => o.minus(a, b)],
  ['range_merge', undefined, 'anyrange', (o, a, b) => o.union(a, b, false)],
];

const containsElem: RangeImpl = ([r, e], _c, types) => opsOf(types).containsElem(R(r), e!);
const elemContainedBy: RangeImpl = ([e, r], _c, types) => opsOf(types, 1).containsElem(R(r), e!);

/** range_constructor2 / range_constructor3 of one range type */
function constructors(name: string, subtype: string): RangeFunctionDef[] {
  const oid = [...RANGE_TYPES.values()].find((i) => i.name === name)!.oid;
  const make = (lower: Value, upper: Value, flags: number): Value => rangeOps(oid)!.construct(lower, upper, flags);
  return [
    { name, args: [subtype, subtype], ret: name, strict: false, impl: ([l, u]) => make(l!, u!, RANGE_LB_INC) },
    {
      name, args: [subtype, subtype, 'text'], ret: name, strict: false, impl: ([l, u, f]) => {
        if (f === null) throw new SqlError(SqlState.dataException, 'range constructor flags argument must not be null');
        return make(l!, u!, parseRangeFlags(f as string));
      },
    },
  ];
}

const USECS_PER_SEC = 1_000_000;

/** the subdiff functions (GiST support, callable in SQL): upper − lower as float8 */
const SUBDIFF: readonly RangeFunctionDef[] = [
  { name: 'int4range_subdiff', args: ['int4', 'int4'], ret: 'float8', strict: true, impl: ([a, b]) => (a as number) - (b as number) },
  { name: 'int8range_subdiff', args: ['int8', 'int8'], ret: 'float8', strict: true, impl: ([a, b]) => Number((a as bigint) - (b as bigint)) },
  { name: 'numrange_subdiff', args: ['numeric', 'numeric'], ret: 'float8', strict: true, impl: ([a, b]) => Number(numericSub(a as string, b as string)) },
  { name: 'daterange_subdiff', args: ['date', 'date'], ret: 'float8', strict: true, impl: ([a, b]) => (a as number) - (b as number) },
  { name: 'tsrange_subdiff', args: ['timestamp', 'timestamp'], ret: 'float8', strict: true, impl: ([a, b]) => ((a as number) - (b as number)) / USECS_PER_SEC },
  { name: 'tstzrange_subdiff', args: ['timestamptz', 'timestamptz'], ret: 'float8', strict: true, impl: ([a, b]) => ((a as number) - (b as number)) / USECS_PER_SEC },
];

export const RANGE_FUNCTIONS: readonly RangeFunctionDef[] = [
  { name: 'lower', args: ['anyrange'], ret: 'anyelement', strict: true, impl: ([r]) => ((R(r).flags & (RANGE_EMPTY | RANGE_LB_INF)) !== 0 ? null : R(r).lower) },
  { name: 'upper', args: ['anyrange'], ret: 'anyelement', strict: true, impl: ([r]) => ((R(r).flags & (RANGE_EMPTY | RANGE_UB_INF)) !== 0 ? null : R(r).upper) },
  { name: 'isempty', args: ['anyrange'], ret: 'bool', strict: true, impl: flag(RANGE_EMPTY) },
  { name: 'lower_inc', args: ['anyrange'], ret: 'bool', strict: true, impl: flag(RANGE_LB_INC) },
  { name: 'upper_inc', args: ['anyrange'], ret: 'bool', strict: true, impl: flag(RANGE_UB_INC) },
  { name: 'lower_inf', args: ['anyrange'], ret: 'bool', strict: true, impl: flag(RANGE_LB_INF) },
  { name: 'upper_inf', args: ['anyrange'], ret: 'bool', strict: true, impl: flag(RANGE_UB_INF) },
  { name: 'range_contains_elem', args: ['anyrange', 'anyelement'], ret: 'bool', strict: true, impl: containsElem },
  { name: 'elem_contained_by_range', args: ['anyelement', 'anyrange'], ret: 'bool', strict: true, impl: elemContainedBy },
  ...BINARY.map(([name, , ret, f]): RangeFunctionDef => ({
    name, args: ['anyrange', 'anyrange'], ret, strict: true, impl: ([a, b], _c, types) => f(opsOf(types), R(a), R(b)),
  })),
  ...constructors('int4range', 'int4'), ...constructors('int8range', 'int8'), ...constructors('numrange', 'numeric'),
  ...constructors('tsrange', 'timestamp'), ...constructors('tstzrange', 'timestamptz'), ...constructors('daterange', 'date'),
  ...SUBDIFF,
  ...['int4range', 'int8range', 'daterange'].map((t): RangeFunctionDef => ({
    name: `${t}_canonical`, args: [t], ret: t, strict: true, impl: ([r], _c, types) => opsOf(types).recanonicalize(R(r)),
  })),
];

export const RANGE_OPERATORS: readonly RangeOperatorDef[] = [
  ...BINARY.filter(([, sym]) => sym !== undefined).map(([, sym, ret, f]): RangeOperatorDef => ({
    sym: sym!, left: 'anyrange', right: 'anyrange', ret, impl: ([a, b], _c, types) => f(opsOf(types), R(a), R(b)),
  })),
  { sym: '@>', left: 'anyrange', right: 'anyelement', ret: 'bool', impl: containsElem },
  { sym: '<@', left: 'anyelement', right: 'anyrange', ret: 'bool', impl: elemContainedBy },
];

/** range_intersect_agg_transfn (strict: the first non-NULL range starts the state) */
export const RANGE_INTERSECT_AGG = {
  init: (): { v: RangeValue | null } => ({ v: null }),
  step: (s: { v: RangeValue | null }, [r]: readonly Value[], _ctx: EvalContext, types: readonly SqlType[]): { v: RangeValue | null } => {
    s.v = s.v === null ? R(r) : opsOf(types).intersect(s.v, R(r));
    return s;
  },
  final: (s: { v: RangeValue | null }): Value => s.v,
};
