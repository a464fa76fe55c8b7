/**
 * Ordered-set and hypothetical-set aggregates (PostgreSQL's orderedsetaggs.c):
 * percentile_disc, percentile_cont, mode, and rank / dense_rank / percent_rank / cume_dist
 * WITHIN GROUP. The executor hands the aggregated rows to `step` already sorted by the
 * WITHIN GROUP keys; the direct arguments (the fraction, the hypothetical row) arrive in
 * `final`, evaluated once per group, so an out-of-range fraction fails even on empty input.
 */
import { SqlError, SqlState } from '../errors.js';
import { OID, type Interval, type SqlType, type Value } from '../types/types.js';
import { compareValues } from '../types/compare.js';
import { addIntervals, negateInterval, scaleInterval } from '../types/datetime.js';
import type { AggregateFunction } from './api.js';

export const ORDERED_SET_AGGREGATES = new Set(['percentile_disc', 'percentile_cont', 'mode']);
export const HYPOTHETICAL_SET_AGGREGATES = new Set(['rank', 'dense_rank', 'percent_rank', 'cume_dist']);

/** One WITHIN GROUP sort key, as the hypothetical-set aggregates compare with it. */
export interface WithinGroupKey {
  readonly type: SqlType;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

interface Collected { values: Value[] }

/** the plan holds aggregates of any state type (each call's state never leaves its own fn) */
const erased = <S>(f: AggregateFunction<S>): AggregateFunction => f as unknown as AggregateFunction;

/** PostgreSQL's %g (its own snprintf spells NaN and Infinity out). */
function formatPercentile(p: number): string {
  if (Number.isNaN(p)) return 'NaN';
  if (!Number.isFinite(p)) return p > 0 ? 'Infinity' : '-Infinity';
  return String(Number(p.toPrecision(6)));
}

function checkPercentile(p: number): number {
  if (!(p >= 0 && p <= 1)) {
    throw new SqlError(SqlState.numericValueOutOfRange, `percentile value ${formatPercentile(p)} is not between 0 and 1`);
  }
  return p;
}

/** The fractions of a scalar or array direct argument, each checked (NULL elements stay NULL). */
function fractionsOf(direct: Value, array: boolean): (number | null)[] {
  const list = array ? (direct as Value[]) : [direct];
  return list.map((p) => (p === null ? null : checkPercentile(p as number)));
}

function collector(resultType: SqlType, array: boolean, pick: (sorted: Value[], p: number) => Value): AggregateFunction<Collected> {
  return {
    kind: 'aggregate', argTypes: [], returnType: resultType, strict: true,
    init: () => ({ values: [] }),
    step: (s, [v]) => { s.values.push(v); return s; },
    final: (s, _ctx, direct) => {
      const d = direct?.[0] ?? null;
      if (d === null) return null;
      const ps = fractionsOf(d, array);
      if (s.values.length === 0) return null;
      const out = ps.map((p) => (p === null ? null : pick(s.values, p)));
      return array ? out : out[0];
    },
  };
}

/** percentile_disc: the first value whose position in the ordering reaches the fraction. */
export function percentileDisc(resultType: SqlType, array: boolean): AggregateFunction {
  return erased(collector(resultType, array, (sorted, p) => sorted[Math.max(Math.ceil(p * sorted.length), 1) - 1]));
}

/** percentile_cont over float8 or interval: linear interpolation between the two nearest values. */
export function percentileCont(resultType: SqlType, array: boolean, interval: boolean): AggregateFunction {
  return erased(collector(resultType, array, (sorted, p) => {
    const pos = p * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    if (lo === hi) return sorted[lo];
    const frac = pos - lo;
    if (!interval) {
      const a = sorted[lo] as number;
      return a + ((sorted[hi] as number) - a) * frac;
    }
    // interval_lerp: (hi - lo) * frac + lo
    const a = sorted[lo] as Interval;
    return addIntervals(scaleInterval(addIntervals(sorted[hi] as Interval, negateInterval(a)), frac), a);
  }));
}

/** mode(): the most frequent value; among equally frequent ones the first in the ordering. */
export function modeAggregate(type: SqlType): AggregateFunction {
  return erased<Collected>({
    kind: 'aggregate', argTypes: [], returnType: type, strict: true,
    init: () => ({ values: [] }),
    step: (s, [v]) => { s.values.push(v); return s; },
    final: (s) => {
      let best: Value = null;
      let bestCount = 0;
      for (let i = 0; i < s.values.length;) {
        let j = i + 1;
        while (j < s.values.length && compareValues(type, s.values[j]!, s.values[i]!) === 0) j++;
        if (j - i > bestCount) { best = s.values[i]; bestCount = j - i; }
        i = j;
      }
      return best;
    },
  });
}

function compareKeys(keys: readonly WithinGroupKey[], a: readonly Value[], b: readonly Value[]): number {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) {
      if (x === y) continue;
      return (x === null) === k.nullsFirst ? -1 : 1;
    }
    const c = compareValues(k.type, x, y);
    if (c !== 0) return k.desc ? -c : c;
  }
  return 0;
}

interface Rows { rows: Value[][] }

/**
 * rank / dense_rank / percent_rank / cume_dist of a hypothetical row (the direct arguments)
 * among the group's rows, NULLs included, ordered by the WITHIN GROUP keys.
 */
export function hypotheticalSetAggregate(name: string, keys: readonly WithinGroupKey[]): AggregateFunction {
  const returnType: SqlType = { oid: name === 'rank' || name === 'dense_rank' ? OID.int8 : OID.float8, typmod: -1 };
  return erased<Rows>({
    kind: 'aggregate', argTypes: [], returnType, strict: false,
    init: () => ({ rows: [] }),
    step: (s, args) => { s.rows.push(args.slice()); return s; },
    final: (s, _ctx, direct) => {
      const h = direct ?? [];
      let before = 0;
      let beforeOrPeer = 0;
      let groupsBefore = 0;
      let prev: Value[] | null = null;
      for (const r of s.rows) {
        const c = compareKeys(keys, r, h);
        if (c < 0) {
          before++;
          if (prev === null || compareKeys(keys, prev, r) !== 0) groupsBefore++;
          prev = r;
        }
        if (c <= 0) beforeOrPeer++;
      }
      const n = s.rows.length;
      switch (name) {
        case 'rank': return BigInt(before + 1);
        case 'dense_rank': return BigInt(groupsBefore + 1);
        case 'percent_rank': return n === 0 ? 0 : before / n;
        default: return (beforeOrPeer + 1) / (n + 1);
      }
    },
  });
}
