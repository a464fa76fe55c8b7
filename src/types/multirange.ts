/**
 * PostgreSQL 15's multirange types (multirangetypes.c): int4multirange … datemultirange. A value
 * is a MultirangeValue: its ranges as make_multirange leaves them — no empty range, sorted by
 * range_cmp, none overlapping or adjacent to the next (multirange_canonicalize). Every function
 * here takes and returns values in that form, so equality is element-wise equality.
 *
 * The range algebra (bounds, comparison, union …) is the range type's RangeOps (range.ts).
 */
import { SqlError, SqlState } from '../errors.js';
import { OID, type MultirangeValue, type RangeValue, type Value } from './types.js';
import { RANGE_TYPES, isEmptyRange, type RangeBound, type RangeOps } from './range.js';

/** A multirange type: its OID, name, array type and range type (pg_range.rngmultitypid). */
export interface MultirangeTypeInfo {
  readonly oid: number;
  readonly name: string;
  readonly array: number;
  readonly range: number;
}

const MULTIRANGE_NAMES: Readonly<Record<number, [name: string, array: number]>> = {
  [OID.int4multirange]: ['int4multirange', OID._int4multirange],
  [OID.nummultirange]: ['nummultirange', OID._nummultirange],
  [OID.tsmultirange]: ['tsmultirange', OID._tsmultirange],
  [OID.tstzmultirange]: ['tstzmultirange', OID._tstzmultirange],
  [OID.datemultirange]: ['datemultirange', OID._datemultirange],
  [OID.int8multirange]: ['int8multirange', OID._int8multirange],
};

export const MULTIRANGE_TYPES: ReadonlyMap<number, MultirangeTypeInfo> = new Map(
  [...RANGE_TYPES.values()].map((r) => {
    const [name, array] = MULTIRANGE_NAMES[r.multirange]!;
    return [r.multirange, { oid: r.multirange, name, array, range: r.oid }];
  }),
);

export function isMultirangeType(oid: number): boolean {
  return MULTIRANGE_TYPES.has(oid);
}

/** the multirange type's range type (undefined: not a multirange type) */
export function multirangeRangeType(oid: number): number | undefined {
  return MULTIRANGE_TYPES.get(oid)?.range;
}

/** the range type's multirange type (pg_range.rngmultitypid) */
export function rangeMultirangeType(rangeOid: number): number | undefined {
  return RANGE_TYPES.get(rangeOid)?.multirange;
}

/** the multirange type of that name (a function call of that name may be a cast) */
export function multirangeTypeNamed(name: string): number | undefined {
  for (const t of MULTIRANGE_TYPES.values()) if (t.name === name.toLowerCase()) return t.oid;
  return undefined;
}

const EMPTY: MultirangeValue = { ranges: [] };

/** The multirange algebra over one range type's RangeOps. */
export class MultirangeOps {
  constructor(readonly ops: RangeOps) {}

  /** make_multirange: multirange_canonicalize (sort, drop empties, merge touching ranges) */
  make(input: readonly RangeValue[]): MultirangeValue {
    const o = this.ops;
    const sorted = input.filter((r) => !isEmptyRange(r)).sort((a, b) => o.compare(a, b));
    const out: RangeValue[] = [];
    for (const r of sorted) {
      const last = out[out.length - 1];
      if (last === undefined) out.push(r);
      else if (o.adjacent(last, r)) out[out.length - 1] = o.union(last, r, false);
      else if (o.before(last, r)) out.push(r);
      else out[out.length - 1] = o.union(last, r, true);
    }
    return { ranges: out };
  }

  empty(): MultirangeValue {
    return EMPTY;
  }

  private first(m: MultirangeValue): [RangeBound, RangeBound] {
    return this.ops.bounds(m.ranges[0]!);
  }

  private last(m: MultirangeValue): [RangeBound, RangeBound] {
    return this.ops.bounds(m.ranges[m.ranges.length - 1]!);
  }

  /** multirange_cmp: range by range (bounds), a shorter prefix first */
  compare(a: MultirangeValue, b: MultirangeValue): number {
    const n = Math.max(a.ranges.length, b.ranges.length);
    for (let i = 0; i < n; i++) {
      if (i >= a.ranges.length) return -1;
      if (i >= b.ranges.length) return 1;
      const [l1, u1] = this.ops.bounds(a.ranges[i]!), [l2, u2] = this.ops.bounds(b.ranges[i]!);
      const c = this.ops.cmpBounds(l1, l2) || this.ops.cmpBounds(u1, u2);
      if (c !== 0) return c;
    }
    return 0;
  }

  /** multirange_get_union_range / range_merge(anymultirange): the smallest range covering it */
  unionRange(m: MultirangeValue): RangeValue {
    if (m.ranges.length === 0) return this.ops.empty();
    if (m.ranges.length === 1) return m.ranges[0]!;
    return this.ops.make(this.first(m)[0], this.last(m)[1]);
  }

  containsElem(m: MultirangeValue, v: Value): boolean {
    return m.ranges.some((r) => this.ops.containsElem(r, v));
  }

  /** multirange_contains_range_internal: one of its ranges contains r (empty r: always) */
  containsRange(m: MultirangeValue, r: RangeValue): boolean {
    if (isEmptyRange(r)) return true;
    return m.ranges.some((x) => this.ops.contains(x, r));
  }

  /** range_contains_multirange_internal: r contains the multirange's union range */
  rangeContains(r: RangeValue, m: MultirangeValue): boolean {
    if (m.ranges.length === 0) return true;
    if (isEmptyRange(r)) return false;
    return this.ops.contains(r, this.unionRange(m));
  }

  /** multirange_contains_multirange_internal: every range of b inside one range of a */
  contains(a: MultirangeValue, b: MultirangeValue): boolean {
    if (b.ranges.length === 0) return true;
    if (a.ranges.length === 0) return false;
    return b.ranges.every((r) => this.containsRange(a, r));
  }

  overlapsRange(m: MultirangeValue, r: RangeValue): boolean {
    if (isEmptyRange(r)) return false;
    return m.ranges.some((x) => this.ops.overlaps(x, r));
  }

  overlaps(a: MultirangeValue, b: MultirangeValue): boolean {
    return b.ranges.some((r) => this.overlapsRange(a, r));
  }

  /** a << b with either side a range or a multirange (an empty one never) */
  before(a: RangeValue | MultirangeValue, b: RangeValue | MultirangeValue): boolean {
    const upper = this.upperOf(a), lower = this.lowerOf(b);
    return upper !== undefined && lower !== undefined && this.ops.cmpBounds(upper, lower) < 0;
  }

  /** a &< b: a's upper bound not above b's */
  overLeft(a: RangeValue | MultirangeValue, b: RangeValue | MultirangeValue): boolean {
    const u1 = this.upperOf(a), u2 = this.upperOf(b);
    return u1 !== undefined && u2 !== undefined && this.ops.cmpBounds(u1, u2) <= 0;
  }

  /** a &> b: a's lower bound not below b's */
  overRight(a: RangeValue | MultirangeValue, b: RangeValue | MultirangeValue): boolean {
    const l1 = this.lowerOf(a), l2 = this.lowerOf(b);
    return l1 !== undefined && l2 !== undefined && this.ops.cmpBounds(l1, l2) >= 0;
  }

  /** range_adjacent_multirange_internal / multirange_adjacent_multirange: the outer bounds touch */
  adjacent(a: RangeValue | MultirangeValue, b: RangeValue | MultirangeValue): boolean {
    const oa = this.outer(a), ob = this.outer(b);
    if (oa === undefined || ob === undefined) return false;
    const [la, ua] = oa, [lb, ub] = ob;
    return this.ops.boundsAdjacent(ua, lb) || this.ops.boundsAdjacent(ub, la);
  }

  union(a: MultirangeValue, b: MultirangeValue): MultirangeValue {
    if (a.ranges.length === 0) return b;
    if (b.ranges.length === 0) return a;
    return this.make([...a.ranges, ...b.ranges]);
  }

  /** multirange_minus_internal */
  minus(a: MultirangeValue, b: MultirangeValue): MultirangeValue {
    if (a.ranges.length === 0 || b.ranges.length === 0) return a;
    const o = this.ops, out: RangeValue[] = [];
    let i2 = 0;
    for (let r1 of a.ranges) {
      while (i2 < b.ranges.length && o.before(b.ranges[i2]!, r1)) i2++;
      while (i2 < b.ranges.length) {
        const r2 = b.ranges[i2]!;
        const split = this.split(r1, r2);
        if (split) {
          out.push(split[0]);
          r1 = split[1];
          i2++;
        } else if (o.overlaps(r1, r2)) {
          r1 = o.minus(r1, r2);
          if (isEmptyRange(r1) || o.before(r1, r2)) break;
          i2++;
        } else break;
      }
      out.push(r1);
    }
    return this.make(out);
  }

  /** range_split_internal: r2 strictly inside r1 cuts it in two */
  private split(r1: RangeValue, r2: RangeValue): [RangeValue, RangeValue] | undefined {
    if (isEmptyRange(r1) || isEmptyRange(r2)) return undefined;
    const o = this.ops;
    const [l1, u1] = o.bounds(r1), [l2, u2] = o.bounds(r2);
    if (o.cmpBounds(l1, l2) < 0 && o.cmpBounds(u1, u2) > 0) {
      return [
        o.make(l1, { ...l2, inclusive: !l2.inclusive, lower: false }),
        o.make({ ...u2, inclusive: !u2.inclusive, lower: true }, u1),
      ];
    }
    return undefined;
  }

  /** multirange_intersect_internal */
  intersect(a: MultirangeValue, b: MultirangeValue): MultirangeValue {
    if (a.ranges.length === 0 || b.ranges.length === 0) return EMPTY;
    const o = this.ops, out: RangeValue[] = [];
    let i2 = 0;
    for (const r1 of a.ranges) {
      while (i2 < b.ranges.length && o.before(b.ranges[i2]!, r1)) i2++;
      while (i2 < b.ranges.length) {
        const r2 = b.ranges[i2]!;
        if (!o.overlaps(r1, r2)) break;
        out.push(o.intersect(r1, r2));
        if (o.overLeft(r2, r1)) i2++;
        else break;
      }
      if (i2 >= b.ranges.length) break;
    }
    return this.make(out);
  }

  private lowerOf(x: RangeValue | MultirangeValue): RangeBound | undefined {
    return this.outer(x)?.[0];
  }

  private upperOf(x: RangeValue | MultirangeValue): RangeBound | undefined {
    return this.outer(x)?.[1];
  }

  /** the outer bounds of a range or multirange (undefined when empty) */
  private outer(x: RangeValue | MultirangeValue): [RangeBound, RangeBound] | undefined {
    if (isMultirangeValue(x)) return x.ranges.length === 0 ? undefined : [this.first(x)[0], this.last(x)[1]];
    return isEmptyRange(x) ? undefined : this.ops.bounds(x);
  }
}

export function isMultirangeValue(v: unknown): v is MultirangeValue {
  return typeof v === 'object' && v !== null && 'ranges' in v;
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/** multirange_in's scanner: each range's text (from its bracket to its closing one) or 'empty' */
export function splitMultirangeLiteral(input: string): string[] {
  const malformed = (detail: string): SqlError => new SqlError(SqlState.invalidTextRepresentation, `malformed multirange literal: "${input}"`, { detail });
  let p = 0;
  while (isSpace(input[p])) p++;
  if (input[p] !== '{') throw malformed('Missing left brace.');
  p++;
  type State = 'before' | 'in' | 'escaped' | 'quoted' | 'quotedEscaped' | 'after' | 'done';
  let state: State = 'before';
  const out: string[] = [];
  let begin = 0, seen = 0;
  for (; state !== 'done'; p++) {
    const ch = input[p];
    if (ch === undefined) throw malformed('Unexpected end of input.');
    if (isSpace(ch)) continue;
    switch (state) {
      case 'before':
        if (ch === '[' || ch === '(') { begin = p; state = 'in'; }
        else if (ch === '}' && seen === 0) state = 'done';
        else if (input.slice(p, p + 5).toLowerCase() === 'empty') { seen++; out.push('empty'); p += 4; state = 'after'; }
        else throw malformed('Expected range start.');
        break;
      case 'in':
        if (ch === ']' || ch === ')') { seen++; out.push(input.slice(begin, p + 1)); state = 'after'; }
        else if (ch === '"') state = 'quoted';
        else if (ch === '\\') state = 'escaped';
        break;
      case 'escaped': state = 'in'; break;
      case 'quoted':
        if (ch === '"') { if (input[p + 1] === '"') p++; else state = 'in'; }
        else if (ch === '\\') state = 'quotedEscaped';
        break;
      case 'quotedEscaped': state = 'quoted'; break;
      case 'after':
        if (ch === ',') state = 'before';
        else if (ch === '}') state = 'done';
        else throw malformed('Expected comma or end of multirange.');
        break;
    }
  }
  while (isSpace(input[p])) p++;
  if (p < input.length) throw malformed('Junk after closing right brace.');
  return out;
}

/** multirange_in: each range through range_in, then make_multirange */
export function parseMultirange(ops: MultirangeOps, input: string, parseRange: (text: string) => RangeValue): MultirangeValue {
  const ranges = splitMultirangeLiteral(input).map((s) => (s === 'empty' ? ops.ops.empty() : parseRange(s)));
  return ops.make(ranges);
}

/** multirange_out */
export function formatMultirange(v: MultirangeValue, formatRange: (r: RangeValue) => string): string {
  return `{${v.ranges.map(formatRange).join(',')}}`;
}

/** A primitive key equal for two multiranges exactly when multirange_eq says so. */
export function multirangeHashKey(v: MultirangeValue, rangeKey: (r: RangeValue) => unknown): string {
  return `m${JSON.stringify(v.ranges.map((r) => rangeKey(r)))}`;
}

