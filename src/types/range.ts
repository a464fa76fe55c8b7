/**
 * PostgreSQL's built-in range types (rangetypes.c): int4range, int8range, numrange, tsrange,
 * tstzrange, daterange. A value is a RangeValue: PostgreSQL's flags byte and the two bounds
 * (null where the flags say there is none), always as make_range leaves it — lower ≤ upper,
 * infinite bounds exclusive, discrete types canonical `[)`, an empty range just RANGE_EMPTY.
 *
 * This module knows nothing of the subtype but what the caller hands it (a comparator,
 * the bound's text input/output), so compare.ts and text-io.ts can both use it without a cycle.
 * Multiranges are multirange.ts.
 */
import { SqlError, SqlState } from '../errors.js';
import { OID, type RangeValue, type Value } from './types.js';

export const RANGE_EMPTY = 0x01;
export const RANGE_LB_INC = 0x02;
export const RANGE_UB_INC = 0x04;
export const RANGE_LB_INF = 0x08;
export const RANGE_UB_INF = 0x10;

/** A built-in range type and its pg_range row (PostgreSQL 15's). */
export interface RangeTypeInfo {
  readonly oid: number;
  readonly name: string;
  readonly array: number;
  readonly subtype: number;
  /** the discrete types' canonical function: `[)` with the bound moved by one step */
  readonly canonical?: 'int4' | 'int8' | 'date';
  /** pg_range.rngmultitypid: the multirange type (multirange.ts) */
  readonly multirange: number;
  /** pg_range.rngsubopc: the subtype's default btree operator class */
  readonly subopc: number;
  /** pg_range.rngcanonical / rngsubdiff: the functions' pg_proc OIDs (0: none) */
  readonly canonicalProc: number;
  readonly subdiffProc: number;
}

const r = (oid: number, name: string, array: number, subtype: number, multirange: number, subopc: number, canonical: RangeTypeInfo['canonical'], canonicalProc: number, subdiffProc: number): RangeTypeInfo =>
  ({ oid, name, array, subtype, multirange, subopc, canonicalProc, subdiffProc, ...(canonical ? { canonical } : {}) });

export const RANGE_TYPES: ReadonlyMap<number, RangeTypeInfo> = new Map([
  r(OID.int4range, 'int4range', OID._int4range, OID.int4, 4451, 1978, 'int4', 3914, 3922),
  r(OID.numrange, 'numrange', OID._numrange, OID.numeric, 4532, 3125, undefined, 0, 3924),
  r(OID.tsrange, 'tsrange', OID._tsrange, OID.timestamp, 4533, 3128, undefined, 0, 3929),
  r(OID.tstzrange, 'tstzrange', OID._tstzrange, OID.timestamptz, 4534, 3127, undefined, 0, 3930),
  r(OID.daterange, 'daterange', OID._daterange, OID.date, 4535, 3122, 'date', 3915, 3925),
  r(OID.int8range, 'int8range', OID._int8range, OID.int8, 4536, 3124, 'int8', 3928, 3923),
].map((i) => [i.oid, i]));

export function isRangeType(oid: number): boolean {
  return RANGE_TYPES.has(oid);
}

export function rangeSubtype(oid: number): number | undefined {
  return RANGE_TYPES.get(oid)?.subtype;
}

/** the built-in range type over `subtype` (each subtype has at most one) */
export function rangeTypeOfSubtype(subtype: number): number | undefined {
  for (const info of RANGE_TYPES.values()) if (info.subtype === subtype) return info.oid;
  return undefined;
}

/** A bound as rangetypes.c's RangeBound: the value is meaningless when infinite. */
export interface RangeBound {
  val: Value;
  infinite: boolean;
  inclusive: boolean;
  lower: boolean;
}

export type SubtypeCompare = (a: Value, b: Value) => number;

export const isEmptyRange = (v: RangeValue): boolean => (v.flags & RANGE_EMPTY) !== 0;

const dataException = (message: string): SqlError => new SqlError(SqlState.dataException, message);

/** The range algebra of one range type (its subtype's comparator bound once). */
export class RangeOps {
  constructor(readonly info: RangeTypeInfo, readonly cmp: SubtypeCompare) {}

  /** range_deserialize */
  bounds(v: RangeValue): [RangeBound, RangeBound] {
    const f = v.flags;
    return [
      { val: v.lower, infinite: (f & RANGE_LB_INF) !== 0, inclusive: (f & RANGE_LB_INC) !== 0, lower: true },
      { val: v.upper, infinite: (f & RANGE_UB_INF) !== 0, inclusive: (f & RANGE_UB_INC) !== 0, lower: false },
    ];
  }

  /** make_range: range_serialize (22000 when lower > upper), then the type's canonical function */
  make(lower: RangeBound, upper: RangeBound, empty = false): RangeValue {
    const v = this.serialize(lower, upper, empty);
    return this.info.canonical && !isEmptyRange(v) ? this.canonicalize(v) : v;
  }

  empty(): RangeValue {
    return { flags: RANGE_EMPTY, lower: null, upper: null };
  }

  private serialize(lower: RangeBound, upper: RangeBound, empty: boolean): RangeValue {
    if (!empty) {
      const c = this.cmpBoundValues(lower, upper);
      if (c > 0) throw dataException('range lower bound must be less than or equal to range upper bound');
      if (c === 0 && !(lower.inclusive && upper.inclusive)) empty = true;
    }
    if (empty) return this.empty();
    let flags = 0;
    if (lower.infinite) flags |= RANGE_LB_INF; else if (lower.inclusive) flags |= RANGE_LB_INC;
    if (upper.infinite) flags |= RANGE_UB_INF; else if (upper.inclusive) flags |= RANGE_UB_INC;
    return { flags, lower: lower.infinite ? null : lower.val, upper: upper.infinite ? null : upper.val };
  }

  /** int4range_canonical, int8range_canonical, daterange_canonical: `[)` */
  private canonicalize(v: RangeValue): RangeValue {
    const [lower, upper] = this.bounds(v);
    if (!lower.infinite && !lower.inclusive && this.steppable(lower.val)) {
      lower.val = this.next(lower.val);
      lower.inclusive = true;
    }
    if (!upper.infinite && upper.inclusive && this.steppable(upper.val)) {
      upper.val = this.next(upper.val);
      upper.inclusive = false;
    }
    return this.serialize(lower, upper, false);
  }

  /** daterange_canonical leaves ±infinity dates alone */
  private steppable(v: Value): boolean {
    return this.info.canonical !== 'date' || Number.isFinite(v as number);
  }

  private next(v: Value): Value {
    switch (this.info.canonical) {
      case 'int4': {
        const n = (v as number) + 1;
        if (n > 0x7fffffff) throw new SqlError(SqlState.numericValueOutOfRange, 'integer out of range');
        return n;
      }
      case 'int8': {
        const n = (v as bigint) + 1n;
        if (n > 0x7fffffffffffffffn) throw new SqlError(SqlState.numericValueOutOfRange, 'bigint out of range');
        return n;
      }
      default: return (v as number) + 1;
    }
  }

  /** range_cmp_bounds: by value, then inclusivity and lower/upper where the values are equal */
  cmpBounds(b1: RangeBound, b2: RangeBound): number {
    if (b1.infinite && b2.infinite) return b1.lower === b2.lower ? 0 : b1.lower ? -1 : 1;
    if (b1.infinite) return b1.lower ? -1 : 1;
    if (b2.infinite) return b2.lower ? 1 : -1;
    const c = this.cmp(b1.val, b2.val);
    if (c !== 0) return c;
    if (!b1.inclusive && !b2.inclusive) return b1.lower === b2.lower ? 0 : b1.lower ? 1 : -1;
    if (!b1.inclusive) return b1.lower ? 1 : -1;
    if (!b2.inclusive) return b2.lower ? -1 : 1;
    return 0;
  }

  /** range_cmp_bound_values: the values only (infinity aware) */
  cmpBoundValues(b1: RangeBound, b2: RangeBound): number {
    if (b1.infinite && b2.infinite) return b1.lower === b2.lower ? 0 : b1.lower ? -1 : 1;
    if (b1.infinite) return b1.lower ? -1 : 1;
    if (b2.infinite) return b2.lower ? 1 : -1;
    return this.cmp(b1.val, b2.val);
  }

  /** range_cmp, the btree order: empty first, then lower bound, then upper bound */
  compare(a: RangeValue, b: RangeValue): number {
    const ea = isEmptyRange(a), eb = isEmptyRange(b);
    if (ea || eb) return ea && eb ? 0 : ea ? -1 : 1;
    const [l1, u1] = this.bounds(a), [l2, u2] = this.bounds(b);
    return this.cmpBounds(l1, l2) || this.cmpBounds(u1, u2);
  }

  /** range_contains_internal: r1 @> r2 */
  contains(r1: RangeValue, r2: RangeValue): boolean {
    if (isEmptyRange(r2)) return true;
    if (isEmptyRange(r1)) return false;
    const [l1, u1] = this.bounds(r1), [l2, u2] = this.bounds(r2);
    return this.cmpBounds(l1, l2) <= 0 && this.cmpBounds(u1, u2) >= 0;
  }

  /** range_contains_elem_internal */
  containsElem(r: RangeValue, val: Value): boolean {
    if (isEmptyRange(r)) return false;
    const [lower, upper] = this.bounds(r);
    if (!lower.infinite) {
      const c = this.cmp(lower.val, val);
      if (c > 0 || (c === 0 && !lower.inclusive)) return false;
    }
    if (!upper.infinite) {
      const c = this.cmp(upper.val, val);
      if (c < 0 || (c === 0 && !upper.inclusive)) return false;
    }
    return true;
  }

  /** range_before: r1 << r2 */
  before(r1: RangeValue, r2: RangeValue): boolean {
    if (isEmptyRange(r1) || isEmptyRange(r2)) return false;
    return this.cmpBounds(this.bounds(r1)[1], this.bounds(r2)[0]) < 0;
  }

  /** range_after: r1 >> r2 */
  after(r1: RangeValue, r2: RangeValue): boolean {
    if (isEmptyRange(r1) || isEmptyRange(r2)) return false;
    return this.cmpBounds(this.bounds(r1)[0], this.bounds(r2)[1]) > 0;
  }

  /** range_overleft: r1 &< r2 (r1 does not extend to the right of r2) */
  overLeft(r1: RangeValue, r2: RangeValue): boolean {
    if (isEmptyRange(r1) || isEmptyRange(r2)) return false;
    return this.cmpBounds(this.bounds(r1)[1], this.bounds(r2)[1]) <= 0;
  }

  /** range_overright: r1 &> r2 (r1 does not extend to the left of r2) */
  overRight(r1: RangeValue, r2: RangeValue): boolean {
    if (isEmptyRange(r1) || isEmptyRange(r2)) return false;
    return this.cmpBounds(this.bounds(r1)[0], this.bounds(r2)[0]) >= 0;
  }

  /** range_overlaps_internal: r1 && r2 */
  overlaps(r1: RangeValue, r2: RangeValue): boolean {
    if (isEmptyRange(r1) || isEmptyRange(r2)) return false;
    const [l1, u1] = this.bounds(r1), [l2, u2] = this.bounds(r2);
    return (this.cmpBounds(l1, l2) >= 0 && this.cmpBounds(l1, u2) <= 0) || (this.cmpBounds(l2, l1) >= 0 && this.cmpBounds(l2, u1) <= 0);
  }

  /**
   * bounds_adjacent: upper bound A and lower bound B touch with nothing between them — for a
   * discrete type, the range between them (inclusivity flipped) is empty.
   */
  boundsAdjacent(a: RangeBound, b: RangeBound): boolean {
    const c = this.cmpBoundValues(a, b);
    if (c < 0) {
      if (!this.info.canonical) return false;
      const between = this.make({ ...a, inclusive: !a.inclusive, lower: true }, { ...b, inclusive: !b.inclusive, lower: false });
      return isEmptyRange(between);
    }
    return c === 0 ? a.inclusive !== b.inclusive : false;
  }

  /** range_adjacent_internal: r1 -|- r2 */
  adjacent(r1: RangeValue, r2: RangeValue): boolean {
    if (isEmptyRange(r1) || isEmptyRange(r2)) return false;
    const [l1, u1] = this.bounds(r1), [l2, u2] = this.bounds(r2);
    return this.boundsAdjacent(u1, l2) || this.boundsAdjacent(u2, l1);
  }

  /** range_union_internal: `+` (strict: 22000 when the result has a gap) and range_merge */
  union(r1: RangeValue, r2: RangeValue, strict: boolean): RangeValue {
    if (isEmptyRange(r1)) return r2;
    if (isEmptyRange(r2)) return r1;
    if (strict && !this.overlaps(r1, r2) && !this.adjacent(r1, r2)) throw dataException('result of range union would not be contiguous');
    const [l1, u1] = this.bounds(r1), [l2, u2] = this.bounds(r2);
    return this.make(this.cmpBounds(l1, l2) < 0 ? l1 : l2, this.cmpBounds(u1, u2) > 0 ? u1 : u2);
  }

  /** range_intersect_internal: `*` */
  intersect(r1: RangeValue, r2: RangeValue): RangeValue {
    if (isEmptyRange(r1) || isEmptyRange(r2) || !this.overlaps(r1, r2)) return this.empty();
    const [l1, u1] = this.bounds(r1), [l2, u2] = this.bounds(r2);
    return this.make(this.cmpBounds(l1, l2) >= 0 ? l1 : l2, this.cmpBounds(u1, u2) <= 0 ? u1 : u2);
  }

  /** range_minus_internal: `-` (22000 when r2 would split r1 in two) */
  minus(r1: RangeValue, r2: RangeValue): RangeValue {
    if (isEmptyRange(r1) || isEmptyRange(r2)) return r1;
    const [l1, u1] = this.bounds(r1), [l2, u2] = this.bounds(r2);
    const l1l2 = this.cmpBounds(l1, l2), l1u2 = this.cmpBounds(l1, u2), u1l2 = this.cmpBounds(u1, l2), u1u2 = this.cmpBounds(u1, u2);
    if (l1l2 < 0 && u1u2 > 0) throw dataException('result of range difference would not be contiguous');
    if (l1u2 > 0 || u1l2 < 0) return r1;
    if (l1l2 >= 0 && u1u2 <= 0) return this.empty();
    if (l1l2 <= 0 && u1l2 >= 0 && u1u2 <= 0) return this.make(l1, { ...l2, inclusive: !l2.inclusive, lower: false });
    if (l1l2 >= 0 && u1u2 >= 0 && l1u2 <= 0) return this.make({ ...u2, inclusive: !u2.inclusive, lower: true }, u1);
    throw new SqlError(SqlState.internalError, 'unexpected case in range_minus');
  }

  /** int4range_canonical …: a value's bounds through make_range again (values are kept canonical) */
  recanonicalize(v: RangeValue): RangeValue {
    if (isEmptyRange(v)) return v;
    const [lower, upper] = this.bounds(v);
    return this.make(lower, upper);
  }

  /** range_constructor2/3: NULL bounds are infinite; flags as range_parse_flags reads them */
  construct(lower: Value, upper: Value, flags: number): RangeValue {
    return this.fromFlags(flags | (lower === null ? RANGE_LB_INF : 0) | (upper === null ? RANGE_UB_INF : 0), lower, upper);
  }

  /** make_range of bounds described by a flags byte (range_in, range_recv, the constructors) */
  fromFlags(flags: number, lower: Value, upper: Value): RangeValue {
    return this.make(
      { val: lower, infinite: (flags & RANGE_LB_INF) !== 0, inclusive: (flags & RANGE_LB_INC) !== 0, lower: true },
      { val: upper, infinite: (flags & RANGE_UB_INF) !== 0, inclusive: (flags & RANGE_UB_INC) !== 0, lower: false },
      (flags & RANGE_EMPTY) !== 0,
    );
  }
}

/** range_parse_flags: the constructors' third argument ('[]', '[)', '(]' or '()') */
export function parseRangeFlags(s: string): number {
  const bad = (): SqlError => new SqlError(SqlState.syntaxError, 'invalid range bound flags', {
    hint: 'Valid values are "[]", "[)", "(]", and "()".',
  });
  if (s.length !== 2) throw bad();
  let flags = 0;
  if (s[0] === '[') flags |= RANGE_LB_INC; else if (s[0] !== '(') throw bad();
  if (s[1] === ']') flags |= RANGE_UB_INC; else if (s[1] !== ')') throw bad();
  return flags;
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/** range_parse: the literal's flags and the bounds' text (undefined where infinite or empty) */
export function parseRangeLiteral(input: string): { flags: number; lower?: string; upper?: string } {
  const malformed = (detail: string): SqlError => new SqlError(SqlState.invalidTextRepresentation, `malformed range literal: "${input}"`, { detail });
  let p = 0;
  while (isSpace(input[p])) p++;
  if (input.slice(p, p + 5).toLowerCase() === 'empty') {
    p += 5;
    while (isSpace(input[p])) p++;
    if (p < input.length) throw malformed('Junk after "empty" key word.');
    return { flags: RANGE_EMPTY };
  }
  let flags = 0;
  if (input[p] === '[') flags |= RANGE_LB_INC;
  else if (input[p] !== '(') throw malformed('Missing left parenthesis or bracket.');
  p++;
  const bound = (): string | undefined => {
    const c = input[p];
    if (c === ',' || c === ')' || c === ']') return undefined;
    let out = '', inQuote = false;
    while (inQuote || !(input[p] === ',' || input[p] === ')' || input[p] === ']')) {
      if (p >= input.length) throw malformed('Unexpected end of input.');
      const ch = input[p++]!;
      if (ch === '\\') {
        if (p >= input.length) throw malformed('Unexpected end of input.');
        out += input[p++];
      } else if (ch === '"') {
        if (!inQuote) inQuote = true;
        else if (input[p] === '"') out += input[p++];
        else inQuote = false;
      } else out += ch;
    }
    return out;
  };
  const lower = bound();
  if (lower === undefined) flags |= RANGE_LB_INF;
  if (input[p] !== ',') throw malformed('Missing comma after lower bound.');
  p++;
  const upper = bound();
  if (upper === undefined) flags |= RANGE_UB_INF;
  if (input[p] === ']') flags |= RANGE_UB_INC;
  else if (input[p] !== ')') throw malformed('Too many commas.');
  p++;
  while (isSpace(input[p])) p++;
  if (p < input.length) throw malformed('Junk after right parenthesis or bracket.');
  return { flags, ...(lower !== undefined ? { lower } : {}), ...(upper !== undefined ? { upper } : {}) };
}

/** range_in: parse, read the bounds with the subtype's input function, then make_range */
export function parseRange(ops: RangeOps, input: string, parseBound: (text: string) => Value): RangeValue {
  const { flags, lower, upper } = parseRangeLiteral(input);
  return ops.fromFlags(flags, lower !== undefined ? parseBound(lower) : null, upper !== undefined ? parseBound(upper) : null);
}

/** range_bound_escape: quoted when empty or holding a quote, backslash, bracket, parenthesis, comma or space */
function escapeBound(s: string): string {
  const quote = s === '' || /["\\()[\],\s]/.test(s);
  const body = s.replace(/["\\]/g, (c) => c + c);
  return quote ? `"${body}"` : body;
}

/** range_out (range_deparse) */
export function formatRange(v: RangeValue, formatBound: (value: Value) => string): string {
  if (isEmptyRange(v)) return 'empty';
  const f = v.flags;
  const lower = f & RANGE_LB_INF ? '' : escapeBound(formatBound(v.lower));
  const upper = f & RANGE_UB_INF ? '' : escapeBound(formatBound(v.upper));
  return `${f & RANGE_LB_INC ? '[' : '('}${lower},${upper}${f & RANGE_UB_INC ? ']' : ')'}`;
}

/** A primitive key equal for two ranges exactly when range_eq says so (the bounds' keys given). */
export function rangeHashKey(v: RangeValue, boundKey: (value: Value) => unknown): string {
  if (isEmptyRange(v)) return 'r1';
  const key = (x: Value): unknown => { const k = boundKey(x); return typeof k === 'bigint' ? `${k}n` : k; };
  return `r${v.flags}:${JSON.stringify([v.lower === null ? null : key(v.lower), v.upper === null ? null : key(v.upper)])}`;
}

export const hasLowerBound = (v: RangeValue): boolean => (v.flags & (RANGE_EMPTY | RANGE_LB_INF)) === 0;
export const hasUpperBound = (v: RangeValue): boolean => (v.flags & (RANGE_EMPTY | RANGE_UB_INF)) === 0;
