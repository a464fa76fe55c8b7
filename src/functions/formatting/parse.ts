/**
 * to_timestamp(text, text) and to_date(text, text): a port of PostgreSQL 15's DCH_from_char and
 * do_to_timestamp, with their errors (22007 invalid values and conflicts, 22008 out of range).
 */
import { SqlError, SqlState } from '../../errors.js';
import { USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC, daysFromCivil, daysInMonth, localToUtc } from '../../types/datetime.js';
import { DateMode, S_FM, S_TH, S_th, charAt, dchFormat, isSeparatorChar, isSpace, type FormatNode } from './format-nodes.js';
import { DAYS_FULL, DAYS_SHORT, MONTHS_ABBREV, MONTHS_FULL, RM_MONTHS_UPPER } from './dch.js';
import { date2j, isLeapYear, isoweek2j, j2date } from './calendar.js';

/** TmFromChar */
interface FromChar {
  mode: DateMode; hh: number; pm: number; mi: number; ss: number; ssss: number; d: number; dd: number; ddd: number; mm: number;
  ms: number; year: number; bc: number; ww: number; w: number; cc: number; j: number; us: number; yysz: number; clock12: boolean;
  tzsign: number; tzh: number; tzm: number; ff: number;
}

const RM_LOWER = RM_MONTHS_UPPER.map((r) => r.toLowerCase());
const AMPM = ['am', 'pm', 'AM', 'PM'], AMPM_LONG = ['a.m.', 'p.m.', 'A.M.', 'P.M.'];
const ADBC = ['ad', 'bc', 'AD', 'BC'], ADBC_LONG = ['a.d.', 'b.c.', 'A.D.', 'B.C.'];
const MAX_TZDISP_HOUR = 15;
const INT_MIN = -2147483648, INT_MAX = 2147483647;

const badFormat = (message: string, extra: { detail?: string; hint?: string } = {}): SqlError => new SqlError(SqlState.invalidDatetimeFormat, message, extra);
const fieldOverflow = (input: string): SqlError => new SqlError(SqlState.datetimeFieldOverflow, `date/time field value out of range: "${input}"`);

/** is_next_separator: whether the field after this one cannot start with a digit */
function isNextSeparator(nodes: readonly FormatNode[], i: number): boolean {
  const n = nodes[i];
  if (!n) return false;
  if (n.type === 'action' && n.suffix & (S_TH | S_th)) return true;
  const next = nodes[i + 1];
  if (!next) return true;
  if (next.type === 'action') return !next.key!.isDigit;
  return !/^[0-9]$/.test(next.chr);
}

/** strtol's prefix: optional spaces, sign, digits; returns the text consumed ('' when nothing converts) */
function strtolPrefix(s: string): string {
  const m = /^[ \t\n\v\f\r]*[+-]?[0-9]+/.exec(s);
  return m ? m[0] : '';
}

class FromCharParser {
  pos = 0;
  constructor(readonly input: string, readonly nodes: readonly FormatNode[]) {}
  get c(): string | undefined { return this.input[this.pos]; }

  /** from_char_set_int: a field may be given twice only with the same value */
  setInt(out: FromChar, field: keyof FromChar, value: number, n: FormatNode): void {
    const cur = out[field] as number;
    if (cur !== 0 && cur !== value) {
      throw badFormat(`conflicting values for "${n.key!.name}" field in formatting string`, { detail: 'This value contradicts a previous setting for the same field type.' });
    }
    (out[field] as number) = value;
  }

  /** from_char_parse_int_len: returns the characters consumed; stores into `field` unless it is null */
  parseInt(out: FromChar, field: keyof FromChar | null, len: number, idx: number): number {
    const n = this.nodes[idx]!;
    const init = this.pos;
    while (isSpace(this.c)) this.pos++;
    const copy = this.input.slice(this.pos, this.pos + len);
    let text: string;
    if (n.suffix & S_FM || isNextSeparator(this.nodes, idx)) {
      text = strtolPrefix(this.input.slice(init));
      this.pos = init + text.length;
    } else {
      if (copy.length < len) {
        throw badFormat(`source string too short for "${n.key!.name}" formatting field`, {
          detail: `Field requires ${len} characters, but only ${copy.length} remain.`, hint: 'If your source string is not fixed-width, try using the "FM" modifier.',
        });
      }
      text = strtolPrefix(copy);
      if (text.length > 0 && text.length < len) {
        throw badFormat(`invalid value "${copy}" for "${n.key!.name}"`, {
          detail: `Field requires ${len} characters, but only ${text.length} could be parsed.`, hint: 'If your source string is not fixed-width, try using the "FM" modifier.',
        });
      }
      this.pos += text.length;
    }
    if (this.pos === init) throw badFormat(`invalid value "${copy}" for "${n.key!.name}"`, { detail: 'Value must be an integer.' });
    const value = text === '' ? 0 : Number(BigInt(text.trim()));
    if (value < INT_MIN || value > INT_MAX) {
      throw new SqlError(SqlState.datetimeFieldOverflow, `value for "${n.key!.name}" in source string is out of range`, { detail: `Value must be in the range ${INT_MIN} to ${INT_MAX}.` });
    }
    if (field !== null) this.setInt(out, field, value, n);
    return this.pos - init;
  }

  /** from_char_seq_search: a case-insensitive prefix match against a word list; returns its index */
  seqSearch(words: readonly string[], n: FormatNode): number {
    const rest = this.input.slice(this.pos);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (rest.length >= w.length && rest.slice(0, w.length).toLowerCase() === w.toLowerCase()) {
        this.pos += w.length;
        return i;
      }
    }
    const word = rest.split(/[ \t\n\r\f]/)[0]!;
    throw badFormat(`invalid value "${word}" for "${n.key!.name}"`, { detail: 'The given value did not match any of the allowed values for this field.' });
  }

  skipThth(n: FormatNode): void {
    if (n.suffix & (S_TH | S_th)) {
      for (let k = 0; k < 2 && this.pos < this.input.length; k++) this.pos += charAt(this.input, this.pos).length;
    }
  }
}

/** DCH_from_char */
function dchFromChar(nodes: readonly FormatNode[], input: string): FromChar {
  const out: FromChar = {
    mode: DateMode.None, hh: 0, pm: 0, mi: 0, ss: 0, ssss: 0, d: 0, dd: 0, ddd: 0, mm: 0, ms: 0, year: 0, bc: 0, ww: 0, w: 0, cc: 0, j: 0,
    us: 0, yysz: 0, clock12: false, tzsign: 0, tzh: 0, tzm: 0, ff: 0,
  };
  const p = new FromCharParser(input, nodes);
  let fx = false;
  let extraSkip = 0;
  for (let i = 0; i < nodes.length && p.pos < input.length; i++) {
    const n = nodes[i]!;
    // spaces at the start and before fields are ignored outside FX mode
    if (!fx && (n.type !== 'action' || n.key!.id !== 'FX') && (n.type === 'action' || i === 0)) {
      while (isSpace(p.c)) { p.pos++; extraSkip++; }
    }
    if (n.type === 'space' || n.type === 'separator') {
      if (!fx) {
        extraSkip--;
        if (isSpace(p.c) || isSeparatorChar(p.c)) { p.pos++; extraSkip++; }
      } else {
        p.pos += charAt(input, p.pos).length;
      }
      continue;
    }
    if (n.type !== 'action') {
      if (!fx && extraSkip > 0) extraSkip--;
      else p.pos += charAt(input, p.pos).length;
      continue;
    }
    const key = n.key!;
    if (key.mode !== DateMode.None) {
      if (out.mode === DateMode.None) out.mode = key.mode;
      else if (out.mode !== key.mode) {
        throw badFormat('invalid combination of date conventions', { hint: 'Do not mix Gregorian and ISO week date conventions in a formatting template.' });
      }
    }
    const int = (field: keyof FromChar | null, len = key.name.length): number => p.parseInt(out, field, len, i);
    switch (key.id) {
      case 'FX': fx = true; break;
      case 'A_M': case 'P_M': case 'a_m': case 'p_m':
        p.setInt(out, 'pm', p.seqSearch(AMPM_LONG, n) % 2, n);
        out.clock12 = true;
        break;
      case 'AM': case 'PM': case 'am': case 'pm':
        p.setInt(out, 'pm', p.seqSearch(AMPM, n) % 2, n);
        out.clock12 = true;
        break;
      case 'HH': case 'HH12': int('hh', 2); out.clock12 = true; p.skipThth(n); break;
      case 'HH24': int('hh', 2); p.skipThth(n); break;
      case 'MI': int('mi'); p.skipThth(n); break;
      case 'SS': int('ss'); p.skipThth(n); break;
      case 'MS': {
        // 25 is 0.25 and 250 is 0.25 too; 025 is 0.025
        const len = int('ms', 3);
        out.ms *= len === 1 ? 100 : len === 2 ? 10 : 1;
        p.skipThth(n);
        break;
      }
      case 'FF1': case 'FF2': case 'FF3': case 'FF4': case 'FF5': case 'FF6': case 'US': {
        if (key.id !== 'US') out.ff = Number(key.id[2]);
        const len = int('us', key.id === 'US' ? 6 : out.ff);
        out.us *= len === 1 ? 100000 : len === 2 ? 10000 : len === 3 ? 1000 : len === 4 ? 100 : len === 5 ? 10 : 1;
        p.skipThth(n);
        break;
      }
      case 'SSSS': int('ssss'); p.skipThth(n); break;
      case 'tz': case 'TZ': case 'OF':
        throw new SqlError(SqlState.featureNotSupported, `formatting field "${key.name}" is only supported in to_char`);
      case 'TZH':
        // a minus taken as a separator before the field still signs the hours
        if (p.c === '+' || p.c === '-' || p.c === ' ') { out.tzsign = p.c === '-' ? -1 : 1; p.pos++; }
        else out.tzsign = extraSkip > 0 && input[p.pos - 1] === '-' ? -1 : 1;
        int('tzh', 2);
        break;
      case 'TZM':
        if (!out.tzsign) out.tzsign = 1;
        int('tzm', 2);
        break;
      case 'A_D': case 'B_C': case 'a_d': case 'b_c': p.setInt(out, 'bc', p.seqSearch(ADBC_LONG, n) % 2, n); break;
      case 'AD': case 'BC': case 'ad': case 'bc': p.setInt(out, 'bc', p.seqSearch(ADBC, n) % 2, n); break;
      case 'MONTH': case 'Month': case 'month': p.setInt(out, 'mm', p.seqSearch(MONTHS_FULL, n) + 1, n); break;
      case 'MON': case 'Mon': case 'mon': p.setInt(out, 'mm', p.seqSearch(MONTHS_ABBREV, n) + 1, n); break;
      case 'MM': int('mm'); p.skipThth(n); break;
      case 'DAY': case 'Day': case 'day':
        p.setInt(out, 'd', p.seqSearch(DAYS_FULL, n), n);
        out.d++;
        break;
      case 'DY': case 'Dy': case 'dy':
        p.setInt(out, 'd', p.seqSearch(DAYS_SHORT, n), n);
        out.d++;
        break;
      case 'DDD': int('ddd'); p.skipThth(n); break;
      case 'IDDD': int('ddd', 3); p.skipThth(n); break;
      case 'DD': int('dd'); p.skipThth(n); break;
      case 'D': int('d'); p.skipThth(n); break;
      case 'ID':
        int('d', 1);
        // ISO numbering to Gregorian's Sunday = 1
        if (++out.d > 7) out.d = 1;
        p.skipThth(n);
        break;
      case 'WW': case 'IW': int('ww'); p.skipThth(n); break;
      case 'Q': int(null); p.skipThth(n); break; // parsed, then ignored
      case 'CC': int('cc'); p.skipThth(n); break;
      case 'Y_YYY': {
        // sscanf("%d,%03d%n")
        const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+),[ \t\n\v\f\r]*([+-][0-9]{1,2}|[0-9]{1,3})/.exec(input.slice(p.pos));
        if (!m) throw badFormat('invalid input string for "Y,YYY"');
        p.setInt(out, 'year', Number(m[2]) + Number(m[1]) * 1000, n);
        out.yysz = 4;
        p.pos += m[0].length;
        p.skipThth(n);
        break;
      }
      case 'YYYY': case 'IYYY': int('year'); out.yysz = 4; p.skipThth(n); break;
      case 'YYY': case 'IYY': case 'YY': case 'IY': case 'Y': case 'I': {
        const len = int('year');
        if (len < 4) out.year = adjustPartialYear(out.year);
        out.yysz = key.name.length;
        p.skipThth(n);
        break;
      }
      case 'RM': case 'rm': p.setInt(out, 'mm', 12 - p.seqSearch(RM_LOWER, n), n); break;
      case 'W': int('w'); p.skipThth(n); break;
      case 'J': int('j'); p.skipThth(n); break;
      default: break;
    }
    // spaces after a field are ignored outside FX mode
    if (!fx) {
      extraSkip = 0;
      while (isSpace(p.c)) { p.pos++; extraSkip++; }
    }
  }
  return out;
}

/** adjust_partial_year_to_2020: '70' is 1970, '69' is 2069 */
function adjustPartialYear(year: number): number {
  if (year < 70) return year + 2000;
  if (year < 100) return year + 1900;
  if (year < 520) return year + 2000;
  if (year < 1000) return year + 1000;
  return year;
}

const YSUM = [
  [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
  [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
];

interface Tm { year: number; mon: number; mday: number; hour: number; min: number; sec: number; fsec: number; ff: number; tzOffset?: number }

/** do_to_timestamp: the parsed fields checked and combined; tzOffset is seconds east of UTC when TZH/TZM were given */
function doToTimestamp(input: string, fmt: string): Tm {
  const tm: Tm = { year: 0, mon: 1, mday: 1, hour: 0, min: 0, sec: 0, fsec: 0, ff: 0 };
  if (fmt === '') return tm;
  const f = dchFromChar(dchFormat(fmt), input);
  let dated = { year: false, month: false, day: false };
  if (f.ssss) {
    tm.hour = Math.trunc(f.ssss / 3600);
    tm.min = Math.trunc((f.ssss % 3600) / 60);
    tm.sec = f.ssss % 60;
  }
  if (f.ss) tm.sec = f.ss;
  if (f.mi) tm.min = f.mi;
  if (f.hh) tm.hour = f.hh;
  if (f.clock12) {
    if (tm.hour < 1 || tm.hour > 12) {
      throw badFormat(`hour "${tm.hour}" is invalid for the 12-hour clock`, { hint: 'Use the 24-hour clock, or give an hour between 1 and 12.' });
    }
    if (f.pm && tm.hour < 12) tm.hour += 12;
    else if (!f.pm && tm.hour === 12) tm.hour = 0;
  }
  // PostgreSQL 15 does this arithmetic in C ints: it wraps rather than failing
  const wrap = (v: number): number => v | 0;
  if (f.year) {
    if (f.cc && f.yysz <= 2) {
      // CC with YY: the two low-order digits within that century (21st century AD is 2001-2100)
      if (f.bc) f.cc = -f.cc;
      tm.year = f.year % 100;
      if (tm.year) tm.year = f.cc >= 0 ? wrap(tm.year + Math.imul(f.cc - 1, 100)) : wrap(Math.imul(f.cc + 1, 100) - tm.year + 1);
      else tm.year = wrap(Math.imul(f.cc, 100) + (f.cc >= 0 ? 0 : 1));
    } else {
      tm.year = f.year;
      if (f.bc) tm.year = -tm.year;
      if (tm.year < 0) tm.year++;
    }
    dated.year = true;
  } else if (f.cc) {
    if (f.bc) f.cc = -f.cc;
    tm.year = f.cc >= 0 ? wrap(Math.imul(f.cc - 1, 100) + 1) : wrap(Math.imul(f.cc, 100) + 1);
    dated.year = true;
  }
  if (f.j) {
    const d = j2date(f.j);
    tm.year = d.y; tm.mon = d.m; tm.mday = d.d;
    dated = { year: true, month: true, day: true };
  }
  if (f.ww) {
    if (f.mode === DateMode.IsoWeek) {
      // without D the date stays at the week's Monday
      let jday = isoweek2j(tm.year, f.ww);
      if (f.d) jday += f.d > 1 ? f.d - 2 : 6;
      const d = j2date(jday);
      tm.year = d.y; tm.mon = d.m; tm.mday = d.d;
      dated = { year: true, month: true, day: true };
    } else {
      f.ddd = wrap(Math.imul(f.ww - 1, 7) + 1);
    }
  }
  if (f.w) f.dd = wrap(Math.imul(f.w - 1, 7) + 1);
  if (f.dd) { tm.mday = f.dd; dated.day = true; }
  if (f.mm) { tm.mon = f.mm; dated.month = true; }
  if (f.ddd && (tm.mon <= 1 || tm.mday <= 1)) {
    if (!tm.year && !f.bc) throw badFormat('cannot calculate day of year without year information');
    if (f.mode === DateMode.IsoWeek) {
      const d = j2date(isoweek2j(tm.year, 1) - 1 + f.ddd);
      tm.year = d.y; tm.mon = d.m; tm.mday = d.d;
      dated = { year: true, month: true, day: true };
    } else {
      const y = YSUM[isLeapYear(tm.year) ? 1 : 0]!;
      let i = 1;
      while (i <= 12 && f.ddd > y[i]!) i++;
      if (tm.mon <= 1) tm.mon = i;
      if (tm.mday <= 1) tm.mday = f.ddd - y[i - 1]!;
      dated.month = dated.day = true;
    }
  }
  if (f.ms) tm.fsec += Math.imul(f.ms, 1000);
  if (f.us) tm.fsec += f.us;
  tm.ff = f.ff;
  // ValidateDate
  if (dated.month && (tm.mon < 1 || tm.mon > 12)) throw fieldOverflow(input);
  if (dated.day && (tm.mday < 1 || tm.mday > 31)) throw fieldOverflow(input);
  if (dated.year && dated.month && dated.day && tm.mday > daysInMonth(tm.year, tm.mon)) throw fieldOverflow(input);
  if (tm.hour < 0 || tm.hour >= 24 || tm.min < 0 || tm.min >= 60 || tm.sec < 0 || tm.sec >= 60 || tm.fsec < 0 || tm.fsec >= USECS_PER_SEC) {
    throw fieldOverflow(input);
  }
  if (f.tzsign) {
    if (f.tzh < 0 || f.tzh > MAX_TZDISP_HOUR || f.tzm < 0 || f.tzm >= 60) {
      throw new SqlError('22009', `time zone displacement out of range: "${input}"`);
    }
    const off = (f.tzh * 60 + f.tzm) * 60;
    tm.tzOffset = f.tzsign > 0 ? off : -off;
  }
  return tm;
}

/** Julian days PostgreSQL accepts: from 4714-11-24 BC */
const isValidJulian = (y: number, m: number): boolean => (y > -4713 || (y === -4713 && m >= 11)) && (y < 5874898 || (y === 5874898 && m < 6));
/** 4714-11-24 BC and 294277-01-01 (timestamps end before it), as micros since 1970 */
const MIN_TIMESTAMP = -210866803200000000, END_TIMESTAMP = 9224318016000000000;
/** AdjustTimestampForTypmod's rounding works on the 2000 epoch: halves round away from zero there */
const PG_EPOCH_MICROS = 946684800000000;

/** to_timestamp(text, text) → timestamptz */
export function toTimestamp(input: string, fmt: string, zone: string): number {
  const tm = doToTimestamp(input, fmt);
  if (!isValidJulian(tm.year, tm.mon)) throw new SqlError(SqlState.datetimeFieldOverflow, 'timestamp out of range');
  const local = daysFromCivil(tm.year, tm.mon, tm.mday) * USECS_PER_DAY + tm.hour * USECS_PER_HOUR + tm.min * USECS_PER_MINUTE + tm.sec * USECS_PER_SEC + tm.fsec;
  let result = tm.tzOffset !== undefined ? local - tm.tzOffset * USECS_PER_SEC : localToUtc(local, zone);
  if (result < MIN_TIMESTAMP || result >= END_TIMESTAMP) throw new SqlError(SqlState.datetimeFieldOverflow, 'timestamp out of range');
  if (tm.ff) {
    const scale = 10 ** (6 - tm.ff);
    const t = result - PG_EPOCH_MICROS;
    const r = t >= 0 ? Math.trunc((t + scale / 2) / scale) * scale : -Math.trunc((-t + scale / 2) / scale) * scale;
    result = r + PG_EPOCH_MICROS;
  }
  return result;
}

/** to_date(text, text) → days since 1970 */
export function toDate(input: string, fmt: string): number {
  const tm = doToTimestamp(input, fmt);
  const outOfRange = (): SqlError => new SqlError(SqlState.datetimeFieldOverflow, `date out of range: "${input}"`);
  if (!isValidJulian(tm.year, tm.mon)) throw outOfRange();
  const days = daysFromCivil(tm.year, tm.mon, tm.mday);
  // IS_VALID_DATE: Julian days 0 up to DATE_END_JULIAN
  const j = date2j(tm.year, tm.mon, tm.mday);
  if (j < 0 || j >= 2147483494) throw outOfRange();
  return days;
}
