/**
 * PostgreSQL 15's position-based regular expression functions (regexp.c): regexp_count,
 * regexp_instr, regexp_like and regexp_substr. Positions and the start argument count
 * characters, not UTF-16 units; matches are found left to right without overlapping, an
 * empty match moving the search one character on.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Value } from '../types/types.js';
import { posixRegex } from './operators.js';

/** parse_re_flags' letters; only i and c change matching here, g is refused by these functions */
const FLAG_LETTERS = /^[bceimnpqstwxg]*$/;

function matcher(pattern: string, flags: string, fnName: string): RegExp {
  if (!FLAG_LETTERS.test(flags)) {
    const bad = [...flags].find((c) => !FLAG_LETTERS.test(c))!;
    throw new SqlError(SqlState.invalidParameterValue, `invalid regular expression option: "${bad}"`);
  }
  if (flags.includes('g')) throw new SqlError(SqlState.invalidParameterValue, `${fnName} does not support the "global" option`);
  const base = posixRegex(pattern, flags.lastIndexOf('i') > flags.lastIndexOf('c'));
  return new RegExp(base.source, base.flags.replace('g', '') + 'gd');
}

function checkPositive(name: string, v: number, allowZero = false): void {
  if (v < 0 || (v === 0 && !allowZero)) throw new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": ${v}`);
}

/** The UTF-16 offset of character position `start` (1-based); beyond one past the end → length + 1, no match. */
function unitOffset(s: string, start: number): number {
  let units = 0;
  for (let c = 1; c < start; c++) {
    if (units >= s.length) return s.length + 1;
    units += s.codePointAt(units)! > 0xffff ? 2 : 1;
  }
  return units;
}

/** The character position (1-based) of UTF-16 offset `units`. */
const charPosition = (s: string, units: number): number => [...s.slice(0, units)].length + 1;

/** Every match from character position `start`, in order. */
function* matches(s: string, re: RegExp, start: number): Generator<RegExpExecArray> {
  re.lastIndex = unitOffset(s, start);
  if (re.lastIndex > s.length) return;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    yield m;
    if (m[0].length === 0) {
      if (re.lastIndex >= s.length) return;
      re.lastIndex += s.codePointAt(re.lastIndex)! > 0xffff ? 2 : 1;
    }
  }
}

function nthMatch(s: string, re: RegExp, start: number, n: number): RegExpExecArray | undefined {
  let i = 0;
  for (const m of matches(s, re, start)) if (++i === n) return m;
  return undefined;
}

const S = (v: Value | undefined, dflt: string): string => (v === undefined ? dflt : (v as string));
const N = (v: Value | undefined, dflt: number): number => (v === undefined ? dflt : (v as number));

function regexpCount([s, p, start, flags]: readonly Value[]): Value {
  const from = N(start, 1);
  checkPositive('start', from);
  const re = matcher(p as string, S(flags, ''), 'regexp_count()');
  let count = 0;
  for (const _ of matches(s as string, re, from)) count++;
  return count;
}

function regexpInstr([s, p, start, n, endoption, flags, subexpr]: readonly Value[]): Value {
  const from = N(start, 1), nth = N(n, 1), end = N(endoption, 0), sub = N(subexpr, 0);
  checkPositive('start', from);
  checkPositive('n', nth);
  if (end !== 0 && end !== 1) throw new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "endoption": ${end}`);
  checkPositive('subexpr', sub, true);
  const str = s as string;
  const m = nthMatch(str, matcher(p as string, S(flags, ''), 'regexp_instr()'), from, nth);
  const span = m?.indices?.[sub];
  if (!span) return 0;
  return charPosition(str, span[end]!);
}

function regexpSubstr([s, p, start, n, flags, subexpr]: readonly Value[]): Value {
  const from = N(start, 1), nth = N(n, 1), sub = N(subexpr, 0);
  checkPositive('start', from);
  checkPositive('n', nth);
  checkPositive('subexpr', sub, true);
  const m = nthMatch(s as string, matcher(p as string, S(flags, ''), 'regexp_substr()'), from, nth);
  return m?.[sub] ?? null;
}

function regexpLike([s, p, flags]: readonly Value[]): Value {
  const re = matcher(p as string, S(flags, ''), 'regexp_like()');
  re.lastIndex = 0;
  return re.test(s as string);
}

type Def = { name: string; args: string[]; ret: string; impl: (args: readonly Value[]) => Value };
/** Every arity PostgreSQL declares (its pg_proc rows, no defaults) */
export const REGEXP_POSITION_FUNCTIONS: readonly Def[] = [
  ...[2, 3, 4].map((k): Def => ({ name: 'regexp_count', args: ['text', 'text', 'int4', 'text'].slice(0, k), ret: 'int4', impl: regexpCount })),
  ...[2, 3, 4, 5, 6, 7].map((k): Def => ({ name: 'regexp_instr', args: ['text', 'text', 'int4', 'int4', 'int4', 'text', 'int4'].slice(0, k), ret: 'int4', impl: regexpInstr })),
  ...[2, 3, 4, 5, 6].map((k): Def => ({ name: 'regexp_substr', args: ['text', 'text', 'int4', 'int4', 'text', 'int4'].slice(0, k), ret: 'text', impl: regexpSubstr })),
  ...[2, 3].map((k): Def => ({ name: 'regexp_like', args: ['text', 'text', 'text'].slice(0, k), ret: 'bool', impl: regexpLike })),
];
