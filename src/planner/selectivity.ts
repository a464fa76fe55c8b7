/**
 * Selectivity: the fraction of rows a condition keeps, from ANALYZE's statistics, with
 * PostgreSQL's formulas (src/backend/utils/adt/selfuncs.c, optimizer/path/clausesel.c):
 *
 *   col = const    eqsel: the value's MCV frequency, else the rest spread evenly over the
 *                  other distinct values: (1 - Σmcv - null_frac) / (n_distinct - #mcv)
 *   col = $1       var_eq_non_const: (1 - null_frac) / n_distinct
 *   col <> x       1 - eq - null_frac
 *   col < const    scalarineqsel: MCVs below it, plus the rest × the histogram fraction
 *                  below it (linear interpolation inside the bucket for numbers)
 *   lo <= col AND col <= hi   one range: s(>= lo) + s(<= hi) - 1 (+ null_frac counted twice)
 *   col LIKE 'p%'  the range [p, p with its last character incremented)
 *   IN (…)         OR of the equalities;  AND: product;  OR: s1 + s2 - s1·s2;  NOT: 1 - s
 *   IS [NOT] NULL  null_frac (1 - null_frac)
 *   a.x = b.y      eqjoinsel without MCV matching: (1-nf1)(1-nf2) / max(nd1, nd2)
 *   a.x <> b.y     neqjoinsel: 1 - eqjoinsel
 *
 * Without statistics PostgreSQL's defaults apply (DEFAULT_EQ_SEL, DEFAULT_INEQ_SEL, …),
 * and n_distinct is the row count for a unique key column, 2 for boolean, else 200.
 */
import type { ColumnStatistics } from '../catalog/catalog.js';
import { compareValues } from '../types/compare.js';
import { formatText, parseText, stringValueIsNotItsText } from '../types/text-io.js';
import { inetScalar } from '../types/network.js';
import { macScalar } from '../types/macaddr.js';
import { defaultNetworkSelectivity, NETWORK_OPERATOR_CODES, networkSelectivity } from './network-selectivity.js';
import { elementTypeOf, isArrayType, OID, sqlType, T, type SqlType, type Value } from '../types/types.js';
import { rowComparePair, type Expr } from './plan.js';
import { castCalls } from './cast-cost.js';
import { mapExpr } from './expr-walk.js';
import { exprIdentity } from './plan-order.js';
import { likeRegex, posixRegex } from '../functions/operators.js';
import { DEFAULT_MATCHING_SEL, matchingSelectivity } from './matching-selectivity.js';
import { containmentSelectivity, defaultArraySelectivity } from './array-selectivity.js';
import { arrayElements } from './array-statistics.js';

export const DEFAULT_EQ_SEL = 0.005;
export const DEFAULT_INEQ_SEL = 1 / 3;
export const DEFAULT_RANGE_INEQ_SEL = 0.005;
export const DEFAULT_MATCH_SEL = 0.005;
export const DEFAULT_TS_MATCH_SEL = 0.005;
export const DEFAULT_NUM_DISTINCT = 200;
export const DEFAULT_UNK_SEL = 0.005;
export const DEFAULT_NOT_UNK_SEL = 1 - DEFAULT_UNK_SEL;
/** clause_selectivity's answer for a clause it cannot analyse */
const DEFAULT_CLAUSE_SEL = 0.5;

/** What is known about the column a level-0 column reference reads. */
export interface ColumnInfo {
  readonly type: SqlType;
  readonly stats?: ColumnStatistics;
  /** rows of the relation the column belongs to */
  readonly rows: number;
  /** the column alone is a unique key (PRIMARY KEY / UNIQUE on it) */
  readonly unique: boolean;
  /**
   * A B-tree index leads with the column: its true smallest and largest values now
   * (PostgreSQL's get_actual_variable_range; undefined when the storage cannot tell)
   */
  readonly actualEnds?: () => { readonly min: Value; readonly max: Value } | undefined;
  /** the relation's OID (estimate_num_groups counts each relation's columns together) */
  readonly relation?: number;
}

/** Resolves a column reference to its column's statistics (undefined: not a base column). */
export type ColumnLookup = ((e: Extract<Expr, { kind: 'column' }>) => ColumnInfo | undefined) & {
  /**
   * Over a join's row: when `a` and `b` each read one input's columns, different inputs
   * (`a.x`, `b.y + 1`), what is known of each (examine_variable: an expression's type and
   * its table's rows), the left input's operand first; undefined otherwise.
   */
  readonly joinOperands?: (a: Expr, b: Expr) => JoinOperands | undefined;
  /**
   * Every column is one relation's (a scan's own condition): two columns compared are no join
   * clause, and eqsel / neqsel find no variable-vs-something shape in them (DEFAULT_EQ_SEL)
   */
  readonly oneRelation?: true;
  /** an expression that is an expression index's key, with the statistics ANALYZE gathered for it (`lower(email)`) */
  readonly expression?: (e: Expr) => ColumnInfo | undefined;
};

export interface JoinOperands {
  readonly left: ColumnInfo | undefined;
  readonly right: ColumnInfo | undefined;
}

/**
 * A join equality (or <>) with an expression on a side (`a.x = b.y + 1`, `lower(a.s) =
 * lower(b.s)`): its operands' statistics, as eqjoinsel examines them; undefined for two
 * plain columns (compared by their statistics below) or when not over a join.
 */
function expressionJoinOperands(e: Expr, lookup: ColumnLookup): JoinOperands | undefined {
  if (!lookup.joinOperands || e.kind !== 'call' || (e.name !== '=' && e.name !== '<>') || e.args.length !== 2) return undefined;
  const [a, b] = e.args;
  if (plainColumn(a) && plainColumn(b)) return undefined;
  return lookup.joinOperands(a, b);
}

/** A column as examine_variable sees one: through binary-coercible casts (RelabelType) only; `a.id::text` is an expression. */
function plainColumn(e: Expr): boolean {
  if (e.kind === 'cast') return castCalls(e.arg.type.oid, e.type.oid) === 0 && plainColumn(e.arg);
  return e.kind === 'column';
}

const clamp = (s: number): number => (Number.isFinite(s) ? Math.min(1, Math.max(0, s)) : DEFAULT_CLAUSE_SEL);

/** get_variable_numdistinct: the column's distinct count. */
export function distinctCount(info: ColumnInfo | undefined): number {
  if (!info) return DEFAULT_NUM_DISTINCT;
  if (info.unique) return Math.max(1, info.rows);
  const nd = info.stats?.nDistinct;
  if (nd !== undefined && nd !== 0) return nd > 0 ? nd : Math.max(1, -nd * info.rows);
  if (info.type.oid === OID.bool) return 2;
  return Math.min(DEFAULT_NUM_DISTINCT, Math.max(1, info.rows));
}

function stripCasts(e: Expr): Expr {
  return e.kind === 'cast' ? stripCasts(e.arg) : e;
}

/** Types PostgreSQL compares with each other by cross-type operators (int24eq, float48lt, date_lt_timestamp …), no cast. */
const CROSS_TYPE_FAMILIES: readonly ReadonlySet<number>[] = [
  new Set([OID.int2, OID.int4, OID.int8]), new Set([OID.float4, OID.float8]), new Set([OID.date, OID.timestamp, OID.timestamptz]),
];

/**
 * The operand examine_variable finds statistics for: it looks through a binary-coercible
 * cast (RelabelType: varchar → text) and through the binder's own widenings within a family
 * of cross-type operators (PostgreSQL compares int2 with int4, date with timestamp, no cast);
 * a cast that calls a function — written in the query (`amount::int`, `id::text`,
 * `id::bigint`) or PostgreSQL's own (`int_col = 5.5`: `(int_col)::numeric`) — is an
 * expression without statistics, estimated with the defaults (DEFAULT_EQ_SEL …).
 */
function throughRelabel(e: Expr): Expr {
  if (e.kind !== 'cast') return e;
  const from = e.arg.type.oid, to = e.type.oid;
  const crossType = !e.explicit && CROSS_TYPE_FAMILIES.some((f) => f.has(from) && f.has(to));
  return crossType || castCalls(from, to) === 0 ? throughRelabel(e.arg) : e;
}

/** A constant's value as the column's type (through its text form), undefined when not a constant. */
function constantAs(e: Expr, type: SqlType): { value: Value } | undefined {
  const c = stripCasts(e);
  if (c.kind !== 'const') return undefined;
  if (c.value === null) return { value: null };
  try {
    const text = typeof c.value === 'string' && !stringValueIsNotItsText(c.type.oid) ? c.value : formatText(c.type, c.value);
    return { value: parseText(type, text) };
  } catch {
    return undefined;
  }
}

function isPseudoConstant(e: Expr): boolean {
  const c = stripCasts(e);
  return c.kind === 'const' || c.kind === 'param';
}

function parsedList(info: ColumnInfo, texts: readonly string[] | null): Value[] | null {
  if (!texts) return null;
  try {
    return texts.map((t) => parseText(info.type, t));
  } catch {
    return null;
  }
}

/** eqsel for col = value (value known), or var_eq_non_const when `value` is undefined. */
function equalitySelectivity(info: ColumnInfo | undefined, value: { value: Value } | undefined): number {
  if (value?.value === null) return 0;
  if (!info) return DEFAULT_EQ_SEL;
  const nd = distinctCount(info);
  const st = info.stats;
  const nullFrac = st?.nullFrac ?? 0;
  if (info.unique) return (1 - nullFrac) / nd;
  if (!st) return 1 / nd;
  const mcv = parsedList(info, st.mostCommonVals) ?? [];
  const freqs = st.mostCommonFreqs ?? [];
  if (value) {
    const i = mcv.findIndex((m) => compareValues(info.type, m, value.value) === 0);
    if (i >= 0) return freqs[i];
  }
  const sumMcv = freqs.reduce((a, b) => a + b, 0);
  let sel: number;
  if (value) {
    const others = nd - mcv.length;
    sel = others > 0 ? (1 - sumMcv - nullFrac) / others : 0;
    if (mcv.length && sel > freqs[freqs.length - 1]) sel = freqs[freqs.length - 1];
  } else {
    sel = (1 - nullFrac) / nd;
    if (freqs.length && sel > freqs[0]) sel = freqs[0];
  }
  return clamp(sel);
}

/**
 * get_variable_range: the column's smallest and largest values from the histogram's ends
 * and the most common values (undefined without either).
 */
export function columnRange(info: ColumnInfo | undefined): { min: Value; max: Value } | undefined {
  if (!info?.stats) return undefined;
  // parsed once per ANALYZE result (the planner asks for it many times)
  const cached = ranges.get(info.stats);
  if (cached) return cached.range;
  const range = parsedRange(info);
  ranges.set(info.stats, { range });
  return range;
}

const ranges = new WeakMap<object, { range: { min: Value; max: Value } | undefined }>();

function parsedRange(info: ColumnInfo): { min: Value; max: Value } | undefined {
  if (!info.stats) return undefined;
  const values = [...(parsedList(info, info.stats.histogramBounds ?? null) ?? []), ...(parsedList(info, info.stats.mostCommonVals ?? null) ?? [])].filter((v) => v !== null);
  if (!values.length) return undefined;
  let min = values[0], max = values[0];
  for (const v of values) {
    if (compareValues(info.type, v, min) < 0) min = v;
    if (compareValues(info.type, v, max) > 0) max = v;
  }
  return { min, max };
}

/**
 * A number for linear interpolation inside a histogram bucket (undefined: not numeric); numeric's
 * text as convert_numeric_to_scalar's double, the network types' as convert_network_to_scalar's.
 */
function scalar(v: Value, type: SqlType): number | undefined {
  if (typeof v === 'number') return v;
  if (type.oid === OID.numeric && typeof v === 'string') return Number(v);
  if ((type.oid === OID.inet || type.oid === OID.cidr) && typeof v === 'string') return inetScalar(v);
  if ((type.oid === OID.macaddr || type.oid === OID.macaddr8) && typeof v === 'string') return macScalar(v);
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  return undefined;
}

const TEXT_TYPES: ReadonlySet<number> = new Set([OID.text, OID.varchar, OID.bpchar, OID.name]);

/**
 * convert_string_to_scalar: the value and the bucket's bounds as base-N fractions over the
 * byte range they use (widened to whole A-Z / a-z / 0-9 runs, or printable ASCII when narrower
 * than 10), after their common prefix, 12 bytes at most.
 */
function stringScalars(value: string, lobound: string, hibound: string): [number, number, number] {
  const v = Buffer.from(value, 'utf8'), l = Buffer.from(lobound, 'utf8'), h = Buffer.from(hibound, 'utf8');
  let rangelo = h[0] ?? 0, rangehi = h[0] ?? 0;
  for (const c of [...l, ...h]) { rangelo = Math.min(rangelo, c); rangehi = Math.max(rangehi, c); }
  const widen = (a: number, z: number) => {
    if (rangelo <= z && rangehi >= a) { rangelo = Math.min(rangelo, a); rangehi = Math.max(rangehi, z); }
  };
  widen(0x41, 0x5a); widen(0x61, 0x7a); widen(0x30, 0x39);
  if (rangehi - rangelo < 9) { rangelo = 0x20; rangehi = 127; }
  let p = 0;
  while (p < l.length && l[p] === h[p] && l[p] === v[p]) p++;
  const one = (b: Buffer): number => {
    const bytes = b.subarray(p, p + 12);
    let num = 0, denom = rangehi - rangelo + 1;
    const base = denom;
    for (let ch of bytes) {
      if (ch < rangelo) ch = rangelo - 1;
      else if (ch > rangehi) ch = rangehi + 1;
      num += (ch - rangelo) / denom;
      denom *= base;
    }
    return num;
  };
  return [one(v), one(l), one(h)];
}

/**
 * ineq_histogram_selectivity: the share of the histogram's population satisfying `col op
 * value` (op: < or <=, > or >= with `greater`), or -1 without a histogram. PostgreSQL 15's:
 * the bin holding the value found by the operator itself, linear interpolation in it, the
 * estimate read as "x <= value" and corrected by the equality share 1 / (distinct values
 * not among the MCVs) for < and >=, the first bin narrowed by that share, and the result kept
 * off 0 and 1 by a hundredth of a bin unless the column's true ends were read. Where the
 * search reaches the histogram's first or last entry and a B-tree leads with the column,
 * that entry is the column's true end now (get_actual_variable_range): a range past the
 * values ANALYZE saw (`id > <newest at ANALYZE>` on a growing table) is not estimated as
 * empty.
 */
function histogramSelectivity(info: ColumnInfo, value: Value, greater: boolean, orEqual: boolean): number {
  const parsed = parsedList(info, info.stats?.histogramBounds ?? null);
  if (!parsed || parsed.length < 2) return -1;
  const bounds = [...parsed];
  // an end the search reaches is replaced by the column's true end when a B-tree knows it
  // (both of a two-entry histogram at once); the last such look-up decides the clamp below
  let haveEnd = false;
  const trueEnd = (at: 'min' | 'max' | 'both') => {
    const ends = info.actualEnds?.();
    haveEnd = ends !== undefined;
    if (!ends) return;
    if (at !== 'max') bounds[0] = ends.min;
    if (at !== 'min') bounds[bounds.length - 1] = ends.max;
  };
  if (info.actualEnds && bounds.length === 2) trueEnd('both');
  const cmp = (a: Value, b: Value) => compareValues(info.type, a, b);
  // the operator applied to an entry, flipped for > / >=: true left of the bin
  const left = (b: Value) => {
    const c = cmp(b, value);
    const holds = greater ? (orEqual ? c >= 0 : c > 0) : (orEqual ? c <= 0 : c < 0);
    return greater ? !holds : holds;
  };
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const probe = (lo + hi) >> 1;
    if (info.actualEnds && bounds.length > 2 && (probe === 0 || probe === bounds.length - 1)) trueEnd(probe === 0 ? 'min' : 'max');
    if (left(bounds[probe]!)) lo = probe + 1;
    else hi = probe;
  }
  let histfrac: number;
  if (lo <= 0) histfrac = 0;
  else if (lo >= bounds.length) histfrac = 1;
  else {
    const i = lo;
    let eqSel = 0;
    if (i === 1 || greater === orEqual) {
      const otherDistinct = distinctCount(info) - (info.stats?.mostCommonFreqs?.length ?? 0);
      if (otherDistinct > 1) eqSel = 1 / otherDistinct;
    }
    let low = scalar(bounds[i - 1]!, info.type);
    let high = scalar(bounds[i]!, info.type);
    let x = scalar(value, info.type);
    const [lob, hib] = [bounds[i - 1]!, bounds[i]!];
    if (TEXT_TYPES.has(info.type.oid) && typeof value === 'string' && typeof lob === 'string' && typeof hib === 'string') [x, low, high] = stringScalars(value, lob, hib);
    let binfrac = 0.5;
    if (low !== undefined && high !== undefined && x !== undefined) {
      if (high <= low) binfrac = 0.5;
      else if (x <= low) binfrac = 0;
      else if (x >= high) binfrac = 1;
      else {
        binfrac = (x - low) / (high - low);
        if (!(binfrac >= 0 && binfrac <= 1)) binfrac = 0.5;
      }
    }
    histfrac = (i - 1 + binfrac) / (bounds.length - 1);
    if (i === 1) histfrac += eqSel * (1 - binfrac);
    if (greater === orEqual) histfrac -= eqSel;
  }
  const sel = greater ? 1 - histfrac : histfrac;
  if (haveEnd) return clamp(sel);
  const cutoff = 0.01 / (bounds.length - 1);
  return Math.min(1 - cutoff, Math.max(cutoff, sel));
}

/** scalarineqsel: col < value (or <=, or > / >= with `greater`). */
export function inequalitySelectivity(info: ColumnInfo | undefined, value: { value: Value } | undefined, greater: boolean, orEqual: boolean): number {
  if (value?.value === null) return 0;
  if (!info?.stats || !value) return DEFAULT_INEQ_SEL;
  const st = info.stats;
  const cmp = (a: Value, b: Value) => compareValues(info.type, a, b);
  const mcv = parsedList(info, st.mostCommonVals) ?? [];
  const freqs = st.mostCommonFreqs ?? [];
  let mcvSel = 0;
  let sumMcv = 0;
  mcv.forEach((m, i) => {
    sumMcv += freqs[i];
    const c = cmp(m, value.value);
    if (greater ? c > 0 || (orEqual && c === 0) : c < 0 || (orEqual && c === 0)) mcvSel += freqs[i];
  });
  const hist = histogramSelectivity(info, value.value, greater, orEqual);
  const rest = 1 - st.nullFrac - sumMcv;
  return clamp(mcvSel + rest * (hist >= 0 ? hist : 0.5));
}

const FLIPPED: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '<>': '<>' };

/** col op other, with the column on the left (undefined: not that shape). */
function columnComparison(e: Expr): { col: Extract<Expr, { kind: 'column' }>; op: string; other: Expr } | undefined {
  if (e.kind !== 'call' || e.args.length !== 2 || !(e.name in FLIPPED)) return undefined;
  const [a, b] = e.args.map(throughRelabel);
  if (a.kind === 'column' && a.level === 0) return { col: a, op: e.name, other: e.args[1] };
  if (b.kind === 'column' && b.level === 0) return { col: b, op: FLIPPED[e.name], other: e.args[0] };
  return undefined;
}

/** expression op constant, the expression on the left (no statistics: its bounds are DEFAULT_INEQ_SEL each) */
function expressionComparison(e: Expr): { col: Expr; op: string; other: Expr } | undefined {
  if (e.kind !== 'call' || e.args.length !== 2 || !(e.name in FLIPPED)) return undefined;
  const [a, b] = e.args;
  if (isPseudoConstant(b) && !isPseudoConstant(a)) return { col: throughRelabel(a), op: e.name, other: b };
  if (isPseudoConstant(a) && !isPseudoConstant(b)) return { col: throughRelabel(b), op: FLIPPED[e.name], other: a };
  return undefined;
}

/** LIKE / ILIKE and regular-expression operators, and their negations (patternsel) */
const PATTERN_OPERATORS: Record<string, { insensitive: boolean; negate: boolean; regex?: true } | undefined> = {
  '~~': { insensitive: false, negate: false }, '!~~': { insensitive: false, negate: true },
  '~~*': { insensitive: true, negate: false }, '!~~*': { insensitive: true, negate: true },
  '~': { insensitive: false, negate: false, regex: true }, '!~': { insensitive: false, negate: true, regex: true },
  '~*': { insensitive: true, negate: false, regex: true }, '!~*': { insensitive: true, negate: true, regex: true },
};
/** like_selectivity's and regex_selectivity's factors (selfuncs.c) */
const FIXED_CHAR_SEL = 0.2;
const CHAR_RANGE_SEL = 0.25;
const PARTIAL_WILDCARD_SEL = 2.0;
const ANY_CHAR_SEL = 0.9;
const FULL_WILDCARD_SEL = 5.0;

/**
 * like_fixed_prefix: the pattern's fixed start (up to a wildcard; for ILIKE up to a letter,
 * whose case varies), whether that is the whole pattern, and like_selectivity of the rest.
 */
function likePrefix(pattern: string, insensitive: boolean): { prefix: string; exact: boolean; restSel: number } {
  let prefix = '';
  let pos = 0;
  for (; pos < pattern.length; pos++) {
    let ch = pattern[pos]!;
    if (ch === '%' || ch === '_') break;
    if (ch === '\\') {
      pos++;
      if (pos >= pattern.length) break;
      ch = pattern[pos]!;
    }
    if (insensitive && ch.toLowerCase() !== ch.toUpperCase()) break;
    prefix += ch;
  }
  const exact = pos >= pattern.length;
  // like_selectivity of the rest: leading wildcards skipped (already counted)
  let rest = pos;
  while (rest < pattern.length && (pattern[rest] === '%' || pattern[rest] === '_')) rest++;
  let sel = 1;
  for (let i = rest; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '%') sel *= FULL_WILDCARD_SEL;
    else if (ch === '_') sel *= ANY_CHAR_SEL;
    else if (ch === '\\') {
      i++;
      if (i >= pattern.length) break;
      sel *= FIXED_CHAR_SEL;
    } else sel *= FIXED_CHAR_SEL;
  }
  return { prefix, exact, restSel: Math.min(1, sel) };
}

/**
 * regexp_fixed_prefix, for the patterns it is simple to read: after a leading `^`, the
 * literal characters every match starts with (up to a metacharacter; one a `*`, `?` or `{`
 * quantifies is not fixed; for `~*` up to a letter); exact when `$` ends the pattern right
 * after them. None without the anchor or with an alternation.
 */
function regexPrefix(pattern: string, insensitive: boolean): { prefix: string; exact: boolean } | undefined {
  if (!pattern.startsWith('^') || pattern.includes('|')) return undefined;
  let prefix = '';
  let pos = 1;
  for (; pos < pattern.length; pos++) {
    const ch = pattern[pos]!;
    if ('.[]()*+?{}$^\\'.includes(ch)) break;
    if (insensitive && ch.toLowerCase() !== ch.toUpperCase()) break;
    const next = pattern[pos + 1];
    if (next === '*' || next === '?' || next === '{') break;
    prefix += ch;
  }
  if (!prefix) return undefined;
  return { prefix, exact: pos === pattern.length - 1 && pattern[pos] === '$' };
}

/** regex_selectivity_sub: a factor per character, class, wildcard and quantifier; alternatives summed. */
function regexSelectivitySub(p: string): number {
  let sel = 1;
  let depth = 0;
  let start = 0;
  for (let pos = 0; pos < p.length; pos++) {
    const ch = p[pos];
    if (ch === '(') {
      if (depth === 0) start = pos;
      depth++;
    } else if (ch === ')' && depth > 0) {
      depth--;
      if (depth === 0) sel *= regexSelectivitySub(p.slice(start + 1, pos));
    } else if (ch === '|' && depth === 0) {
      sel += regexSelectivitySub(p.slice(pos + 1));
      break;
    } else if (ch === '[') {
      let neg = false;
      if (p[++pos] === '^') {
        neg = true;
        pos++;
      }
      if (p[pos] === ']') pos++;
      while (pos < p.length && p[pos] !== ']') pos++;
      if (depth === 0) sel *= neg ? 1 - CHAR_RANGE_SEL : CHAR_RANGE_SEL;
    } else if (ch === '.') {
      if (depth === 0) sel *= ANY_CHAR_SEL;
    } else if (ch === '*' || ch === '?' || ch === '+') {
      if (depth === 0) sel *= PARTIAL_WILDCARD_SEL;
    } else if (ch === '{') {
      while (pos < p.length && p[pos] !== '}') pos++;
      if (depth === 0) sel *= PARTIAL_WILDCARD_SEL;
    } else if (ch === '\\') {
      pos++;
      if (pos >= p.length) break;
      if (depth === 0) sel *= FIXED_CHAR_SEL;
    } else if (depth === 0) sel *= FIXED_CHAR_SEL;
  }
  return Math.min(1, sel);
}

/** regex_selectivity: the whole pattern's factor (a trailing wildcard unless it ends with `$`), the fixed prefix's discounted. */
function regexSelectivity(pattern: string, prefixLength: number): number {
  const anchoredEnd = pattern.length > 0 && pattern.endsWith('$') && (pattern.length === 1 || pattern[pattern.length - 2] !== '\\');
  let sel = anchoredEnd ? regexSelectivitySub(pattern.slice(0, -1)) : regexSelectivitySub(pattern) * FULL_WILDCARD_SEL;
  if (prefixLength > 0) {
    const prefixSel = FIXED_CHAR_SEL ** prefixLength;
    if (prefixSel > 0) sel /= prefixSel;
  }
  return clamp(sel);
}

/** prefix_selectivity: col >= prefix AND col < the next string, over the histogram; at least col = prefix. */
function prefixSelectivity(info: ColumnInfo, prefix: string): number {
  const ge = histogramSelectivity(info, prefix, true, true);
  if (ge < 0) return DEFAULT_MATCH_SEL;
  let sel = ge;
  const last = prefix.charCodeAt(prefix.length - 1);
  if (prefix.length > 0 && last < 0xffff) {
    const greater = prefix.slice(0, -1) + String.fromCharCode(last + 1);
    sel = histogramSelectivity(info, greater, false, false) + ge - 1;
  }
  return Math.max(sel, equalitySelectivity(info, { value: prefix }));
}

/**
 * patternsel for LIKE / ILIKE and regular expressions (and NOT): an exact pattern as an equality; else over the
 * histogram the share of its inner entries the pattern matches (100 entries or more), or the
 * fixed prefix's range times like_selectivity of the rest (blended in between 10 and 100),
 * kept within 0.0001..0.9999, for the rows outside the MCVs, plus the MCVs the pattern
 * matches, tested one by one.
 */
function patternSelectivity(e: Extract<Expr, { kind: 'call' }>, lookup: ColumnLookup, insensitive: boolean, negate: boolean, regex = false): number {
  const col = throughRelabel(e.args[0]!);
  const pattern = stripCasts(e.args[1]!);
  // a column, or an expression index's key (lower(s) LIKE 'ab%') over its statistics
  const indexed = col.kind === 'column' ? undefined : lookup.expression?.(col);
  if ((!indexed && (col.kind !== 'column' || col.level !== 0)) || pattern.kind !== 'const') return negate ? 1 - DEFAULT_MATCH_SEL : DEFAULT_MATCH_SEL;
  if (pattern.value === null) return 0;
  if (typeof pattern.value !== 'string') return negate ? 1 - DEFAULT_MATCH_SEL : DEFAULT_MATCH_SEL;
  const info = indexed ?? (col.kind === 'column' ? lookup(col) : undefined);
  const nullFrac = info?.stats?.nullFrac ?? 0;
  let prefix: string;
  let exact: boolean;
  let restSel: number;
  if (regex) {
    const fixed = regexPrefix(pattern.value, insensitive);
    prefix = fixed?.prefix ?? '';
    exact = fixed?.exact ?? false;
    restSel = exact ? 1 : regexSelectivity(pattern.value, prefix.length);
  } else ({ prefix, exact, restSel } = likePrefix(pattern.value, insensitive));
  let sel: number;
  if (exact) sel = equalitySelectivity(info, info ? { value: prefix } : undefined);
  else {
    let re: RegExp;
    try {
      re = regex ? posixRegex(pattern.value, insensitive) : likeRegex(pattern.value, insensitive);
    } catch {
      // a pattern the translation refuses: the statement fails when it runs; estimate by default
      return negate ? 1 - DEFAULT_MATCH_SEL : DEFAULT_MATCH_SEL;
    }
    const matches = (v: Value) => v !== null && re.test(String(v));
    const stats = info?.stats;
    const bounds = (info && stats ? parsedList(info, stats.histogramBounds) : null) ?? [];
    let hist = -1;
    if (bounds.length >= 10) {
      let n = 0;
      for (let i = 1; i < bounds.length - 1; i++) if (matches(bounds[i]!)) n++;
      hist = n / (bounds.length - 2);
    }
    if (bounds.length < 100) {
      // (without statistics prefix_selectivity is DEFAULT_MATCH_SEL)
      const heuristic = (prefix ? (info && stats ? prefixSelectivity(info, prefix) : DEFAULT_MATCH_SEL) : 1) * restSel;
      hist = hist < 0 ? heuristic : hist * (bounds.length / 100) + heuristic * (1 - bounds.length / 100);
    }
    hist = Math.min(0.9999, Math.max(0.0001, hist));
    const mcv = (info && stats ? parsedList(info, stats.mostCommonVals) : null) ?? [];
    const freqs = stats?.mostCommonFreqs ?? [];
    let mcvSel = 0;
    let sumCommon = 0;
    mcv.forEach((v, i) => {
      sumCommon += freqs[i] ?? 0;
      if (matches(v)) mcvSel += freqs[i] ?? 0;
    });
    sel = hist * (1 - nullFrac - sumCommon) + mcvSel;
  }
  return clamp(negate ? 1 - sel - nullFrac : sel);
}

function comparisonSelectivity(e: Expr, lookup: ColumnLookup): number | undefined {
  const operands = expressionJoinOperands(e, lookup);
  if (operands) {
    // eqjoinsel (neqjoinsel: 1 - it) over the expressions' statistics
    const eq = joinEqualitySelectivity(operands.left, operands.right);
    return (e as Extract<Expr, { kind: 'call' }>).name === '=' ? eq : clamp(1 - eq);
  }
  const cmp = columnComparison(e);
  if (!cmp) {
    // an indexed expression compared with a constant: as a column, over its index's statistics
    const byExpression = lookup.expression ? expressionComparison(e) : undefined;
    const info = byExpression && isPseudoConstant(byExpression.other) ? lookup.expression!(byExpression.col) : undefined;
    return info ? constantComparisonSelectivity(info, byExpression!.op, byExpression!.other) : undefined;
  }
  const otherBase = stripCasts(cmp.other);
  if (otherBase.kind === 'column' && otherBase.level === 0) {
    // two columns of the same row (a join's condition, or t.a = t.b)
    // neqjoinsel: 1 - eqjoinsel
    if (lookup.oneRelation) return defaultComparisonSelectivity(cmp.op);
    if (cmp.op === '=' || cmp.op === '<>') {
      const eq = joinEqualitySelectivity(lookup(cmp.col), lookup(otherBase));
      return cmp.op === '=' ? eq : clamp(1 - eq);
    }
    return DEFAULT_INEQ_SEL;
  }
  // a value unknown at plan time (a subquery, an expression): var_eq_non_const, 1 / distinct values
  if (!isPseudoConstant(cmp.other)) return cmp.op === '=' ? equalitySelectivity(lookup(cmp.col), undefined) : DEFAULT_INEQ_SEL;
  return constantComparisonSelectivity(lookup(cmp.col), cmp.op, cmp.other);
}

/** `column op constant` (or an indexed expression's) over what is known of the column */
function constantComparisonSelectivity(info: ColumnInfo | undefined, op: string, other: Expr): number {
  const value = info ? constantAs(other, info.type) : undefined;
  switch (op) {
    case '=': return equalitySelectivity(info, value);
    case '<>': return value?.value === null ? 0 : clamp(1 - equalitySelectivity(info, value) - (info?.stats?.nullFrac ?? 0));
    case '<': return inequalitySelectivity(info, value, false, false);
    case '<=': return inequalitySelectivity(info, value, false, true);
    case '>': return inequalitySelectivity(info, value, true, false);
    default: return inequalitySelectivity(info, value, true, true);
  }
}

/** eqjoinsel_inner: with MCV lists on both sides by matching them, else 1 / the larger distinct count of the non-null rows. */
export function joinEqualitySelectivity(a: ColumnInfo | undefined, b: ColumnInfo | undefined): number {
  const nf = (i: ColumnInfo | undefined) => i?.stats?.nullFrac ?? 0;
  const nd1 = distinctCount(a);
  const nd2 = distinctCount(b);
  const mcv = a && b ? mcvJoinSelectivity(a, b, nd1, nd2) : undefined;
  if (mcv !== undefined) return mcv;
  return clamp(((1 - nf(a)) * (1 - nf(b))) / Math.max(nd1, nd2));
}

/**
 * Pairs each of `v1`'s most common values with an equal, not yet paired one of `v2` (each
 * matches at most one, as eqjoinsel assumes): the pairs' positions, and which of each list
 * found a partner.
 */
function matchMostCommonValues(type: SqlType, v1: readonly Value[], v2: readonly Value[]): { pairs: [number, number][]; matched1: boolean[]; matched2: boolean[] } {
  const matched1 = new Array<boolean>(v1.length).fill(false);
  const matched2 = new Array<boolean>(v2.length).fill(false);
  const pairs: [number, number][] = [];
  v1.forEach((x, i) => {
    const j = v2.findIndex((y, k) => !matched2[k] && x !== null && y !== null && compareValues(type, x, y) === 0);
    if (j < 0) return;
    matched1[i] = matched2[j] = true;
    pairs.push([i, j]);
  });
  return { pairs, matched1, matched2 };
}

/** The frequencies of the MCVs that found a partner and of those that did not, each clamped. */
function splitFrequencies(freqs: readonly number[], matched: readonly boolean[]): { matchFreq: number; unmatchFreq: number } {
  let matchFreq = 0;
  let unmatchFreq = 0;
  matched.forEach((m, i) => {
    if (m) matchFreq += freqs[i] ?? 0;
    else unmatchFreq += freqs[i] ?? 0;
  });
  return { matchFreq: clamp(matchFreq), unmatchFreq: clamp(unmatchFreq) };
}

/**
 * eqjoinsel_inner with most-common values on both sides (of one type): the MCVs that equal
 * one another join exactly (the products of their frequencies); the unmatched MCVs and the
 * rest are spread over the other side's distinct values outside its MCV list; of the two
 * sides' views, the smaller. Undefined without two MCV lists.
 */
function mcvJoinSelectivity(a: ColumnInfo, b: ColumnInfo, nd1: number, nd2: number): number | undefined {
  if (!a.stats || !b.stats || a.type.oid !== b.type.oid) return undefined;
  const v1 = parsedList(a, a.stats.mostCommonVals);
  const v2 = parsedList(b, b.stats.mostCommonVals);
  const f1 = a.stats.mostCommonFreqs;
  const f2 = b.stats.mostCommonFreqs;
  if (!v1?.length || !v2?.length || !f1 || !f2) return undefined;
  const { pairs, matched1, matched2 } = matchMostCommonValues(a.type, v1, v2);
  const matches = pairs.length;
  const matchProd = clamp(pairs.reduce((p, [i, j]) => p + (f1[i] ?? 0) * (f2[j] ?? 0), 0));
  const { matchFreq: matchFreq1, unmatchFreq: unmatchFreq1 } = splitFrequencies(f1, matched1);
  const { matchFreq: matchFreq2, unmatchFreq: unmatchFreq2 } = splitFrequencies(f2, matched2);
  const other1 = clamp(1 - a.stats.nullFrac - matchFreq1 - unmatchFreq1);
  const other2 = clamp(1 - b.stats.nullFrac - matchFreq2 - unmatchFreq2);
  let total1 = matchProd;
  if (nd2 > v2.length) total1 += (unmatchFreq1 * other2) / (nd2 - v2.length);
  if (nd2 > matches) total1 += (other1 * (other2 + unmatchFreq2)) / (nd2 - matches);
  let total2 = matchProd;
  if (nd1 > v1.length) total2 += (unmatchFreq2 * other1) / (nd1 - v1.length);
  if (nd1 > matches) total2 += (other2 * (other1 + unmatchFreq1)) / (nd1 - matches);
  return clamp(Math.min(total1, total2));
}

/**
 * The share of outer rows that have at least one match (clauselist_selectivity under
 * JOIN_SEMI, which a semi and an anti join's rows and a nested loop's early stop use). An
 * equality between an outer and an inner column is eqjoinsel_semi without MCV matching:
 *   nd1 ≤ nd2: 1 - null_frac1;  else (nd2 / nd1) × (1 - null_frac1)
 * with nd2 at most the inner side's rows, and 0.5 × (1 - null_frac1) when either count is
 * the default 200 (no statistics); `<>` between them is 1 - null_frac1 (neqjoinsel); any
 * other clause keeps its plain selectivity (an
 * inequality's join selectivity is DEFAULT_INEQ_SEL whatever the join type); AND multiplies.
 * Outer columns are those before `outerWidth` in the join's row.
 */
export function semiJoinSelectivity(on: Expr | null, outerWidth: number, innerRows: number, lookup: ColumnLookup): number {
  if (!on) return 1;
  const conjuncts = on.kind === 'and' ? on.args : [on];
  let s = 1;
  for (const c of conjuncts) {
    const sides = semiJoinOperands(c, outerWidth, lookup);
    if (!sides) {
      s *= clauseSelectivity(c, lookup);
      continue;
    }
    const { outer: info1, inner: info2 } = sides;
    // neqjoinsel under SEMI / ANTI: an inner side of two or more values has a non-equal match for any non-null value
    if (sides.op === '<>') { s *= 1 - (info1?.stats?.nullFrac ?? 0); continue; }
    const nullFrac1 = info1?.stats?.nullFrac ?? 0;
    const nd1 = distinctCount(info1);
    let nd2 = distinctCount(info2);
    let default2 = isDefaultDistinct(info2);
    if (nd2 >= innerRows) { nd2 = innerRows; default2 = false; }
    const mcv = info1 && info2 ? mcvSemiJoinSelectivity(info1, info2, nd1, nd2, isDefaultDistinct(info1) || default2) : undefined;
    if (mcv !== undefined) s *= mcv;
    else if (isDefaultDistinct(info1) || default2) s *= 0.5 * (1 - nullFrac1);
    else s *= nd1 <= nd2 ? 1 - nullFrac1 : (nd2 / nd1) * (1 - nullFrac1);
  }
  return clamp(s);
}

/**
 * eqjoinsel_semi with most-common values on both sides (of one type): the outer MCVs equal to
 * one of the inner side's first nd2 MCVs have a partner for certain; of the other non-null
 * outer rows a share nd2 / nd1 (after taking the matches off both counts; all when nd1 <= nd2,
 * half when either count is a default). Undefined without two MCV lists.
 */
function mcvSemiJoinSelectivity(a: ColumnInfo, b: ColumnInfo, nd1: number, nd2: number, defaultCounts: boolean): number | undefined {
  if (!a.stats || !b.stats || a.type.oid !== b.type.oid) return undefined;
  const v1 = parsedList(a, a.stats.mostCommonVals);
  const v2 = parsedList(b, b.stats.mostCommonVals);
  const f1 = a.stats.mostCommonFreqs;
  if (!v1?.length || !v2?.length || !f1) return undefined;
  // only the inner side's first nd2 MCVs (its rows may hold no more distinct values)
  const { pairs, matched1 } = matchMostCommonValues(a.type, v1, v2.slice(0, Math.min(v2.length, Math.trunc(nd2))));
  const matches = pairs.length;
  const { matchFreq: matchFreq1 } = splitFrequencies(f1, matched1);
  let uncertainFrac = 0.5;
  if (!defaultCounts) {
    const rest1 = nd1 - matches;
    const rest2 = nd2 - matches;
    uncertainFrac = rest1 <= rest2 || rest2 < 0 ? 1 : rest2 / rest1;
  }
  return clamp(matchFreq1 + uncertainFrac * clamp(1 - matchFreq1 - a.stats.nullFrac));
}

/** An outer = inner (or <>) conjunct's two operands' statistics: columns, or expressions of one side each. */
function semiJoinOperands(c: Expr, outerWidth: number, lookup: ColumnLookup): { outer: ColumnInfo | undefined; inner: ColumnInfo | undefined; op: string } | undefined {
  if (c.kind !== 'call' || (c.name !== '=' && c.name !== '<>')) return undefined;
  const operands = expressionJoinOperands(c, lookup);
  if (operands) return { outer: operands.left, inner: operands.right, op: c.name };
  const cmp = columnComparison(c);
  const other = cmp && stripCasts(cmp.other);
  if (!cmp || other?.kind !== 'column' || other.level !== 0 || (cmp.col.index < outerWidth) === (other.index < outerWidth)) return undefined;
  const [outer, inner] = cmp.col.index < outerWidth ? [cmp.col, other] : [other, cmp.col];
  return { outer: lookup(outer), inner: lookup(inner), op: cmp.op };
}

/** get_variable_numdistinct's isdefault: no statistics, not unique, not boolean, 200 rows or more. */
export function isDefaultDistinct(info: ColumnInfo | undefined): boolean {
  if (!info) return true;
  if (info.unique || info.type.oid === OID.bool) return false;
  const nd = info.stats?.nDistinct;
  if (nd !== undefined && nd !== 0) return false;
  return info.rows >= DEFAULT_NUM_DISTINCT;
}

/**
 * clauselist_selectivity for AND: lower and upper bounds on the same column become one
 * range (so `x BETWEEN 1 AND 2` is not estimated as two independent thirds).
 */
/**
 * generate_base_implied_equalities_const over one relation's conditions: where `a = b` joins
 * columns one of which equals a constant, the column equalities give way to `member = const`
 * for every member of the class (`k = z AND z = 1` is `k = 1 AND z = 1`).
 */
function impliedConstEqualities(args: readonly Expr[]): readonly Expr[] {
  const colEq = (a: Expr) => {
    const cmp = a.kind === 'call' && a.name === '=' ? columnComparison(a) : undefined;
    const o = cmp && throughRelabel(cmp.other);
    return cmp && o?.kind === 'column' && o.level === 0 ? [cmp.col, o] as const : undefined;
  };
  const pairs = args.map(colEq);
  if (!pairs.some(Boolean)) return args;
  const parent = new Map<number, number>();
  const find = (i: number): number => { const p = parent.get(i) ?? i; return p === i ? i : find(p); };
  const columns = new Map<number, Expr>();
  for (const p of pairs) if (p) { columns.set(p[0].index, p[0]); columns.set(p[1].index, p[1]); parent.set(find(p[0].index), find(p[1].index)); }
  const constants = new Map<number, { other: Expr; eq: Expr }>();
  args.forEach((a, i) => {
    const cmp = !pairs[i] && a.kind === 'call' && a.name === '=' ? columnComparison(a) : undefined;
    if (cmp && isPseudoConstant(cmp.other) && columns.has(cmp.col.index) && !constants.has(find(cmp.col.index))) constants.set(find(cmp.col.index), { other: cmp.other, eq: a });
  });
  if (constants.size === 0) return args;
  const inConstClass = (a: Expr, i: number): boolean => {
    const cmp = a.kind === 'call' && a.name === '=' ? columnComparison(a) : undefined;
    if (pairs[i]) return constants.has(find(pairs[i]![0].index));
    return !!cmp && isPseudoConstant(cmp.other) && columns.has(cmp.col.index) && constants.has(find(cmp.col.index));
  };
  const kept = args.filter((a, i) => !inConstClass(a, i));
  for (const [index, col] of columns) {
    const c = constants.get(find(index));
    if (c) kept.push({ ...(c.eq as Extract<Expr, { kind: 'call' }>), args: [col, c.other] });
  }
  return kept;
}

function conjunctionSelectivity(all: readonly Expr[], lookup: ColumnLookup): number {
  const args = lookup.oneRelation ? impliedConstEqualities(all) : all;
  let s = 1;
  const ranges = new Map<string, { lo?: number; hi?: number; info?: ColumnInfo }>();
  for (const a of args) {
    const cmp = columnComparison(a) ?? expressionComparison(a);
    const ineq = cmp && cmp.op !== '=' && cmp.op !== '<>' && isPseudoConstant(cmp.other);
    if (!cmp || !ineq) { s *= clauseSelectivity(a, lookup); continue; }
    // addRangeClause pairs bounds on the same operand, a column or an expression (amount::int)
    const key = cmp.col.kind === 'column' ? `${cmp.col.index}` : exprIdentity(cmp.col);
    const r = ranges.get(key) ?? { info: cmp.col.kind === 'column' ? lookup(cmp.col) : undefined };
    const sel = clauseSelectivity(a, lookup);
    if (cmp.op.startsWith('>')) r.lo = r.lo === undefined ? sel : Math.min(r.lo, sel);
    else r.hi = r.hi === undefined ? sel : Math.min(r.hi, sel);
    ranges.set(key, r);
  }
  for (const r of ranges.values()) {
    if (r.lo === undefined || r.hi === undefined) { s *= r.lo ?? r.hi ?? 1; continue; }
    if (r.lo === DEFAULT_INEQ_SEL && r.hi === DEFAULT_INEQ_SEL) { s *= DEFAULT_RANGE_INEQ_SEL; continue; }
    let range = r.lo + r.hi - 1 + (r.info?.stats?.nullFrac ?? 0);
    if (range <= 0) range = range < -0.01 ? DEFAULT_RANGE_INEQ_SEL : 1e-10;
    s *= range;
  }
  return clamp(s);
}

/**
 * scalararraysel: `col op ANY (array)` / `col op ALL (array)` from each element's `col op
 * element`: ANY as independent ORs, ALL as independent ANDs — or, for `= ANY` and `<> ALL`
 * of distinct elements, disjoint events (their shares summed) when that stays within 0..1.
 */
function arraySelectivity(e: Extract<Expr, { kind: 'anyall' }>, lookup: ColumnLookup): number {
  const contained = elementContainmentSelectivity(e, lookup);
  if (contained !== undefined) return contained;
  const arr = stripCasts(e.right);
  const col = throughRelabel(e.left);
  const op = e.op ?? '';
  if (!(op in FLIPPED)) return DEFAULT_INEQ_SEL;
  // an expression (`id::bigint = ANY …`) has no statistics: each element's default share
  const info = col.kind === 'column' ? lookup(col) : undefined;
  const elementSelectivity = (x: Expr): number => comparisonSelectivity({ kind: 'call', name: op, args: [e.left, x], type: T.bool } as unknown as Expr, lookup) ?? defaultComparisonSelectivity(op);
  let elements: Expr[];
  if (arr.kind === 'array') elements = [...arr.elems];
  else if (arr.kind === 'const' && Array.isArray(arr.value)) {
    const type = info?.type ?? col.type;
    elements = (arr.value as Value[]).map((v) => ({ kind: 'const', type, value: v }) as unknown as Expr);
  } else if (arr.kind === 'param' && op === '=' && !e.all) {
    // an array known only at run time (`= ANY ($1)`): estimate_array_length's 10 elements of unknown value
    return clamp(10 * equalitySelectivity(info, undefined));
  } else return DEFAULT_INEQ_SEL;
  const useOr = !e.all;
  const disjointOp = useOr ? op === '=' : op === '<>';
  let s1 = useOr ? 0 : 1;
  let disjoint = s1;
  for (const x of elements) {
    const s2 = elementSelectivity(x);
    if (useOr) {
      s1 = s1 + s2 - s1 * s2;
      disjoint += s2;
    } else {
      s1 *= s2;
      disjoint += s2 - 1;
    }
  }
  return clamp(disjointOp && disjoint >= 0 && disjoint <= 1 ? disjoint : s1);
}

/** eqsel / neqsel / scalarineqsel over an operand without statistics */
function defaultComparisonSelectivity(op: string): number {
  return op === '=' ? DEFAULT_EQ_SEL : op === '<>' ? 1 - DEFAULT_EQ_SEL : DEFAULT_INEQ_SEL;
}

/**
 * booltestsel: `x IS [NOT] TRUE | FALSE | UNKNOWN` from the column's null fraction and its first
 * MCV (true's or false's frequency); without an MCV list the non-null rows split evenly; without
 * statistics IS TRUE is the argument's own selectivity and NULLs are ignored.
 */
function boolTestSelectivity(e: Extract<Expr, { kind: 'booltest' }>, lookup: ColumnLookup): number {
  const c = throughRelabel(e.arg);
  const stats = c.kind === 'column' && c.level === 0 ? lookup(c)?.stats : undefined;
  if (!stats) {
    if (e.test === 'unknown') return e.negate ? DEFAULT_NOT_UNK_SEL : DEFAULT_UNK_SEL;
    const s = clauseSelectivity(e.arg, lookup);
    return (e.test === 'true') !== e.negate ? s : clamp(1 - s);
  }
  const nullFrac = stats.nullFrac;
  if (e.test === 'unknown') return e.negate ? 1 - nullFrac : nullFrac;
  const first = stats.mostCommonVals?.[0], freq = stats.mostCommonFreqs?.[0];
  let freqTrue: number;
  if (first !== undefined && freq !== undefined) freqTrue = first === 't' || first === 'true' ? freq : 1 - freq - nullFrac;
  else freqTrue = (1 - nullFrac) / 2;
  const freqTest = e.test === 'true' ? freqTrue : 1 - freqTrue - nullFrac;
  return clamp(e.negate ? 1 - freqTest : freqTest);
}

const ARRAY_OPERATORS: ReadonlySet<string> = new Set(['@>', '<@', '&&']);

/** A constant operand's value: a Const, or ARRAY[…] of Consts (one Const to PostgreSQL after eval_const_expressions). */
function constantOperand(other: Expr, type: SqlType): { value: Value } | undefined {
  const o = stripCasts(other);
  const elems = o.kind === 'array' && !o.nested ? o.elems.map(stripCasts) : undefined;
  if (elems?.every((x) => x.kind === 'const')) return { value: elems.map((x) => (x as Extract<Expr, { kind: 'const' }>).value) as Value };
  return constantAs(other, type);
}

/** Element statistics' readers for an array column: its element type's text input and order */
function elementReaders(info: ColumnInfo): { parse: (t: string) => Value; compare: (a: Value, b: Value) => number } {
  const elem = sqlType(elementTypeOf(info.type.oid) ?? OID.text);
  return { parse: (t) => parseText(elem, t), compare: (a, b) => compareValues(elem, a, b) };
}

/** arraycontsel: `col @> const`, `col && const`, `col <@ const` (the column on either side); other shapes get DEFAULT_SEL */
function arrayOperatorSelectivity(e: Extract<Expr, { kind: 'call' }>, lookup: ColumnLookup): number {
  const [a, b] = e.args as [Expr, Expr];
  const left = throughRelabel(a), right = throughRelabel(b);
  const varOnLeft = left.kind === 'column' && left.level === 0;
  const col = varOnLeft ? left : right;
  if (col.kind !== 'column' || col.level !== 0) return defaultArraySelectivity(e.name);
  const constant = constantOperand(varOnLeft ? b : a, col.type);
  if (!constant) return defaultArraySelectivity(e.name);
  if (constant.value === null) return 0;
  const op = varOnLeft ? e.name : e.name === '@>' ? '<@' : e.name === '<@' ? '@>' : e.name;
  const info = lookup(col);
  if (!info || !Array.isArray(constant.value) || (op !== '@>' && op !== '&&' && op !== '<@')) return defaultArraySelectivity(op);
  const { parse, compare } = elementReaders(info);
  try {
    return clamp(containmentSelectivity(op, arrayElements(constant.value), info.stats, parse, compare));
  } catch {
    return defaultArraySelectivity(op);
  }
}

/** scalararraysel_containment: `const = ANY (array_col)` as `array_col @> ARRAY[const]`, `<> ALL` as 1 - that; undefined for other shapes */
function elementContainmentSelectivity(e: Extract<Expr, { kind: 'anyall' }>, lookup: ColumnLookup): number | undefined {
  const col = throughRelabel(e.right);
  if (col.kind !== 'column' || col.level !== 0 || (e.op !== '=' && e.op !== '<>')) return undefined;
  const info = lookup(col);
  const elem = elementTypeOf(col.type.oid);
  if (!info || elem === undefined) return undefined;
  const constant = constantAs(e.left, sqlType(elem));
  if (!constant) return undefined;
  if (constant.value === null) return 0;
  const isEquality = e.op === '=';
  // <> swaps ANY and ALL; = ANY is `col @> ARRAY[const]`, = ALL `col <@ ARRAY[const]`
  const useOr = isEquality ? !e.all : e.all;
  const { parse, compare } = elementReaders(info);
  try {
    const sel = containmentSelectivity(useOr ? '@>' : '<@', [constant.value], info.stats, parse, compare);
    return clamp(isEquality ? sel : 1 - sel);
  } catch {
    return undefined;
  }
}

/** jsonb's operators whose restriction estimator is matchingsel */
const MATCHING_OPERATORS: ReadonlySet<string> = new Set(['@>', '<@', '?', '?|', '?&', '@?', '@@']);

/** generic_restriction_selectivity for `column op constant` (either side), else DEFAULT_MATCHING_SEL */
function jsonbMatchingSelectivity(e: Extract<Expr, { kind: 'call' }>, lookup: ColumnLookup): number {
  const [a, b] = e.args as [Expr, Expr];
  const left = throughRelabel(a), right = throughRelabel(b);
  const varOnLeft = left.kind === 'column' && left.level === 0;
  const col = varOnLeft ? left : right;
  const other = varOnLeft ? b : a;
  if (col.kind !== 'column' || col.level !== 0) return DEFAULT_MATCHING_SEL;
  const constant = constantOperand(other, e.fn.argTypes[varOnLeft ? 1 : 0]!);
  if (!constant) return DEFAULT_MATCHING_SEL;
  const info = lookup(col);
  const stats = info?.stats && {
    nullFrac: info.stats.nullFrac,
    mostCommonVals: parsedList(info, info.stats.mostCommonVals), mostCommonFreqs: info.stats.mostCommonFreqs,
    histogram: parsedList(info, info.stats.histogramBounds),
  };
  return matchingSelectivity(e.fn, stats, constant.value, varOnLeft) ?? DEFAULT_MATCHING_SEL;
}

/** networksel for `column op constant` (either side) of the inet inclusion / overlap operators */
function networkOperatorSelectivity(e: Extract<Expr, { kind: 'call' }>, lookup: ColumnLookup): number {
  const [a, b] = e.args as [Expr, Expr];
  const left = throughRelabel(a), right = throughRelabel(b);
  const varOnLeft = left.kind === 'column' && left.level === 0;
  const col = varOnLeft ? left : right;
  if (col.kind !== 'column' || col.level !== 0) return defaultNetworkSelectivity(e.name);
  const constant = constantOperand(varOnLeft ? b : a, e.fn.argTypes[varOnLeft ? 1 : 0]!);
  if (!constant) return defaultNetworkSelectivity(e.name);
  if (constant.value === null) return 0;
  const info = lookup(col);
  const stats = info?.stats && {
    nullFrac: info.stats.nullFrac,
    mostCommonVals: parsedList(info, info.stats.mostCommonVals), mostCommonFreqs: info.stats.mostCommonFreqs,
    histogram: parsedList(info, info.stats.histogramBounds),
  };
  return networkSelectivity(e.name, stats, constant.value as string, varOnLeft);
}

/** The fraction of rows for which the boolean expression is true. */
export function clauseSelectivity(e: Expr, lookup: ColumnLookup): number {
  switch (e.kind) {
    case 'const': return e.value === true ? 1 : 0;
    case 'and': return conjunctionSelectivity(e.args, lookup);
    case 'or': return clamp(e.args.reduce((s, a) => { const s2 = clauseSelectivity(a, lookup); return s + s2 - s * s2; }, 0));
    case 'not': return clamp(1 - clauseSelectivity(e.arg, lookup));
    case 'isnull': {
      const c = throughRelabel(e.arg);
      const info = c.kind === 'column' && c.level === 0 ? lookup(c) : undefined;
      const nullFrac = info?.stats?.nullFrac;
      if (nullFrac === undefined) return e.negate ? DEFAULT_NOT_UNK_SEL : DEFAULT_UNK_SEL;
      return e.negate ? 1 - nullFrac : nullFrac;
    }
    case 'column': {
      // a boolean column alone: boolvarsel, i.e. col = true
      const info = e.level === 0 ? lookup(e) : undefined;
      return info?.stats ? equalitySelectivity(info, { value: true }) : DEFAULT_CLAUSE_SEL;
    }
    case 'anyall': return arraySelectivity(e, lookup);
    // rowcomparesel: the first column's comparison (`(a, b) > (5, 16)` as `a > 5`)
    case 'rowcompare': return clauseSelectivity(rowComparePair(e, 0), lookup);
    case 'distinct': {
      // clause_selectivity: a DistinctExpr is its "=" operator's estimate negated (NULLs ignored);
      // IS NOT DISTINCT FROM is NOT of that
      const eq: Expr = { kind: 'call', name: '=', fn: e.eq, args: [e.left, e.right], type: T.bool };
      const s = clamp(1 - clauseSelectivity(eq, lookup));
      return e.negate ? clamp(1 - s) : s;
    }
    case 'booltest': return boolTestSelectivity(e, lookup);
    case 'call': {
      const pattern = e.args.length === 2 && Object.hasOwn(PATTERN_OPERATORS, e.name) ? PATTERN_OPERATORS[e.name] : undefined;
      if (pattern) return patternSelectivity(e, lookup, pattern.insensitive, pattern.negate, pattern.regex);
      if (e.args.length === 2 && MATCHING_OPERATORS.has(e.name) && e.args[0]!.type.oid === OID.jsonb) return jsonbMatchingSelectivity(e, lookup);
      if (e.args.length === 2 && ARRAY_OPERATORS.has(e.name) && isArrayType(e.args[0]!.type.oid)) return arrayOperatorSelectivity(e, lookup);
      // tsmatchsel without lexeme statistics: DEFAULT_TS_MATCH_SEL
      if (e.name === '@@') return DEFAULT_TS_MATCH_SEL;
      if (e.args.length === 2 && e.name in NETWORK_OPERATOR_CODES && e.fn.argTypes[0]?.oid === OID.inet) return networkOperatorSelectivity(e, lookup);
      const s = comparisonSelectivity(e, lookup);
      if (s !== undefined) return s;
      return e.name in FLIPPED ? defaultComparisonSelectivity(e.name) : DEFAULT_CLAUSE_SEL;
    }
    default: return DEFAULT_CLAUSE_SEL;
  }
}

/**
 * estimate_num_groups: a boolean key counts 2; a column its distinct count; an expression
 * the distinct counts of the columns it reads (a column read by several keys once), none
 * when it reads no column (a constant: 1; volatile: every input row its own group). Per
 * relation the product is at most its rows — at most a tenth of them when several of its
 * columns multiply, but never below the largest count — and the whole at most the input rows.
 */
export function groupCount(keys: readonly Expr[], inputRows: number, lookup: ColumnLookup): number {
  if (keys.length === 0) return 1;
  let groups = 1;
  // each relation's columns the keys read, each once (a column of no known relation alone)
  const byRelation = new Map<number | object, Map<number, ColumnInfo | undefined>>();
  const add = (c: Extract<Expr, { kind: 'column' }>) => {
    const info = lookup(c);
    const relation = info?.relation ?? {};
    const columns = byRelation.get(relation) ?? new Map<number, ColumnInfo | undefined>();
    byRelation.set(relation, columns.set(c.index, info));
  };
  for (const k of keys) {
    if (k.type.oid === OID.bool) {
      groups *= 2;
      continue;
    }
    const c = stripCasts(k);
    if (c.kind === 'column' && c.level === 0) {
      add(c);
      continue;
    }
    const read: Extract<Expr, { kind: 'column' }>[] = [];
    let volatile = false;
    let outside = false;
    mapExpr(k, (x) => {
      if (x.kind === 'column') {
        if (x.level === 0) read.push(x);
        else outside = true;
      } else if (x.kind === 'call' && x.fn.volatile) volatile = true;
      else if (x.kind === 'subquery' || x.kind === 'insubquery') outside = true;
      return undefined;
    });
    if (read.length === 0) {
      if (volatile) return Math.max(1, Math.round(inputRows));
      // an outer row's value or a subquery's: the default; a constant: one group
      if (outside) groups *= DEFAULT_NUM_DISTINCT;
      continue;
    }
    read.forEach(add);
  }
  for (const columns of byRelation.values()) {
    const infos = [...columns.values()];
    let reldistinct = 1;
    let relmax = 0;
    for (const info of infos) {
      const nd = distinctCount(info);
      reldistinct *= nd;
      relmax = Math.max(relmax, nd);
    }
    const tuples = infos[0]?.rows ?? 0;
    if (tuples > 0) {
      let limit = tuples;
      if (infos.length > 1) {
        limit *= 0.1;
        if (limit < relmax) limit = Math.min(relmax, tuples);
      }
      reldistinct = Math.min(reldistinct, limit);
      // fewer rows than the relation holds (its conditions): the distinct values among them,
      // as estimate_num_groups scales reldistinct (taken as the input rows when the keys read
      // one relation only: Quiver does not keep the relation's own restricted rows here)
      if (byRelation.size === 1 && reldistinct > 0 && inputRows < tuples) {
        reldistinct *= 1 - ((tuples - inputRows) / tuples) ** (tuples / reldistinct);
      }
    }
    groups *= Math.max(1, Math.round(reldistinct));
  }
  return Math.max(1, Math.min(Math.ceil(groups), Math.round(inputRows)));
}

