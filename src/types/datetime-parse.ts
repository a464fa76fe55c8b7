/**
 * Date/time input as PostgreSQL 15's datetime.c reads it: ParseDateTime splits the text into
 * typed fields, DecodeDateTime (date, timestamp[tz]) and DecodeTimeOnly (time) interpret them
 * with DecodeDate / DecodeNumber / DecodeNumberField / DecodeTime / DecodeTimezone /
 * DecodeSpecial and ValidateDate. The field masks, the order of the checks and the error kinds
 * follow the C code, so odd inputs succeed or fail exactly where PostgreSQL's do.
 *
 * Zones are looked up through the `DecodeContext` the caller (datetime.ts) supplies, so this
 * module has no knowledge of zone databases.
 */
import { SqlError, SqlState } from '../errors.js';
import { civilFromDays, daysFromCivil, daysInMonth } from './calendar.js';
import { tzAbbrev, type TzAbbrev } from './tzif.js';

const USECS_PER_SEC = 1_000_000;
const USECS_PER_DAY = 86_400 * USECS_PER_SEC;

// ---------------------------------------------------------------- errors (DTERR_*)

type DtErr = 'bad' | 'overflow' | 'md-overflow' | 'tz-overflow';
class DecodeError extends Error {
  constructor(readonly kind: DtErr) { super(kind); }
}
const fail = (kind: DtErr): never => { throw new DecodeError(kind); };

/** DateTimeParseError: the message and SQLSTATE for a decode failure */
function parseError(kind: DtErr, text: string, typeName: string): SqlError {
  switch (kind) {
    case 'overflow': return new SqlError(SqlState.datetimeFieldOverflow, `date/time field value out of range: "${text}"`);
    case 'md-overflow': return new SqlError(SqlState.datetimeFieldOverflow, `date/time field value out of range: "${text}"`, { hint: 'Perhaps you need a different "datestyle" setting.' });
    case 'tz-overflow': return new SqlError(SqlState.invalidTimeZoneDisplacementValue, `time zone displacement out of range: "${text}"`);
    default: return new SqlError(SqlState.invalidDatetimeFormat, `invalid input syntax for type ${typeName}: "${text}"`);
  }
}

// ---------------------------------------------------------------- ParseDateTime

type FieldType = 'number' | 'date' | 'time' | 'string' | 'special' | 'tz';
interface Field { text: string; type: FieldType }

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c);

// character classes by code (the scanner's hot path)
const digitAt = (s: string, i: number): boolean => { const c = s.charCodeAt(i); return c >= 48 && c <= 57; };
const alphaAt = (s: string, i: number): boolean => { const c = s.charCodeAt(i) | 32; return c >= 97 && c <= 122; };
const spaceAt = (s: string, i: number): boolean => { const c = s.charCodeAt(i); return c === 32 || (c >= 9 && c <= 13); };
const punctAt = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
};

const MAXDATEFIELDS = 25;
const MAXDATELEN = 128;

/** ParseDateTime: break the string into fields, lower-casing text */
export function parseDateTimeFields(s: string): Field[] {
  const fields: Field[] = [];
  const n = s.length;
  let i = 0;
  let used = 0; // PostgreSQL's work buffer holds MAXDATELEN + MAXDATEFIELDS bytes
  while (i < n) {
    if (spaceAt(s, i)) { i++; continue; }
    if (fields.length >= MAXDATEFIELDS) fail('bad');
    const start = i;
    const c = s[i];
    let f: string;
    let type: FieldType;
    if (digitAt(s, i)) {
      while (digitAt(s, i)) i++;
      if (s[i] === ':') {
        type = 'time';
        i++;
        while (digitAt(s, i) || s[i] === ':' || s[i] === '.') i++;
        f = s.slice(start, i);
      } else if (s[i] === '-' || s[i] === '/' || s[i] === '.') {
        const delim = s[i]!;
        i++;
        if (digitAt(s, i)) {
          type = delim === '.' ? 'number' : 'date';
          while (digitAt(s, i)) i++;
          if (s[i] === delim) {
            type = 'date';
            i++;
            while (digitAt(s, i) || s[i] === delim) i++;
          }
          f = s.slice(start, i);
        } else {
          type = 'date';
          while (digitAt(s, i) || alphaAt(s, i) || s[i] === delim) i++;
          f = s.slice(start, i).toLowerCase();
        }
      } else {
        type = 'number';
        f = s.slice(start, i);
      }
    } else if (c === '.') {
      i++;
      while (digitAt(s, i)) i++;
      type = 'number';
      f = s.slice(start, i);
    } else if (alphaAt(s, i)) {
      type = 'string';
      while (alphaAt(s, i)) i++;
      f = s.slice(start, i).toLowerCase();
      // embedded punctuation or digits: a date with a text month, or a zone name like 'America/New_York'
      let isDate = false;
      if (s[i] === '-' || s[i] === '/' || s[i] === '.') isDate = true;
      else if (s[i] === '+' || digitAt(s, i)) isDate = lookupToken(f) === undefined;
      if (isDate) {
        type = 'date';
        do { i++; } while (s[i] === '+' || s[i] === '-' || s[i] === '/' || s[i] === '_' || s[i] === '.' || s[i] === ':' || digitAt(s, i) || alphaAt(s, i));
        f = s.slice(start, i).toLowerCase();
      }
    } else if (c === '+' || c === '-') {
      i++;
      while (spaceAt(s, i)) i++;
      const bodyStart = i;
      if (digitAt(s, i)) {
        type = 'tz';
        i++;
        while (digitAt(s, i) || s[i] === ':' || s[i] === '.' || s[i] === '-') i++;
        f = c + s.slice(bodyStart, i);
      } else if (alphaAt(s, i)) {
        type = 'special';
        while (alphaAt(s, i)) i++;
        f = c + s.slice(bodyStart, i).toLowerCase();
      } else {
        return fail('bad');
      }
    } else if (punctAt(s, i)) {
      i++;
      continue;
    } else {
      return fail('bad');
    }
    used += f.length + 1;
    if (used >= MAXDATELEN + MAXDATEFIELDS) fail('bad');
    fields.push({ text: f, type });
  }
  return fields;
}

// ---------------------------------------------------------------- datetktbl

type TokenType = 'reserv' | 'month' | 'dow' | 'ampm' | 'adbc' | 'ignore' | 'units' | 'isotime' | 'dtzmod';
type Reserved = 'early' | 'late' | 'epoch' | 'now' | 'today' | 'tomorrow' | 'yesterday' | 'zulu';
type Unit = 'day' | 'dow' | 'doy' | 'hour' | 'isodow' | 'isoyear' | 'julian' | 'month' | 'minute' | 'second' | 'year' | 'time';
type Token = { type: 'reserv'; value: Reserved } | { type: 'units' | 'isotime'; value: Unit } | { type: Exclude<TokenType, 'reserv' | 'units' | 'isotime'>; value: number };

const DATETKTBL = new Map<string, Token>();
{
  const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  const full = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
  months.forEach((m, k) => { DATETKTBL.set(m, { type: 'month', value: k + 1 }); DATETKTBL.set(full[k]!, { type: 'month', value: k + 1 }); });
  DATETKTBL.set('sept', { type: 'month', value: 9 });
  const dows: Array<[string, number]> = [['sun', 0], ['sunday', 0], ['mon', 1], ['monday', 1], ['tue', 2], ['tues', 2], ['tuesday', 2], ['wed', 3], ['weds', 3], ['wednesday', 3], ['thu', 4], ['thur', 4], ['thurs', 4], ['thursday', 4], ['fri', 5], ['friday', 5], ['sat', 6], ['saturday', 6]];
  for (const [n, v] of dows) DATETKTBL.set(n, { type: 'dow', value: v });
  const reserved: Array<[string, Reserved]> = [['-infinity', 'early'], ['infinity', 'late'], ['epoch', 'epoch'], ['now', 'now'], ['today', 'today'], ['tomorrow', 'tomorrow'], ['yesterday', 'yesterday'], ['allballs', 'zulu']];
  for (const [n, v] of reserved) DATETKTBL.set(n, { type: 'reserv', value: v });
  const units: Array<[string, Unit]> = [['d', 'day'], ['dow', 'dow'], ['doy', 'doy'], ['h', 'hour'], ['isodow', 'isodow'], ['isoyear', 'isoyear'], ['j', 'julian'], ['jd', 'julian'], ['julian', 'julian'], ['m', 'month'], ['mm', 'minute'], ['s', 'second'], ['y', 'year']];
  for (const [n, v] of units) DATETKTBL.set(n, { type: 'units', value: v });
  DATETKTBL.set('t', { type: 'isotime', value: 'time' });
  DATETKTBL.set('am', { type: 'ampm', value: 0 });
  DATETKTBL.set('pm', { type: 'ampm', value: 1 });
  DATETKTBL.set('ad', { type: 'adbc', value: 0 });
  DATETKTBL.set('bc', { type: 'adbc', value: 1 });
  DATETKTBL.set('at', { type: 'ignore', value: 0 });
  DATETKTBL.set('on', { type: 'ignore', value: 0 });
  DATETKTBL.set('dst', { type: 'dtzmod', value: 3600 });
}

/** datebsearch: tokens compare on their first TOKMAXLEN (10) characters */
function lookupToken(lowtoken: string): Token | undefined {
  if (lowtoken.length <= 10) return DATETKTBL.get(lowtoken);
  const key = lowtoken.slice(0, 10);
  for (const [k, v] of DATETKTBL) if (k.slice(0, 10) === key) return v;
  return undefined;
}

// ---------------------------------------------------------------- field masks

const M = {
  RESERV: 1 << 0, MONTH: 1 << 1, YEAR: 1 << 2, DAY: 1 << 3, JULIAN: 1 << 4, TZ: 1 << 5, DTZ: 1 << 6, DYNTZ: 1 << 7,
  IGNORE: 1 << 8, AMPM: 1 << 9, HOUR: 1 << 10, MINUTE: 1 << 11, SECOND: 1 << 12, MILLISECOND: 1 << 13, MICROSECOND: 1 << 14,
  DOY: 1 << 15, DOW: 1 << 16, UNITS: 1 << 17, ADBC: 1 << 18, ISOTIME: 1 << 23, DTZMOD: 1 << 28, UNKNOWN: 1 << 31,
};
const DATE_M = M.YEAR | M.MONTH | M.DAY;
const ALL_SECS_M = M.SECOND | M.MILLISECOND | M.MICROSECOND;
const TIME_M = M.HOUR | M.MINUTE | ALL_SECS_M;
const TYPE_MASK: Record<TokenType, number> = { reserv: M.RESERV, month: M.MONTH, dow: M.DOW, ampm: M.AMPM, adbc: M.ADBC, ignore: M.IGNORE, units: M.UNITS, isotime: M.ISOTIME, dtzmod: M.DTZMOD };

/** struct pg_tm plus fsec (µs) and the day of year */
interface Tm { year: number; mon: number; mday: number; hour: number; min: number; sec: number; fsec: number; yday: number }

// ---------------------------------------------------------------- number helpers

/** strtoint: leading digits → value, end index; ERANGE past int32 */
function strtoint(s: string, start: number): { val: number; end: number; range: boolean } {
  let i = start;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') { neg = s[i] === '-'; i++; }
  const digitsStart = i;
  while (isDigit(s[i])) i++;
  if (i === digitsStart) return { val: 0, end: start, range: false };
  const v = Number(s.slice(digitsStart, i)) * (neg ? -1 : 1);
  return { val: v, end: i, range: v > 2147483647 || v < -2147483648 };
}

/** rint(): halves to even, as C's default rounding */
function rint(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** strtod over a '.digits' tail: the value and how much it consumed */
function strtodFraction(s: string): { val: number; len: number } {
  const m = /^\.\d*(?:[eE][+-]?\d+)?/.exec(s);
  if (!m) return { val: 0, len: 0 };
  return { val: Number(m[0].replace(/^\.(?=[eE]|$)/, '0.')), len: m[0].length };
}

/** ParseFractionalSecond: '.123' → µs; anything after the number is bad */
function parseFractionalSecond(s: string): number {
  const f = strtodFraction(s);
  if (f.len === 0 || f.len !== s.length) fail('bad');
  return rint(f.val * USECS_PER_SEC);
}

// ---------------------------------------------------------------- Decode* helpers

export type DateOrder = 'MDY' | 'DMY' | 'YMD';

interface DecodeState { tm: Tm; is2digits: boolean; order: DateOrder }

/** DecodeNumberField: a run-together date (yyyymmdd, yymmdd…) or time (hhmmss, hhmm); returns which */
function decodeNumberField(str: string, fmask: number, st: DecodeState): { tmask: number; kind: 'date' | 'time' } {
  const { tm } = st;
  const dot = str.indexOf('.');
  if (dot >= 0) {
    const f = strtodFraction(str.slice(dot));
    tm.fsec = rint(f.val * USECS_PER_SEC);
    str = str.slice(0, dot);
  } else if ((fmask & DATE_M) !== DATE_M) {
    if (str.length >= 6) {
      const len = str.length;
      tm.mday = atoi(str.slice(len - 2));
      tm.mon = atoi(str.slice(len - 4, len - 2));
      tm.year = atoi(str.slice(0, len - 4));
      if (len - 4 === 2) st.is2digits = true;
      return { tmask: DATE_M, kind: 'date' };
    }
  }
  if ((fmask & TIME_M) !== TIME_M) {
    if (str.length === 6) {
      tm.sec = atoi(str.slice(4)); tm.min = atoi(str.slice(2, 4)); tm.hour = atoi(str.slice(0, 2));
      return { tmask: TIME_M, kind: 'time' };
    }
    if (str.length === 4) {
      tm.sec = 0; tm.min = atoi(str.slice(2)); tm.hour = atoi(str.slice(0, 2));
      return { tmask: TIME_M, kind: 'time' };
    }
  }
  return fail('bad');
}

function atoi(s: string): number {
  const m = /^\d+/.exec(s);
  return m ? Number(m[0]) : 0;
}

/** DecodeNumber: a plain number, placed by what the fields so far and DateStyle say */
function decodeNumber(str: string, haveTextMonth: boolean, fmask: number, st: DecodeState): number {
  const { tm } = st;
  const flen = str.length;
  const n = strtoint(str, 0);
  if (n.range) fail('overflow');
  if (n.end === 0) fail('bad');
  const val = n.val;
  if (str[n.end] === '.') {
    // more than two digits before the point: a date or run-together time (2001.360, 040506.789)
    if (n.end > 2) return decodeNumberField(str, fmask | DATE_M, st).tmask;
    tm.fsec = parseFractionalSecond(str.slice(n.end));
  } else if (n.end !== str.length) {
    fail('bad');
  }
  // day of year
  if (flen === 3 && (fmask & DATE_M) === M.YEAR && val >= 1 && val <= 366) {
    tm.yday = val;
    return M.DOY | M.MONTH | M.DAY;
  }
  let tmask: number;
  switch (fmask & DATE_M) {
    case 0:
      if (flen >= 3 || st.order === 'YMD') { tmask = M.YEAR; tm.year = val; }
      else if (st.order === 'DMY') { tmask = M.DAY; tm.mday = val; }
      else { tmask = M.MONTH; tm.mon = val; }
      break;
    case M.YEAR:
      tmask = M.MONTH; tm.mon = val;
      break;
    case M.MONTH:
      if (haveTextMonth && (flen >= 3 || st.order === 'YMD')) { tmask = M.YEAR; tm.year = val; }
      else { tmask = M.DAY; tm.mday = val; }
      break;
    case M.YEAR | M.MONTH:
      if (haveTextMonth && flen >= 3 && st.is2digits) {
        // DD-MON-YYYY even in YMD mode: the first number was the day
        tmask = M.DAY; tm.mday = tm.year; tm.year = val; st.is2digits = false;
      } else {
        tmask = M.DAY; tm.mday = val;
      }
      break;
    case M.DAY:
      tmask = M.MONTH; tm.mon = val;
      break;
    case M.MONTH | M.DAY:
      tmask = M.YEAR; tm.year = val;
      break;
    case DATE_M:
      return decodeNumberField(str, fmask, st).tmask;
    default:
      return fail('bad');
  }
  if (tmask === M.YEAR) st.is2digits = flen <= 2;
  return tmask;
}

/** DecodeDate: a field with delimiters ('2024-06-01', 'jan-08-1999', '1999.008') */
function decodeDate(str: string, fmask: number, st: DecodeState): number {
  const parts: string[] = [];
  let i = 0;
  while (i < str.length && parts.length < MAXDATEFIELDS) {
    while (i < str.length && !isAlnum(str[i])) i++;
    if (i >= str.length) fail('bad');
    const start = i;
    if (isDigit(str[i])) while (isDigit(str[i])) i++;
    else if (isAlpha(str[i])) while (isAlpha(str[i])) i++;
    parts.push(str.slice(start, i));
    if (i < str.length) i++; // the separator (or any stray character) ends the part
  }
  let tmask = 0;
  let haveTextMonth = false;
  const pending: Array<string | null> = [...parts];
  for (let k = 0; k < pending.length; k++) {
    const p = pending[k]!;
    if (!isAlpha(p[0])) continue;
    const tok = lookupToken(p);
    if (tok?.type === 'ignore') continue;
    if (tok?.type !== 'month') return fail('bad');
    st.tm.mon = tok.value;
    haveTextMonth = true;
    if (fmask & M.MONTH) fail('bad');
    fmask |= M.MONTH;
    tmask |= M.MONTH;
    pending[k] = null;
  }
  for (const p of pending) {
    if (p === null) continue;
    if (p.length === 0) fail('bad');
    const dmask = decodeNumber(p, haveTextMonth, fmask, st);
    if (fmask & dmask) fail('bad');
    fmask |= dmask;
    tmask |= dmask;
  }
  if ((fmask & ~(M.DOY | M.TZ)) !== DATE_M) fail('bad');
  return tmask;
}

/** DecodeTime: hh:mm[:ss[.fff]] (mm:ss.fff when there is no second colon) */
function decodeTime(str: string, tm: Tm): number {
  let n = strtoint(str, 0);
  if (n.range) fail('overflow');
  tm.hour = n.val;
  if (str[n.end] !== ':') fail('bad');
  n = strtoint(str, n.end + 1);
  if (n.range) fail('overflow');
  tm.min = n.val;
  let cp = n.end;
  if (cp >= str.length) {
    tm.sec = 0; tm.fsec = 0;
  } else if (str[cp] === '.') {
    tm.fsec = parseFractionalSecond(str.slice(cp));
    tm.sec = tm.min; tm.min = tm.hour; tm.hour = 0;
  } else if (str[cp] === ':') {
    n = strtoint(str, cp + 1);
    if (n.range) fail('overflow');
    tm.sec = n.val;
    cp = n.end;
    if (cp >= str.length) tm.fsec = 0;
    else if (str[cp] === '.') tm.fsec = parseFractionalSecond(str.slice(cp));
    else fail('bad');
  } else {
    fail('bad');
  }
  if (tm.hour < 0 || tm.min < 0 || tm.min > 59 || tm.sec < 0 || tm.sec > 60 || tm.fsec < 0 || tm.fsec > USECS_PER_SEC) fail('overflow');
  return TIME_M;
}

/** DecodeTimezone: '+hh', '-hhmm', '+hh:mm[:ss]' → seconds EAST of UTC */
function decodeTimezone(str: string): number {
  if (str[0] !== '+' && str[0] !== '-') fail('bad');
  let n = strtoint(str, 1);
  if (n.range) fail('tz-overflow');
  let hr = n.val, min = 0, sec = 0;
  let cp = n.end;
  if (str[cp] === ':') {
    n = strtoint(str, cp + 1);
    if (n.range) fail('tz-overflow');
    min = n.val; cp = n.end;
    if (str[cp] === ':') {
      n = strtoint(str, cp + 1);
      if (n.range) fail('tz-overflow');
      sec = n.val; cp = n.end;
    }
  } else if (cp >= str.length && str.length > 3) {
    min = hr % 100;
    hr = Math.trunc(hr / 100);
  }
  if (hr < 0 || hr > 15 || min < 0 || min >= 60 || sec < 0 || sec >= 60) fail('tz-overflow');
  let tz = (hr * 60 + min) * 60 + sec;
  if (str[0] === '-') tz = -tz;
  if (cp < str.length) fail('bad');
  return tz;
}

/** ValidateDate: two-digit years, BC, day of year, month and day ranges */
function validateDate(fmask: number, isjulian: boolean, is2digits: boolean, bc: boolean, tm: Tm): void {
  if (fmask & M.YEAR) {
    if (isjulian) {
      // already right
    } else if (bc) {
      if (tm.year <= 0) fail('overflow');
      tm.year = -(tm.year - 1);
    } else if (is2digits) {
      if (tm.year < 0) fail('overflow');
      if (tm.year < 70) tm.year += 2000;
      else if (tm.year < 100) tm.year += 1900;
    } else if (tm.year <= 0) {
      fail('overflow');
    }
  }
  if (fmask & M.DOY) {
    const c = civilFromDays(daysFromCivil(tm.year, 1, 1) + tm.yday - 1);
    tm.year = c.y; tm.mon = c.m; tm.mday = c.d;
  }
  if ((fmask & M.MONTH) && (tm.mon < 1 || tm.mon > 12)) fail('md-overflow');
  if ((fmask & M.DAY) && (tm.mday < 1 || tm.mday > 31)) fail('md-overflow');
  if ((fmask & DATE_M) === DATE_M && tm.mday > daysInMonth(tm.year, tm.mon)) fail('overflow');
}

/** time_overflows */
function timeOverflows(tm: Tm): boolean {
  if (tm.hour < 0 || tm.min < 0 || tm.min > 59 || tm.sec < 0 || tm.sec > 60) return true;
  return ((tm.hour * 60 + tm.min) * 60 + tm.sec) * USECS_PER_SEC + tm.fsec > USECS_PER_DAY;
}

/** Julian day number → calendar (j2date) */
function j2date(jd: number, tm: Tm): void {
  const c = civilFromDays(jd - 2440588);
  tm.year = c.y; tm.mon = c.m; tm.mday = c.d;
}

// ---------------------------------------------------------------- decode context and result

/** What decoding needs from the zone machinery and the clock (datetime.ts supplies it). */
export interface DecodeContext {
  order: DateOrder;
  /** false for plain time input that rejects zones (never in PostgreSQL 15: all callers pass tzp) */
  nowMicros: number;
  sessionZone: string;
  /** pg_tzset: is this (lower-cased) a zone name? */
  isZoneName(name: string): boolean;
  /** DetermineTimeZoneOffset: seconds east for a local wall-clock time in a named zone */
  zoneOffsetForLocal(localMicros: number, zone: string): number;
  /** pg_get_timezone_offset: the zone's offset if it never changes */
  fixedZoneOffset(zone: string): number | undefined;
  /** seconds east for a local time and an abbreviation (fixed or dynamic) */
  abbrevOffsetForLocal(localMicros: number, abbrev: TzAbbrev): number;
  /** UTC µs → local µs in the session zone */
  utcToSessionLocal(utcMicros: number): number;
}

export type DType = 'date' | 'epoch' | 'late' | 'early';
export interface Decoded {
  dtype: DType;
  tm: Tm;
  /** seconds EAST of UTC: given in the text, or the session zone's at that local time */
  tz: number;
}

function newTm(): Tm {
  return { year: 0, mon: 0, mday: 0, hour: 0, min: 0, sec: 0, fsec: 0, yday: 0 };
}

function localMicrosOf(tm: Tm): number {
  return daysFromCivil(tm.year, tm.mon, tm.mday) * USECS_PER_DAY + ((tm.hour * 60 + tm.min) * 60 + tm.sec) * USECS_PER_SEC + tm.fsec;
}

function zoneNotRecognized(name: string): SqlError {
  return new SqlError(SqlState.invalidParameterValue, `time zone "${name}" not recognized`);
}

/** the current local date/time in the session zone (GetCurrentDateTime / GetCurrentTimeUsec) */
function currentTm(ctx: DecodeContext, tm: Tm): number {
  const local = ctx.utcToSessionLocal(ctx.nowMicros);
  const days = Math.floor(local / USECS_PER_DAY);
  const c = civilFromDays(days);
  let tod = local - days * USECS_PER_DAY;
  tm.year = c.y; tm.mon = c.m; tm.mday = c.d;
  tm.hour = Math.floor(tod / 3_600_000_000); tod -= tm.hour * 3_600_000_000;
  tm.min = Math.floor(tod / 60_000_000); tod -= tm.min * 60_000_000;
  tm.sec = Math.floor(tod / USECS_PER_SEC); tm.fsec = tod - tm.sec * USECS_PER_SEC;
  return Math.round((local - ctx.nowMicros) / USECS_PER_SEC);
}

/** the value of a fixed abbreviation, or undefined to resolve a dynamic one at the end */
function abbrevToken(field: string): TzAbbrev | undefined {
  return tzAbbrev(field);
}

/** the ptype ('prefix type') branch shared by both decoders: 'y2001m02d04', 'j2451187', 't040506' */
function decodePrefixed(ptype: Unit, field: string, fmask: number, st: DecodeState, setTz: (tz: number) => void, onJulian: () => void): number {
  const { tm } = st;
  const n = strtoint(field, 0);
  if (n.range) fail('overflow');
  const val = n.val;
  const rest = field.slice(n.end);
  if (rest[0] === '.') {
    if (ptype !== 'julian' && ptype !== 'time' && ptype !== 'second') fail('bad');
  } else if (rest.length > 0) {
    fail('bad');
  }
  switch (ptype) {
    case 'year': tm.year = val; return M.YEAR;
    case 'month':
      if ((fmask & M.MONTH) && (fmask & M.HOUR)) { tm.min = val; return M.MINUTE; }
      tm.mon = val; return M.MONTH;
    case 'day': tm.mday = val; return M.DAY;
    case 'hour': tm.hour = val; return M.HOUR;
    case 'minute': tm.min = val; return M.MINUTE;
    case 'second':
      tm.sec = val;
      if (rest[0] === '.') { tm.fsec = parseFractionalSecond(rest); return ALL_SECS_M; }
      return M.SECOND;
    case 'julian': {
      if (val < 0) fail('overflow');
      j2date(val, tm);
      onJulian();
      let tmask = DATE_M;
      if (rest[0] === '.') {
        const f = strtodFraction(rest);
        if (f.len !== rest.length) fail('bad');
        let t = Math.round(f.val * USECS_PER_DAY);
        tm.hour = Math.floor(t / 3_600_000_000); t -= tm.hour * 3_600_000_000;
        tm.min = Math.floor(t / 60_000_000); t -= tm.min * 60_000_000;
        tm.sec = Math.floor(t / USECS_PER_SEC); tm.fsec = t - tm.sec * USECS_PER_SEC;
        tmask |= TIME_M;
      }
      return tmask;
    }
    case 'time': {
      const r = decodeNumberField(field, fmask | DATE_M, st);
      if (r.tmask !== TIME_M) fail('bad');
      return r.tmask;
    }
    default:
      void setTz;
      return fail('bad');
  }
}

/** DecodeDateTime: date, timestamp and timestamptz input */
export function decodeDateTime(fields: Field[], ctx: DecodeContext): Decoded {
  const st: DecodeState = { tm: newTm(), is2digits: false, order: ctx.order };
  const { tm } = st;
  let fmask = 0;
  let ptype: Unit | undefined;
  let mer: 'am' | 'pm' | undefined;
  let haveTextMonth = false, isjulian = false, bc = false;
  let dtype: DType = 'date';
  let tz = 0;
  let namedTz: string | undefined;
  let dynAbbrev: TzAbbrev | undefined;
  const nf = fields.length;
  for (let i = 0; i < nf; i++) {
    const { text: field, type } = fields[i]!;
    let tmask = 0;
    switch (type) {
      case 'date':
        if (ptype === 'julian') {
          // integral Julian day with an attached zone
          const n = strtoint(field, 0);
          if (n.range || n.val < 0) fail('overflow');
          j2date(n.val, tm);
          isjulian = true;
          tz = decodeTimezone(field.slice(n.end));
          tmask = DATE_M | TIME_M | M.TZ;
          ptype = undefined;
        } else if (ptype !== undefined || (fmask & (M.MONTH | M.DAY)) === (M.MONTH | M.DAY)) {
          // a date already: a zone name ('america/new_york') or a run-together time with zone (hhmmss-zz)
          if (isDigit(field[0]) || ptype !== undefined) {
            if (ptype !== undefined) {
              if (ptype !== 'time') fail('bad');
              ptype = undefined;
            }
            if ((fmask & TIME_M) === TIME_M) fail('bad');
            const dash = field.indexOf('-');
            if (dash < 0) fail('bad');
            tz = decodeTimezone(field.slice(dash));
            tmask = decodeNumberField(field.slice(0, dash), fmask, st).tmask | M.TZ;
          } else {
            if (!ctx.isZoneName(field)) throw zoneNotRecognized(field);
            namedTz = field;
            tmask = M.TZ;
          }
        } else {
          tmask = decodeDate(field, fmask, st);
        }
        break;
      case 'time':
        if (ptype !== undefined) {
          if (ptype !== 'time') fail('bad');
          ptype = undefined;
        }
        tmask = decodeTime(field, tm);
        if (timeOverflows(tm)) fail('overflow');
        break;
      case 'tz':
        tz = decodeTimezone(field);
        tmask = M.TZ;
        break;
      case 'number':
        if (ptype !== undefined) {
          tmask = decodePrefixed(ptype, field, fmask, st, (v) => { tz = v; }, () => { isjulian = true; });
          ptype = undefined;
          dtype = 'date'; // as datetime.c: a labelled field makes even 'epoch J2451187' a date
        } else {
          const flen = field.length;
          const dot = field.indexOf('.');
          if (dot >= 0 && !(fmask & DATE_M)) tmask = decodeDate(field, fmask, st);
          else if (dot >= 0 && dot > 2) tmask = decodeNumberField(field, fmask, st).tmask;
          // six digits or more: YMD or HMS unless both are there already (so 6+ digit years come last)
          else if (flen >= 6 && (!(fmask & DATE_M) || !(fmask & TIME_M))) tmask = decodeNumberField(field, fmask, st).tmask;
          else tmask = decodeNumber(field, haveTextMonth, fmask, st);
        }
        break;
      case 'string':
      case 'special': {
        // zone abbreviations take precedence over the built-in words
        const abbrev = abbrevToken(field);
        if (abbrev) {
          if (abbrev.zone === undefined) {
            tmask = abbrev.isDst ? M.DTZ | M.TZ : M.TZ;
            tz = abbrev.offset;
          } else {
            tmask = M.TZ;
            dynAbbrev = abbrev;
          }
          break;
        }
        const tok = lookupToken(field);
        if (!tok) {
          // an all-alpha zone name
          if (!ctx.isZoneName(field)) fail('bad');
          namedTz = field;
          tmask = M.TZ;
          break;
        }
        if (tok.type === 'ignore') continue;
        tmask = TYPE_MASK[tok.type];
        switch (tok.type) {
          case 'reserv':
            switch (tok.value) {
              case 'now':
                tmask = DATE_M | TIME_M | M.TZ;
                dtype = 'date';
                tz = currentTm(ctx, tm);
                break;
              case 'yesterday': case 'today': case 'tomorrow': {
                tmask = DATE_M;
                dtype = 'date';
                const cur = newTm();
                currentTm(ctx, cur);
                const c = civilFromDays(daysFromCivil(cur.year, cur.mon, cur.mday) + (tok.value === 'yesterday' ? -1 : tok.value === 'tomorrow' ? 1 : 0));
                tm.year = c.y; tm.mon = c.m; tm.mday = c.d;
                break;
              }
              case 'zulu':
                tmask = TIME_M | M.TZ;
                dtype = 'date';
                tm.hour = 0; tm.min = 0; tm.sec = 0;
                tz = 0;
                break;
              default: // epoch, infinity, -infinity: the other fields are read but ignored
                dtype = tok.value as DType;
            }
            break;
          case 'month':
            // a numeric "month" already and no day: it was the day ('1 June 2024')
            if ((fmask & M.MONTH) && !haveTextMonth && !(fmask & M.DAY) && tm.mon >= 1 && tm.mon <= 31) {
              tm.mday = tm.mon;
              tmask = M.DAY;
            }
            haveTextMonth = true;
            tm.mon = tok.value;
            break;
          case 'dtzmod':
            tmask |= M.DTZ;
            tz += tok.value;
            break;
          case 'ampm': mer = tok.value === 0 ? 'am' : 'pm'; break;
          case 'adbc': bc = tok.value === 1; break;
          case 'dow': break;
          case 'units':
            tmask = 0;
            ptype = tok.value;
            break;
          case 'isotime': {
            tmask = 0;
            if ((fmask & DATE_M) !== DATE_M) fail('bad');
            const next = fields[i + 1]?.type;
            if (i >= nf - 1 || (next !== 'number' && next !== 'time' && next !== 'date')) fail('bad');
            ptype = tok.value;
            break;
          }
          default: fail('bad');
        }
        break;
      }
      default:
        fail('bad');
    }
    if (tmask & fmask) fail('bad');
    fmask |= tmask;
  }
  validateDate(fmask, isjulian, st.is2digits, bc, tm);
  if (mer !== undefined && tm.hour > 12) fail('overflow');
  if (mer === 'am' && tm.hour === 12) tm.hour = 0;
  else if (mer === 'pm' && tm.hour !== 12) tm.hour += 12;
  if (dtype === 'date') {
    if ((fmask & DATE_M) !== DATE_M) fail('bad');
    if (namedTz !== undefined) {
      if (fmask & M.DTZMOD) fail('bad');
      tz = ctx.zoneOffsetForLocal(localMicrosOf(tm), namedTz);
    }
    if (dynAbbrev !== undefined) {
      if (fmask & M.DTZMOD) fail('bad');
      tz = ctx.abbrevOffsetForLocal(localMicrosOf(tm), dynAbbrev);
    }
    if (!(fmask & M.TZ)) {
      if (fmask & M.DTZMOD) fail('bad');
      tz = ctx.zoneOffsetForLocal(localMicrosOf(tm), ctx.sessionZone);
    }
  }
  return { dtype, tm, tz };
}

/** DecodeTimeOnly: time (and time with time zone) input; a date is allowed in a few places */
export function decodeTimeOnly(fields: Field[], ctx: DecodeContext): Decoded {
  const st: DecodeState = { tm: newTm(), is2digits: false, order: ctx.order };
  const { tm } = st;
  let fmask = 0;
  let ptype: Unit | undefined;
  let mer: 'am' | 'pm' | undefined;
  let isjulian = false, bc = false;
  let tz = 0;
  let namedTz: string | undefined;
  let dynAbbrev: TzAbbrev | undefined;
  const nf = fields.length;
  const types = fields.map((f) => f.type);
  for (let i = 0; i < nf; i++) {
    const field = fields[i]!.text;
    let tmask = 0;
    switch (types[i]) {
      case 'date':
        if (i === 0 && nf >= 2 && (types[nf - 1] === 'date' || types[1] === 'time')) {
          tmask = decodeDate(field, fmask, st);
        } else if (isDigit(field[0])) {
          if ((fmask & TIME_M) === TIME_M) fail('bad');
          const dash = field.indexOf('-');
          if (dash < 0) fail('bad');
          tz = decodeTimezone(field.slice(dash));
          const r = decodeNumberField(field.slice(0, dash), fmask | DATE_M, st);
          types[i] = r.kind;
          tmask = r.tmask | M.TZ;
        } else {
          if (!ctx.isZoneName(field)) throw zoneNotRecognized(field);
          namedTz = field;
          types[i] = 'tz';
          tmask = M.TZ;
        }
        break;
      case 'time':
        tmask = decodeTime(field, tm); // DecodeTimeOnly leaves a pending label alone here
        break;
      case 'tz':
        tz = decodeTimezone(field);
        tmask = M.TZ;
        break;
      case 'number':
        if (ptype !== undefined) {
          tmask = decodePrefixed(ptype, field, fmask, st, (v) => { tz = v; }, () => { isjulian = true; });
          ptype = undefined;
        } else {
          const flen = field.length;
          const dot = field.indexOf('.');
          if (dot >= 0) {
            if (i === 0 && nf >= 2 && types[nf - 1] === 'date') tmask = decodeDate(field, fmask, st);
            else if (dot > 2) { const r = decodeNumberField(field, fmask | DATE_M, st); types[i] = r.kind; tmask = r.tmask; }
            else fail('bad');
          } else if (flen > 4) {
            const r = decodeNumberField(field, fmask | DATE_M, st);
            types[i] = r.kind;
            tmask = r.tmask;
          } else {
            tmask = decodeNumber(field, false, fmask | DATE_M, st);
          }
        }
        break;
      case 'string':
      case 'special': {
        const abbrev = abbrevToken(field);
        if (abbrev) {
          if (abbrev.zone === undefined) { tmask = abbrev.isDst ? M.DTZ | M.TZ : M.TZ; tz = abbrev.offset; }
          else { tmask = M.TZ; dynAbbrev = abbrev; }
          types[i] = 'tz';
          break;
        }
        const tok = lookupToken(field);
        if (!tok) {
          if (!ctx.isZoneName(field)) fail('bad');
          namedTz = field;
          tmask = M.TZ;
          break;
        }
        if (tok.type === 'ignore') continue;
        tmask = TYPE_MASK[tok.type];
        switch (tok.type) {
          case 'reserv':
            if (tok.value === 'now') {
              tmask = TIME_M;
              currentTm(ctx, tm);
            } else if (tok.value === 'zulu') {
              tmask = TIME_M | M.TZ;
              tm.hour = 0; tm.min = 0; tm.sec = 0;
            } else {
              fail('bad');
            }
            break;
          case 'dtzmod': tmask |= M.DTZ; tz += tok.value; break;
          case 'ampm': mer = tok.value === 0 ? 'am' : 'pm'; break;
          case 'adbc': bc = tok.value === 1; break;
          case 'units':
            tmask = 0;
            ptype = tok.value;
            break;
          case 'isotime': {
            tmask = 0;
            const next = types[i + 1];
            if (i >= nf - 1 || (next !== 'number' && next !== 'time' && next !== 'date')) fail('bad');
            ptype = tok.value;
            break;
          }
          default: fail('bad');
        }
        break;
      }
      default:
        fail('bad');
    }
    if (tmask & fmask) fail('bad');
    fmask |= tmask;
  }
  validateDate(fmask, isjulian, st.is2digits, bc, tm);
  if (mer !== undefined && tm.hour > 12) fail('overflow');
  if (mer === 'am' && tm.hour === 12) tm.hour = 0;
  else if (mer === 'pm' && tm.hour !== 12) tm.hour += 12;
  if (timeOverflows(tm)) fail('overflow');
  if ((fmask & TIME_M) !== TIME_M) fail('bad');
  if (namedTz !== undefined) {
    if (fmask & M.DTZMOD) fail('bad');
    const fixed = ctx.fixedZoneOffset(namedTz);
    if (fixed !== undefined) tz = fixed;
    else {
      if ((fmask & DATE_M) !== DATE_M) fail('bad');
      tz = ctx.zoneOffsetForLocal(localMicrosOf(tm), namedTz);
    }
  }
  if (!(fmask & M.TZ)) {
    // the session zone would need the date: none (today's) or a whole one
    if (fmask & M.DTZMOD) fail('bad');
    if ((fmask & DATE_M) !== 0 && (fmask & DATE_M) !== DATE_M) fail('bad');
  }
  if (dynAbbrev !== undefined) {
    if (fmask & M.DTZMOD) fail('bad');
    if ((fmask & DATE_M) !== DATE_M) {
      const cur = newTm();
      currentTm(ctx, cur);
      tm.year = cur.year; tm.mon = cur.mon; tm.mday = cur.mday;
    }
    tz = ctx.abbrevOffsetForLocal(localMicrosOf(tm), dynAbbrev);
  }
  return { dtype: 'date', tm, tz };
}

// ---------------------------------------------------------------- the *_in entry points

/** Julian day numbers: the Unix epoch, the first day past the date range */
const UNIX_EPOCH_JD = 2440588;
const DATE_END_JD = 2147483494;
const MIN_TIMESTAMP = -211813488000000000n + 946684800000000n; // 4714-11-24 BC 00:00 UTC, Unix µs
const END_TIMESTAMP = 9223371331200000000n + 946684800000000n; // 294277-01-01 00:00 UTC, Unix µs

/** IS_VALID_JULIAN: checks year and month only (the day is left to the range checks after it) */
const FAR_FROM_ENDS_LOW = Number(MIN_TIMESTAMP) + 1e12;
const FAR_FROM_ENDS_HIGH = Number(END_TIMESTAMP) - 1e12;

function isValidJulian(tm: Tm): boolean {
  const { year: y, mon: m } = tm;
  return (y > -4713 || (y === -4713 && m >= 11)) && (y < 5874898 || (y === 5874898 && m < 6));
}

function decodeWith(text: string, typeName: string, ctx: DecodeContext, decode: (f: Field[], c: DecodeContext) => Decoded): Decoded {
  try {
    return decode(parseDateTimeFields(text), ctx);
  } catch (e) {
    if (e instanceof DecodeError) throw parseError(e.kind, text, typeName);
    throw e;
  }
}

/** date_in: days since 1970-01-01 (±Infinity for infinity) */
export function dateIn(text: string, ctx: DecodeContext): number {
  const r = decodeWith(text, 'date', ctx, decodeDateTime);
  switch (r.dtype) {
    case 'late': return Infinity;
    case 'early': return -Infinity;
    case 'epoch': return 0;
  }
  if (!isValidJulian(r.tm)) throw new SqlError(SqlState.datetimeFieldOverflow, `date out of range: "${text}"`);
  const days = daysFromCivil(r.tm.year, r.tm.mon, r.tm.mday);
  if (days + UNIX_EPOCH_JD < 0 || days + UNIX_EPOCH_JD >= DATE_END_JD) throw new SqlError(SqlState.datetimeFieldOverflow, `date out of range: "${text}"`);
  return days;
}

/** time_in: µs since midnight */
export function timeIn(text: string, ctx: DecodeContext): number {
  const r = decodeWith(text, 'time', ctx, decodeTimeOnly);
  return ((r.tm.hour * 60 + r.tm.min) * 60 + r.tm.sec) * USECS_PER_SEC + r.tm.fsec;
}

/** timestamp_in / timestamptz_in: Unix µs (local for timestamp, UTC for timestamptz) */
export function timestampIn(text: string, ctx: DecodeContext, withZone: boolean): number {
  const r = decodeWith(text, withZone ? 'timestamp with time zone' : 'timestamp', ctx, decodeDateTime);
  switch (r.dtype) {
    case 'late': return Infinity;
    case 'early': return -Infinity;
    case 'epoch': return 0;
  }
  const outOfRange = (): SqlError => new SqlError(SqlState.datetimeFieldOverflow, `timestamp out of range: "${text}"`);
  if (!isValidJulian(r.tm)) throw outOfRange();
  const { tm } = r;
  const approx = localMicrosOf(tm) - (withZone ? r.tz * USECS_PER_SEC : 0);
  if (approx > FAR_FROM_ENDS_LOW && approx < FAR_FROM_ENDS_HIGH) return approx;
  // near the ends the range check needs exact integers: a double has no microseconds left there
  const exact = BigInt(daysFromCivil(tm.year, tm.mon, tm.mday)) * BigInt(USECS_PER_DAY)
    + BigInt((tm.hour * 60 + tm.min) * 60 + tm.sec - (withZone ? r.tz : 0)) * BigInt(USECS_PER_SEC) + BigInt(tm.fsec);
  if (exact < MIN_TIMESTAMP || exact >= END_TIMESTAMP) throw outOfRange();
  return Number(exact);
}
