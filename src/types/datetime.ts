/**
 * date, time, timestamp, timestamptz and interval: PostgreSQL input (ISO forms clients send,
 * special words) and output (DateStyle ISO, IntervalStyle postgres), session time zones
 * ('UTC', POSIX-style offsets like '+05:30' — which PostgreSQL reads as 5:30 WEST of UTC —
 * and IANA names through Intl), and the calendar arithmetic used by operators.
 *
 * Representation (see types.ts): date = days since 1970-01-01, time = µs since midnight,
 * timestamp[tz] = µs since 1970-01-01 00:00 UTC, ±Infinity for 'infinity'.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Interval } from './types.js';
import { civilFromDays, daysFromCivil, daysInMonth } from './calendar.js';
import { dateIn, timeIn, timestampIn, type DecodeContext } from './datetime-parse.js';
import { localTimeTypeAt, parsePosixTz, posixTypeAt, systemZoneNames, tzAbbrev, tzAbbrevTypeAt, zoneRules, type LocalTimeType } from './tzif.js';

export const USECS_PER_SEC = 1_000_000;
export const USECS_PER_MINUTE = 60 * USECS_PER_SEC;
export const USECS_PER_HOUR = 60 * USECS_PER_MINUTE;
export const USECS_PER_DAY = 24 * USECS_PER_HOUR;

// ---------------------------------------------------------------- calendar

export { civilFromDays, daysFromCivil, daysInMonth, isLeap } from './calendar.js';

// ---------------------------------------------------------------- time zones

const dtfCache = new Map<string, Intl.DateTimeFormat>();

function intlFormatter(zone: string): Intl.DateTimeFormat | undefined {
  let f = dtfCache.get(zone);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short' });
  } catch {
    return undefined;
  }
  dtfCache.set(zone, f);
  return f;
}

/**
 * POSIX TZ spec → seconds EAST of UTC (POSIX signs are inverted): '+05:30', '-8', 'UTC+3',
 * '<+05>-05' (PostgreSQL's name for SET TIME ZONE 5), 'FOO-2'. With `allowDst` a trailing
 * daylight-saving part ('FOO5BAR') is accepted and ignored (its rules are not modelled).
 */
function posixOffset(zone: string, allowDst = false): number | undefined {
  const m = /^(?:<[A-Za-z0-9+-]*>|[A-Za-z]*)([+-]?)(\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2}))?(.*)$/.exec(zone);
  if (!m) return undefined;
  if (m[5] !== '' && !(allowDst && /^(?:<[A-Za-z0-9+-]+>|[A-Za-z]{3,})/.test(m[5]))) return undefined;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? secs : -secs;
}

export function isValidTimeZone(zone: string): boolean {
  return zoneOffsetAt(zone, 0) !== undefined;
}

/**
 * The local time type of `zone` at the UTC instant `utcMicros`, as PostgreSQL's pg_tzset finds
 * it: a zone of the system database (any case, 'posix/' prefix too), else a POSIX TZ string with
 * daylight-saving rules; undefined for a fixed offset or an unknown name.
 */
function zoneTypeAt(zone: string, utcMicros: number): LocalTimeType | undefined {
  const rules = zoneRules(zone);
  const seconds = Math.floor(utcMicros / USECS_PER_SEC);
  if (rules) return localTimeTypeAt(rules, seconds);
  const posix = /^[A-Za-z<]/.test(zone) ? parsePosixTz(zone) : undefined;
  return posix?.dst ? posixTypeAt(posix, seconds) : undefined;
}

/** offset (seconds east of UTC) of `zone` at the UTC instant `utcMicros` */
export function zoneOffsetAt(zone: string, utcMicros: number): number | undefined {
  let z = zone.trim();
  const lz = z.toLowerCase();
  if (lz === 'utc' || lz === 'gmt' || lz === 'z' || lz === 'zulu' || lz === 'etc/utc' || lz === 'universal' || lz === 'uct' || lz === 'factory') return 0;
  const p = posixOffset(z);
  if (p !== undefined) return p;
  const type = zoneTypeAt(z, utcMicros);
  if (type) return type.offset;
  // no system time zone database here: the runtime's (ICU) data
  if (lz.startsWith('posix/')) z = z.slice(6);
  const f = intlFormatter(z) ?? (lz === 'localtime' || lz === 'posixrules' ? intlFormatter(lz === 'posixrules' ? 'America/New_York' : 'UTC') : undefined);
  if (!f) return posixOffset(z, true);
  // Intl handles years 1..275760; clamp far instants to the edge of that range
  const ms = Math.min(Math.max(Math.floor(utcMicros / 1000), -62135596800000), 8.64e15);
  const parts = f.formatToParts(new Date(ms));
  const get = (t: string): number => Number(parts.find((x) => x.type === t)?.value ?? 0);
  let year = get('year');
  if (parts.find((x) => x.type === 'era')?.value === 'BC') year = 1 - year;
  const local = daysFromCivil(year, get('month'), get('day')) * 86400 + get('hour') * 3600 + get('minute') * 60 + get('second');
  return local - Math.floor(ms / 1000);
}

function offsetOrUtc(zone: string, utcMicros: number): number {
  return zoneOffsetAt(zone, utcMicros) ?? 0;
}

/**
 * local wall-clock µs in `zone` → UTC µs. Like PostgreSQL's DetermineTimeZoneOffset, a time
 * that is skipped (spring forward) or repeated (fall back) takes the later UTC instant: the
 * smaller of the two offsets around the transition.
 */
export function localToUtc(localMicros: number, zone: string): number {
  if (!Number.isFinite(localMicros)) return localMicros;
  const day = USECS_PER_DAY;
  const candidates = new Set([offsetOrUtc(zone, localMicros - day), offsetOrUtc(zone, localMicros), offsetOrUtc(zone, localMicros + day)]);
  if (candidates.size === 1) return localMicros - [...candidates][0]! * USECS_PER_SEC;
  const valid = [...candidates].filter((o) => offsetOrUtc(zone, localMicros - o * USECS_PER_SEC) === o);
  const off = Math.min(...(valid.length > 0 ? valid : [...candidates]));
  return localMicros - off * USECS_PER_SEC;
}

const abbrevCache = new Map<string, Intl.DateTimeFormat | null>();
function abbrevFormatter(zone: string, locale: string): Intl.DateTimeFormat | null {
  const k = locale + '|' + zone;
  let f = abbrevCache.get(k);
  if (f !== undefined) return f;
  try {
    f = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' });
  } catch {
    f = null;
  }
  abbrevCache.set(k, f);
  return f;
}

/** the zone abbreviation in effect at `utcMicros` ('UTC', 'EDT', 'CEST', '+05'), as %Z prints it */
export function zoneAbbrevAt(zone: string, utcMicros: number): string {
  const z = zone.trim();
  const lz = z.toLowerCase();
  const type = zoneTypeAt(z, utcMicros);
  if (type) return type.abbrev;
  if (['utc', 'etc/utc', 'universal', 'zulu', 'uct', 'etc/universal', 'etc/zulu', 'etc/uct'].includes(lz)) return 'UTC';
  if (['gmt', 'etc/gmt', 'greenwich', 'gmt0', 'gmt+0', 'gmt-0'].includes(lz)) return 'GMT';
  const off = offsetOrUtc(zone, utcMicros);
  const numeric = (): string => {
    const a = Math.abs(off);
    const h = Math.floor(a / 3600), m = Math.floor((a % 3600) / 60);
    return (off < 0 ? '-' : '+') + pad2(h) + (m ? pad2(m) : '');
  };
  const posix = /^(?:<([A-Za-z0-9+-]*)>|([A-Za-z]+))[+-]?\d/.exec(z);
  if (posix && posixOffset(z, true) !== undefined && intlFormatter(z) === undefined) return posix[1] ?? posix[2]!;
  const ms = Math.min(Math.max(Math.floor(utcMicros / 1000), -62135596800000), 8.64e15);
  for (const locale of ['en-US', 'en-GB', 'en-IN', 'en-AU', 'ja-JP-u-ca-gregory']) {
    const f = abbrevFormatter(lz.startsWith('posix/') ? z.slice(6) : z, locale);
    if (!f) break;
    const name = f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (/^[A-Z]{2,5}$/.test(name) && !/^GMT|^UTC/.test(name)) return name;
  }
  return numeric();
}

export function utcToLocal(utcMicros: number, zone: string): number {
  if (!Number.isFinite(utcMicros)) return utcMicros;
  return utcMicros + offsetOrUtc(zone, utcMicros) * USECS_PER_SEC;
}

/**
 * A zone written in a value or after AT TIME ZONE: PostgreSQL looks it up among the time zone
 * abbreviations first (so 'CET' is always +01 there, while SET TIME ZONE 'CET' follows the
 * zone's summer time), then as a zone name.
 */
export function isZoneOrAbbrev(zone: string): boolean {
  return tzAbbrev(zone.trim()) !== undefined || isValidTimeZone(zone);
}

/**
 * The zone date_trunc(…, zone) works in: a fixed abbreviation as a fixed-offset zone, a dynamic
 * one as its own zone, else the name (timestamptz_trunc_zone).
 */
export function zoneOfAbbrevOrName(zone: string): string {
  const a = tzAbbrev(zone.trim());
  if (!a) return zone;
  if (a.zone !== undefined) return a.zone;
  const h = Math.floor(Math.abs(a.offset) / 3600), m = Math.floor((Math.abs(a.offset) % 3600) / 60), sec = Math.abs(a.offset) % 60;
  return `<>${a.offset > 0 ? '-' : '+'}${h}:${pad2(m)}:${pad2(sec)}`; // POSIX: hours WEST of UTC
}

/** UTC µs → local µs in a zone or abbreviation (timestamptz_zone) */
export function utcToLocalIn(utcMicros: number, zone: string): number {
  const a = Number.isFinite(utcMicros) ? tzAbbrev(zone.trim()) : undefined;
  if (!a) return utcToLocal(utcMicros, zone);
  return utcMicros + tzAbbrevTypeAt(a, Math.floor(utcMicros / USECS_PER_SEC)).offset * USECS_PER_SEC;
}

/** local µs in a zone or abbreviation → UTC µs (timestamp_zone, timestamptz input) */
export function localToUtcIn(localMicros: number, zone: string): number {
  const a = Number.isFinite(localMicros) ? tzAbbrev(zone.trim()) : undefined;
  if (!a) return localToUtc(localMicros, zone);
  // a dynamic abbreviation: its meaning at the instant the local time has in its zone
  const at = a.zone === undefined ? 0 : localToUtc(localMicros, a.zone);
  return localMicros - tzAbbrevTypeAt(a, Math.floor(at / USECS_PER_SEC)).offset * USECS_PER_SEC;
}

// ---------------------------------------------------------------- output

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

function fracPart(us: number): string {
  if (us === 0) return '';
  return '.' + String(us).padStart(6, '0').replace(/0+$/, '');
}

/** DateStyle output: 'ISO' | 'SQL' | 'Postgres' | 'German' and the field order */
interface DateStyleParts { style: string; order: DateOrder }
function dateStyleParts(dateStyle: string | undefined): DateStyleParts {
  const [style = 'ISO'] = (dateStyle ?? 'ISO, MDY').split(',').map((p) => p.trim());
  return { style, order: dateOrderOf(dateStyle) };
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** EncodeDateOnly */
function encodeDate(y: number, m: number, d: number, ds: DateStyleParts): string {
  const bc = y <= 0;
  const yy = String(bc ? 1 - y : y).padStart(4, '0');
  let text: string;
  switch (ds.style) {
    case 'SQL': text = ds.order === 'DMY' ? `${pad2(d)}/${pad2(m)}/${yy}` : `${pad2(m)}/${pad2(d)}/${yy}`; break;
    case 'German': text = `${pad2(d)}.${pad2(m)}.${yy}`; break;
    case 'Postgres': text = ds.order === 'DMY' ? `${pad2(d)}-${pad2(m)}-${yy}` : `${pad2(m)}-${pad2(d)}-${yy}`; break;
    default: text = `${yy}-${pad2(m)}-${pad2(d)}`;
  }
  return text + (bc ? ' BC' : '');
}

export function formatDate(days: number, dateStyle?: string): string {
  if (days === Infinity) return 'infinity';
  if (days === -Infinity) return '-infinity';
  const { y, m, d } = civilFromDays(days);
  return encodeDate(y, m, d, dateStyleParts(dateStyle));
}

export function formatTime(us: number): string {
  const h = Math.floor(us / USECS_PER_HOUR);
  const mi = Math.floor((us % USECS_PER_HOUR) / USECS_PER_MINUTE);
  const s = Math.floor((us % USECS_PER_MINUTE) / USECS_PER_SEC);
  return `${pad2(h)}:${pad2(mi)}:${pad2(s)}${fracPart(us % USECS_PER_SEC)}`;
}

/** EncodeDateTime for a local time; `zone` adds the offset (ISO) or abbreviation (other styles) */
function encodeDateTime(local: number, ds: DateStyleParts, zone?: { offset: number; abbrev: () => string }): string {
  const days = Math.floor(local / USECS_PER_DAY);
  const tod = local - days * USECS_PER_DAY;
  const { y, m, d } = civilFromDays(days);
  const bc = y <= 0;
  const yy = String(bc ? 1 - y : y).padStart(4, '0');
  const time = formatTime(tod);
  let out: string;
  switch (ds.style) {
    case 'SQL':
    case 'German': {
      const date = ds.style === 'German' ? `${pad2(d)}.${pad2(m)}.${yy}` : ds.order === 'DMY' ? `${pad2(d)}/${pad2(m)}/${yy}` : `${pad2(m)}/${pad2(d)}/${yy}`;
      out = `${date} ${time}${zone ? ' ' + zone.abbrev() : ''}`;
      break;
    }
    case 'Postgres': {
      const dow = DAY_NAMES[((days % 7) + 11) % 7]!;
      const md = ds.order === 'DMY' ? `${pad2(d)} ${MONTH_NAMES[m - 1]}` : `${MONTH_NAMES[m - 1]} ${pad2(d)}`;
      out = `${dow} ${md} ${time} ${yy}${zone ? ' ' + zone.abbrev() : ''}`;
      break;
    }
    default:
      out = `${yy}-${pad2(m)}-${pad2(d)} ${time}${zone ? formatOffset(zone.offset) : ''}`;
  }
  return out + (bc ? ' BC' : '');
}

export function formatTimestamp(us: number, dateStyle?: string): string {
  if (us === Infinity) return 'infinity';
  if (us === -Infinity) return '-infinity';
  return encodeDateTime(us, dateStyleParts(dateStyle));
}

function formatOffset(off: number): string {
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const h = Math.floor(a / 3600), mi = Math.floor((a % 3600) / 60), s = a % 60;
  return sign + pad2(h) + (mi || s ? ':' + pad2(mi) : '') + (s ? ':' + pad2(s) : '');
}

export function formatTimestamptz(us: number, zone = 'UTC', dateStyle?: string): string {
  if (!Number.isFinite(us)) return formatTimestamp(us);
  const off = offsetOrUtc(zone, us);
  return encodeDateTime(us + off * USECS_PER_SEC, dateStyleParts(dateStyle), { offset: off, abbrev: () => zoneAbbrevAt(zone, us) });
}

/** interval2itm: the time part split into fields that all carry the sign of the microseconds */
function intervalFields(iv: Interval): { year: number; mon: number; mday: number; hour: number; min: number; sec: number; fsec: number } {
  const us = iv.micros;
  const hour = Math.trunc(us / USECS_PER_HOUR);
  const min = Math.trunc((us % USECS_PER_HOUR) / USECS_PER_MINUTE);
  const sec = Math.trunc((us % USECS_PER_MINUTE) / USECS_PER_SEC);
  const fsec = us % USECS_PER_SEC;
  return { year: Math.trunc(iv.months / 12), mon: iv.months % 12, mday: iv.days, hour, min, sec, fsec };
}

/** AppendSeconds: |sec| (two digits when fillZeros) and the fraction without trailing zeros */
function appendSeconds(sec: number, fsec: number, fillZeros: boolean): string {
  const s = Math.abs(sec);
  return (fillZeros ? pad2(s) : String(s)) + fracPart(Math.abs(fsec));
}

/** IntervalStyle output: postgres (default), postgres_verbose, sql_standard, iso_8601 */
export function formatInterval(iv: Interval, intervalStyle?: string): string {
  switch (intervalStyle) {
    case 'sql_standard': return formatIntervalSqlStandard(iv);
    case 'iso_8601': return formatIntervalIso(iv);
    case 'postgres_verbose': return formatIntervalVerbose(iv);
  }
  return formatIntervalPostgres(iv);
}

function formatIntervalSqlStandard(iv: Interval): string {
  let { year, mon, mday, hour, min, sec, fsec } = intervalFields(iv);
  const hasNegative = year < 0 || mon < 0 || mday < 0 || hour < 0 || min < 0 || sec < 0 || fsec < 0;
  const hasPositive = year > 0 || mon > 0 || mday > 0 || hour > 0 || min > 0 || sec > 0 || fsec > 0;
  const hasYearMonth = year !== 0 || mon !== 0;
  const hasDayTime = mday !== 0 || hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0;
  const standard = !(hasNegative && hasPositive) && !(hasYearMonth && hasDayTime);
  let out = '';
  if (hasNegative && standard) {
    out = '-';
    year = -year; mon = -mon; mday = -mday; hour = -hour; min = -min; sec = -sec; fsec = -fsec;
  }
  if (!hasNegative && !hasPositive) return '0';
  if (!standard) {
    const ys = year < 0 || mon < 0 ? '-' : '+';
    const dsg = mday < 0 ? '-' : '+';
    const ss = hour < 0 || min < 0 || sec < 0 || fsec < 0 ? '-' : '+';
    return `${ys}${Math.abs(year)}-${Math.abs(mon)} ${dsg}${Math.abs(mday)} ${ss}${Math.abs(hour)}:${pad2(Math.abs(min))}:${appendSeconds(sec, fsec, true)}`;
  }
  if (hasYearMonth) return `${out}${year}-${mon}`;
  if (mday !== 0) return `${out}${mday} ${hour}:${pad2(min)}:${appendSeconds(sec, fsec, true)}`;
  return `${out}${hour}:${pad2(min)}:${appendSeconds(sec, fsec, true)}`;
}

function formatIntervalIso(iv: Interval): string {
  const { year, mon, mday, hour, min, sec, fsec } = intervalFields(iv);
  if (year === 0 && mon === 0 && mday === 0 && hour === 0 && min === 0 && sec === 0 && fsec === 0) return 'PT0S';
  const part = (v: number, c: string): string => (v === 0 ? '' : `${v}${c}`);
  let out = 'P' + part(year, 'Y') + part(mon, 'M') + part(mday, 'D');
  if (hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0) out += 'T';
  out += part(hour, 'H') + part(min, 'M');
  if (sec !== 0 || fsec !== 0) out += (sec < 0 || fsec < 0 ? '-' : '') + appendSeconds(sec, fsec, false) + 'S';
  return out;
}

function formatIntervalVerbose(iv: Interval): string {
  const { year, mon, mday, hour, min, sec, fsec } = intervalFields(iv);
  let out = '@';
  let isZero = true;
  let isBefore = false;
  const part = (value: number, unit: string): void => {
    if (value === 0) return;
    if (isZero) { isBefore = value < 0; value = Math.abs(value); }
    else if (isBefore) value = -value;
    out += ` ${value} ${unit}${value === 1 ? '' : 's'}`;
    isZero = false;
  };
  part(year, 'year');
  part(mon, 'mon');
  part(mday, 'day');
  part(hour, 'hour');
  part(min, 'min');
  if (sec !== 0 || fsec !== 0) {
    out += ' ';
    if (sec < 0 || (sec === 0 && fsec < 0)) {
      if (isZero) isBefore = true;
      else if (!isBefore) out += '-';
    } else if (isBefore) out += '-';
    out += appendSeconds(sec, fsec, false) + ` sec${Math.abs(sec) !== 1 || fsec !== 0 ? 's' : ''}`;
    isZero = false;
  }
  if (isZero) out += ' 0';
  if (isBefore) out += ' ago';
  return out;
}

/** IntervalStyle postgres */
function formatIntervalPostgres(iv: Interval): string {
  const years = Math.trunc(iv.months / 12);
  const mons = iv.months % 12;
  const parts: string[] = [];
  let isBefore = false;
  let isZero = true;
  const field = (v: number, unit: string): void => {
    if (v === 0) return;
    parts.push(`${isBefore && v > 0 ? '+' : ''}${v} ${unit}${v !== 1 ? 's' : ''}`);
    isBefore = v < 0;
    isZero = false;
  };
  field(years, 'year');
  field(mons, 'mon');
  field(iv.days, 'day');
  const us = iv.micros;
  if (isZero || us !== 0) {
    const minus = us < 0;
    const a = Math.abs(us);
    const h = Math.floor(a / USECS_PER_HOUR);
    const mi = Math.floor((a % USECS_PER_HOUR) / USECS_PER_MINUTE);
    const s = Math.floor((a % USECS_PER_MINUTE) / USECS_PER_SEC);
    parts.push(`${minus ? '-' : isBefore ? '+' : ''}${pad2(h)}:${pad2(mi)}:${pad2(s)}${fracPart(a % USECS_PER_SEC)}`);
  }
  return parts.join(' ');
}

// ---------------------------------------------------------------- input

function badSyntax(type: string, text: string): SqlError {
  return new SqlError(SqlState.invalidDatetimeFormat, `invalid input syntax for type ${type}: "${text}"`);
}

function parseFracSeconds(sec: string): number {
  const [i, f = ''] = sec.split('.');
  return Number(i) * USECS_PER_SEC + Math.round(Number('0.' + (f || '0')) * USECS_PER_SEC);
}

/** DateStyle's field order for ambiguous dates like 05/06/2024 */
export type DateOrder = 'MDY' | 'DMY' | 'YMD';

export interface NowSource { nowMicros: number; timezone: string; dateOrder?: DateOrder }

/** 'ISO, DMY' → 'DMY' */
export function dateOrderOf(dateStyle: string | undefined): DateOrder {
  const o = dateStyle?.split(',')[1]?.trim().toUpperCase();
  return o === 'DMY' || o === 'YMD' ? o : 'MDY';
}

const DEFAULT_NOW: NowSource = { nowMicros: 0, timezone: 'UTC' };

export function currentNow(timezone = 'UTC'): NowSource {
  return { nowMicros: nowMicros(), timezone };
}

/**
 * The wall clock in microseconds, as PostgreSQL's GetCurrentTimestamp (Date.now() has only
 * milliseconds: now() printed `…:44.013+00` where PostgreSQL prints `…:44.013482+00`).
 */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/**
 * pg_tzset's test of a zone name in a value: a file of the zone database (any case), else a
 * POSIX TZ string as tzparse reads it — any characters but digits, ',', '+', '-' make the
 * standard name ('foo/bar0' is one), an offset of at most 167 hours must follow, then an
 * optional daylight name, offset and ',start,end' rules.
 */
export function isZoneNameInValue(name: string): boolean {
  if (systemZoneNames().size === 0) return isValidTimeZone(name);
  if (zoneRules(name)) return true;
  if (name.length > 255) return false;
  let i = 0;
  const zname = (): boolean => {
    const start = i;
    if (name[i] === '<') {
      const end = name.indexOf('>', i);
      if (end < 0) return false;
      i = end + 1;
      return true;
    }
    while (i < name.length && !/[0-9,+-]/.test(name[i]!)) i++;
    return i > start;
  };
  const num = (max: number): boolean => {
    const m = /^\d+/.exec(name.slice(i));
    if (!m || Number(m[0]) > max) return false;
    i += m[0].length;
    return true;
  };
  const secs = (maxHours: number): boolean => {
    if (!num(maxHours)) return false;
    if (name[i] === ':') { i++; if (!num(59)) return false; if (name[i] === ':') { i++; if (!num(60)) return false; } }
    return true;
  };
  const offset = (): boolean => {
    if (name[i] === '+' || name[i] === '-') i++;
    return secs(167);
  };
  const rule = (): boolean => {
    if (name[i] === 'J') { i++; if (!num(365)) return false; }
    else if (name[i] === 'M') { i++; if (!num(12) || name[i++] !== '.' || !num(5) || name[i++] !== '.' || !num(6)) return false; }
    else if (!num(365)) return false;
    if (name[i] === '/') { i++; return offset(); }
    return true;
  };
  if (name[0] === '<') { if (!zname()) return false; } else zname(); // an empty standard name is allowed
  if (i >= name.length || !offset()) return false;
  if (i >= name.length) return true;
  if (!zname()) return false;
  if (i < name.length && name[i] !== ',' && name[i] !== ';' && !offset()) return false;
  if (name[i] === ',' || name[i] === ';') {
    i++;
    if (!rule() || name[i++] !== ',' || !rule()) return false;
  }
  return i >= name.length;
}

/** a POSIX TZ string without daylight time in a value ('infinity.5', 'foo/bar0'): seconds east */
function posixFixedOffset(zone: string): number | undefined {
  if (systemZoneNames().size === 0 || zoneRules(zone)) return undefined;
  const m = /^(?:<[^>]*>|[^0-9,+-]*)([+-]?)(\d+)(?::(\d+))?(?::(\d+))?$/.exec(zone);
  if (!m) return undefined;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? secs : -secs;
}

/** what datetime-parse.ts needs: the session's field order, clock and zones */
function decodeContext(now: NowSource): DecodeContext {
  return {
    order: now.dateOrder ?? 'MDY',
    nowMicros: now.nowMicros,
    sessionZone: now.timezone,
    isZoneName: (name) => isZoneNameInValue(name),
    zoneOffsetForLocal: (local, zone) => posixFixedOffset(zone) ?? Math.round((local - localToUtc(local, zone)) / USECS_PER_SEC),
    fixedZoneOffset: (zone) => fixedZoneOffset(zone),
    abbrevOffsetForLocal: (local, a) => {
      const at = a.zone === undefined ? 0 : localToUtc(local, a.zone);
      return tzAbbrevTypeAt(a, Math.floor(at / USECS_PER_SEC)).offset;
    },
    utcToSessionLocal: (utc) => utcToLocal(utc, now.timezone),
  };
}

/** pg_get_timezone_offset: a zone that has only ever had one offset */
function fixedZoneOffset(zone: string): number | undefined {
  const rules = zoneRules(zone);
  if (rules) return rules.transitions.length === 0 && !rules.footer?.dst ? rules.initial.offset : undefined;
  if (systemZoneNames().size > 0) return posixFixedOffset(zone); // a POSIX string: fixed unless it names daylight time
  const samples = [-2208988800, -631152000, 0, 946684800, 1719792000, 1704067200, 4102444800].map((s) => zoneOffsetAt(zone, s * USECS_PER_SEC));
  return samples.every((o) => o === samples[0]) ? samples[0] : undefined;
}

export function parseDate(text: string, now: NowSource = currentNow()): number {
  return dateIn(text, decodeContext(now));
}

export function parseTime(text: string, now: NowSource = DEFAULT_NOW): number {
  return timeIn(text, decodeContext(now));
}

export function parseTimestamp(text: string, now: NowSource = DEFAULT_NOW): number {
  return timestampIn(text, decodeContext(now), false);
}

export function parseTimestamptz(text: string, now: NowSource = DEFAULT_NOW): number {
  return timestampIn(text, decodeContext(now), true);
}

// ---------------------------------------------------------------- interval input

const UNITS: Record<string, 'us' | 'ms' | 's' | 'min' | 'h' | 'd' | 'w' | 'mon' | 'y' | 'dec' | 'c' | 'mil'> = {
  microsecond: 'us', microseconds: 'us', us: 'us', usec: 'us', usecs: 'us', useconds: 'us', microsecon: 'us',
  millisecond: 'ms', milliseconds: 'ms', ms: 'ms', msec: 'ms', msecs: 'ms', mseconds: 'ms', millisecon: 'ms',
  second: 's', seconds: 's', sec: 's', secs: 's', s: 's',
  minute: 'min', minutes: 'min', min: 'min', mins: 'min', m: 'min',
  hour: 'h', hours: 'h', hr: 'h', hrs: 'h', h: 'h',
  day: 'd', days: 'd', d: 'd',
  week: 'w', weeks: 'w', w: 'w',
  month: 'mon', months: 'mon', mon: 'mon', mons: 'mon',
  year: 'y', years: 'y', yr: 'y', yrs: 'y', y: 'y',
  decade: 'dec', decades: 'dec', dec: 'dec', decs: 'dec',
  century: 'c', centuries: 'c', cent: 'c', c: 'c',
  millennium: 'mil', millennia: 'mil', millenniums: 'mil', mil: 'mil', mils: 'mil',
};

class IntervalBuilder {
  months = 0; days = 0; micros = 0;
  add(unit: string, v: number): void {
    switch (unit) {
      case 'us': this.micros += v; break;
      case 'ms': this.micros += v * 1000; break;
      case 's': this.micros += v * USECS_PER_SEC; break;
      case 'min': this.micros += v * USECS_PER_MINUTE; break;
      case 'h': this.micros += v * USECS_PER_HOUR; break;
      case 'd': this.addDays(v); break;
      case 'w': this.addDays(v * 7); break;
      case 'mon': this.addMonths(v); break;
      case 'y': this.addMonths(v * 12); break;
      case 'dec': this.addMonths(v * 120); break;
      case 'c': this.addMonths(v * 1200); break;
      case 'mil': this.addMonths(v * 12000); break;
    }
  }
  addDays(v: number): void {
    const whole = Math.trunc(v);
    this.days += whole;
    this.micros += (v - whole) * USECS_PER_DAY;
  }
  addMonths(v: number): void {
    const whole = Math.trunc(v);
    this.months += whole;
    const fracDays = (v - whole) * 30;
    this.addDays(Math.round(fracDays * 1e6) / 1e6);
  }
  build(): Interval {
    return { months: this.months, days: this.days, micros: Math.round(this.micros) };
  }
}

const ISO_INTERVAL = /^(-)?P(?:(-?\d+(?:\.\d+)?)Y)?(?:(-?\d+(?:\.\d+)?)M)?(?:(-?\d+(?:\.\d+)?)W)?(?:(-?\d+(?:\.\d+)?)D)?(?:T(?:(-?\d+(?:\.\d+)?)H)?(?:(-?\d+(?:\.\d+)?)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$/i;

export function parseInterval(text: string): Interval {
  const s = text.trim();
  const bad = (): SqlError => badSyntax('interval', text);
  const b = new IntervalBuilder();
  const iso = ISO_INTERVAL.exec(s);
  if (iso && s.length > 1 && !/^-?PT?$/i.test(s)) {
    const sign = iso[1] ? -1 : 1;
    const units = ['y', 'mon', 'w', 'd', 'h', 'min', 's'];
    units.forEach((u, i) => { if (iso[i + 2] !== undefined) b.add(u, sign * Number(iso[i + 2])); });
    return b.build();
  }
  let rest = s.replace(/^@\s*/, '');
  let ago = false;
  const agoM = /\s+ago$/i.exec(rest);
  if (agoM) { ago = true; rest = rest.slice(0, agoM.index); }
  if (rest === '') throw bad();
  const tokens = rest.match(/[+-]?\d+-\d+(?![\d.:])|[+-]?\d+:\d{1,2}(?::\d{1,2}(?:\.\d*)?)?|[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|[a-z]+/gi);
  if (!tokens || tokens.join('').replace(/\s/g, '') !== rest.replace(/\s/g, '')) throw bad();
  let pendingNumber: number | undefined;
  for (const tok of tokens) {
    const ym = /^([+-]?)(\d+)-(\d+)$/.exec(tok);
    if (ym) {
      // SQL-standard year-month literal '1-2'
      if (pendingNumber !== undefined) throw bad();
      const sign = ym[1] === '-' ? -1 : 1;
      b.add('y', sign * Number(ym[2]));
      b.add('mon', sign * Number(ym[3]));
      continue;
    }
    if (tok.includes(':')) {
      if (pendingNumber !== undefined) { b.add('d', pendingNumber); pendingNumber = undefined; }
      const neg = tok.startsWith('-');
      const [h, mi, sec] = tok.replace(/^[+-]/, '').split(':');
      let us = Number(h) * USECS_PER_HOUR + Number(mi) * USECS_PER_MINUTE + (sec !== undefined ? parseFracSeconds(sec) : 0);
      if (Number(mi) > 59 || (sec !== undefined && Number(sec) >= 60)) throw new SqlError(SqlState.datetimeFieldOverflow, `interval field value out of range: "${text}"`);
      if (neg) us = -us;
      b.micros += us;
    } else if (/^[a-z]+$/i.test(tok)) {
      const unit = UNITS[tok.toLowerCase()];
      if (!unit || pendingNumber === undefined) throw bad();
      b.add(unit, pendingNumber);
      pendingNumber = undefined;
    } else {
      if (pendingNumber !== undefined) throw bad();
      pendingNumber = Number(tok);
    }
  }
  if (pendingNumber !== undefined) b.add('s', pendingNumber);
  const r = b.build();
  return ago ? negateInterval(r) : r;
}

// ---------------------------------------------------------------- arithmetic

export function negateInterval(iv: Interval): Interval {
  return { months: -iv.months || 0, days: -iv.days || 0, micros: -iv.micros || 0 };
}

export function addIntervals(a: Interval, b: Interval): Interval {
  return { months: a.months + b.months, days: a.days + b.days, micros: a.micros + b.micros };
}

/** interval * float8, PostgreSQL 15's interval_mul. */
export function scaleInterval(iv: Interval, f: number): Interval {
  return scaleIntervalBy(iv, (v) => v * f);
}

/** interval / float8, PostgreSQL 15's interval_div (divides, not multiplies by 1/f: the digits differ). */
export function divideInterval(iv: Interval, f: number): Interval {
  return scaleIntervalBy(iv, (v) => v / f);
}

/** rint(), which rounds halves to even like C's default rounding mode. */
function rint(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** TSROUND: round to microsecond precision, so near-whole results come out whole. */
const tsround = (v: number): number => rint(v * 1e6) / 1e6;

/**
 * interval_mul / interval_div: whole months and days scale as such; their fractions cascade
 * down (a month is 30 days, a day 86400 s), each rounded with TSROUND as PostgreSQL does.
 */
function scaleIntervalBy(iv: Interval, scale: (v: number) => number): Interval {
  const outOfRange = (v: number): boolean => Number.isNaN(v) || v > 2147483647 || v < -2147483648;
  const monthsF = scale(iv.months);
  const daysF = scale(iv.days);
  if (outOfRange(monthsF) || outOfRange(daysF)) throw intervalOutOfRange();
  const months = Math.trunc(monthsF);
  let days = Math.trunc(daysF);
  const monthRemainderDays = tsround((monthsF - months) * 30);
  let secRemainder = tsround((daysF - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * 86400);
  if (Math.abs(secRemainder) >= 86400) {
    days += Math.trunc(secRemainder / 86400);
    secRemainder -= Math.trunc(secRemainder / 86400) * 86400;
  }
  days += Math.trunc(monthRemainderDays);
  const micros = rint(scale(iv.micros) + secRemainder * 1e6);
  if (!Number.isFinite(micros) || Math.abs(micros) >= 9223372036854775808) throw intervalOutOfRange();
  return { months, days, micros };
}

function intervalOutOfRange(): SqlError {
  return new SqlError(SqlState.datetimeFieldOverflow, 'interval out of range');
}

/** span used for interval comparison: months = 30 days, days = 24 hours */
export function intervalSpan(iv: Interval): bigint {
  return (BigInt(iv.months) * 30n + BigInt(iv.days)) * BigInt(USECS_PER_DAY) + BigInt(iv.micros);
}

export function compareIntervals(a: Interval, b: Interval): number {
  const x = intervalSpan(a), y = intervalSpan(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function addMonthsToDays(days: number, months: number): number {
  const { y, m, d } = civilFromDays(days);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12), nm = total - ny * 12 + 1;
  return daysFromCivil(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

/** timestamp (local, no zone) + interval */
export function timestampPlusInterval(ts: number, iv: Interval): number {
  if (!Number.isFinite(ts)) return ts;
  let days = Math.floor(ts / USECS_PER_DAY);
  const tod = ts - days * USECS_PER_DAY;
  if (iv.months) days = addMonthsToDays(days, iv.months);
  days += iv.days;
  return days * USECS_PER_DAY + tod + iv.micros;
}

/** timestamptz + interval: months and days move the local wall clock of the session zone */
export function timestamptzPlusInterval(ts: number, iv: Interval, zone: string): number {
  if (!Number.isFinite(ts)) return ts;
  let r = ts;
  if (iv.months || iv.days) {
    const local = utcToLocal(ts, zone);
    r = localToUtc(timestampPlusInterval(local, { months: iv.months, days: iv.days, micros: 0 }), zone);
  }
  return r + iv.micros;
}

/** timestamp - timestamp → interval (days + time, justify_hours) */
export function timestampDiff(a: number, b: number): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new SqlError(SqlState.datetimeFieldOverflow, 'cannot subtract infinite timestamps');
  const diff = a - b;
  const days = Math.trunc(diff / USECS_PER_DAY);
  return { months: 0, days: days || 0, micros: (diff - days * USECS_PER_DAY) || 0 };
}

export function justifyHours(iv: Interval): Interval {
  let days = iv.days + Math.trunc(iv.micros / USECS_PER_DAY);
  let micros = iv.micros % USECS_PER_DAY;
  if (days > 0 && micros < 0) { micros += USECS_PER_DAY; days--; }
  else if (days < 0 && micros > 0) { micros -= USECS_PER_DAY; days++; }
  return { months: iv.months, days, micros };
}

export function justifyDays(iv: Interval): Interval {
  let months = iv.months + Math.trunc(iv.days / 30);
  let days = iv.days % 30;
  if (months > 0 && days < 0) { days += 30; months--; }
  else if (months < 0 && days > 0) { days -= 30; months++; }
  return { months, days, micros: iv.micros };
}

/** justify_interval: hours into days and days into months, with one sign throughout */
export function justifyInterval(iv: Interval): Interval {
  let { months, days, micros } = iv;
  if ((days > 0 && micros > 0) || (days < 0 && micros < 0)) {
    const wm = Math.trunc(days / 30);
    days -= wm * 30;
    months += wm;
  }
  const wd = Math.trunc(micros / USECS_PER_DAY);
  micros -= wd * USECS_PER_DAY;
  days += wd;
  const wm = Math.trunc(days / 30);
  days -= wm * 30;
  months += wm;
  if (months > 0 && (days < 0 || (days === 0 && micros < 0))) { days += 30; months--; }
  else if (months < 0 && (days > 0 || (days === 0 && micros > 0))) { days -= 30; months++; }
  if (days > 0 && micros < 0) { micros += USECS_PER_DAY; days--; }
  else if (days < 0 && micros > 0) { micros -= USECS_PER_DAY; days++; }
  return { months: months || 0, days: days || 0, micros: micros || 0 };
}

/** age(a, b): symbolic y/m/d difference like PostgreSQL */
export function age(a: number, b: number): Interval {
  const sign = a < b ? -1 : 1;
  const [hi, lo] = a < b ? [b, a] : [a, b];
  const dh = Math.floor(hi / USECS_PER_DAY), dl = Math.floor(lo / USECS_PER_DAY);
  const th = hi - dh * USECS_PER_DAY;
  const tl = lo - dl * USECS_PER_DAY;
  const H = civilFromDays(dh), L = civilFromDays(dl);
  let years = H.y - L.y, months = H.m - L.m, days = H.d - L.d;
  let micros = th - tl;
  if (micros < 0) { micros += USECS_PER_DAY; days--; }
  if (days < 0) {
    // PostgreSQL borrows the length of the earlier timestamp's month
    days += daysInMonth(L.y, L.m);
    months--;
  }
  if (months < 0) { months += 12; years--; }
  return { months: sign * (years * 12 + months) || 0, days: sign * days || 0, micros: sign * micros || 0 };
}
