/**
 * The system time zone database, read as PostgreSQL reads it. Debian's PostgreSQL is built
 * with --with-system-tzdata, so its offsets and abbreviations are the TZif files under
 * /usr/share/zoneinfo (RFC 8536) — not the JavaScript runtime's ICU data, which links zones
 * together (Africa/Accra → Abidjan), names few abbreviations ('GMT+1' instead of 'CET' in
 * many locales) and may be another tzdata release. This module parses a zone's file (its
 * 64-bit block and the POSIX TZ footer for instants after the last transition), and POSIX
 * TZ strings ('EST5EDT,M3.2.0,M11.1.0') on their own, as tzcode's localtime.c does.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { daysFromCivil, daysInMonth, isLeap, weekdayOfDays } from './calendar.js';
import { DEFAULT_TZ_ABBREVS } from './tz-abbrevs.js';

/** one local time type: seconds EAST of UTC, whether it is daylight time, its abbreviation */
export interface LocalTimeType { offset: number; isDst: boolean; abbrev: string }

/** a zone: transitions (UTC seconds, ascending) into types, and the rule after the last */
export interface ZoneRules {
  transitions: Float64Array;
  typeAt: LocalTimeType[];
  /** the type before the first transition (tzcode's defaulttype) */
  initial: LocalTimeType;
  /** the POSIX TZ footer: governs instants from the last transition on */
  footer?: PosixRule;
}

const ZONEINFO = process.env.TZDIR ?? '/usr/share/zoneinfo';

let zoneNames: Map<string, string> | undefined;

/** lower-case → properly cased names of the system time zone database (what PostgreSQL reads) */
export function systemZoneNames(): Map<string, string> {
  if (zoneNames) return zoneNames;
  zoneNames = new Map();
  const walk = (dir: string, prefix: string, depth: number): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.includes('.') || (depth === 0 && e === 'right')) continue;
      const full = join(dir, e);
      const name = prefix + e;
      try {
        if (statSync(full).isDirectory()) walk(full, name + '/', depth + 1);
        else zoneNames!.set(name.toLowerCase(), name);
      } catch {
        // unreadable entry: not a zone
      }
    }
  };
  walk(ZONEINFO, '', 0);
  for (const n of ['leapseconds', 'tzdata', 'zone', 'iso3166']) zoneNames.delete(n);
  return zoneNames;
}

const zoneCache = new Map<string, ZoneRules | null>();

/** the rules of a zone of the system database by name (any case), or undefined */
export function zoneRules(name: string): ZoneRules | undefined {
  const key = name.toLowerCase();
  let rules = zoneCache.get(key);
  if (rules === undefined) {
    rules = null;
    const canonical = systemZoneNames().get(key);
    if (canonical !== undefined) {
      try {
        rules = parseTzif(readFileSync(join(ZONEINFO, canonical)));
      } catch {
        rules = null;
      }
    }
    zoneCache.set(key, rules);
  }
  return rules ?? undefined;
}

/** RFC 8536: the version 2+ (64-bit) data block and footer; a version 1 file's 32-bit block */
export function parseTzif(buf: Buffer): ZoneRules {
  if (buf.toString('latin1', 0, 4) !== 'TZif') throw new Error('not a TZif file');
  const header = (at: number) => ({
    version: buf[at + 4]!,
    isutcnt: buf.readUInt32BE(at + 20), isstdcnt: buf.readUInt32BE(at + 24), leapcnt: buf.readUInt32BE(at + 28),
    timecnt: buf.readUInt32BE(at + 32), typecnt: buf.readUInt32BE(at + 36), charcnt: buf.readUInt32BE(at + 40),
  });
  const v1 = header(0);
  const v1Size = v1.timecnt * 5 + v1.typecnt * 6 + v1.charcnt + v1.leapcnt * 8 + v1.isstdcnt + v1.isutcnt;
  let at = 44, h = v1, timeSize = 4;
  if (v1.version >= 0x32) {
    at = 44 + v1Size;
    h = header(at);
    at += 44;
    timeSize = 8;
  }
  const transitions = new Float64Array(h.timecnt);
  for (let i = 0; i < h.timecnt; i++) {
    transitions[i] = timeSize === 8 ? Number(buf.readBigInt64BE(at + i * 8)) : buf.readInt32BE(at + i * 4);
  }
  at += h.timecnt * timeSize;
  const indices = buf.subarray(at, at + h.timecnt);
  at += h.timecnt;
  const typesAt = at;
  at += h.typecnt * 6;
  const chars = buf.subarray(at, at + h.charcnt);
  const types: LocalTimeType[] = [];
  for (let i = 0; i < h.typecnt; i++) {
    const p = typesAt + i * 6;
    const ai = buf[p + 5]!;
    let end = chars.indexOf(0, ai);
    if (end < 0) end = chars.length;
    types.push({ offset: buf.readInt32BE(p), isDst: buf[p + 4] !== 0, abbrev: chars.toString('latin1', ai, end) });
  }
  at += h.charcnt + h.leapcnt * (timeSize + 4) + h.isstdcnt + h.isutcnt;
  let footer: PosixRule | undefined;
  if (timeSize === 8 && buf[at] === 0x0a) {
    const end = buf.indexOf(0x0a, at + 1);
    const tz = buf.toString('latin1', at + 1, end < 0 ? buf.length : end);
    if (tz !== '') footer = parsePosixTz(tz);
  }
  if (types.length === 0) throw new Error('TZif file without local time types');
  return { transitions, typeAt: Array.from(indices, (i) => types[i]!), initial: types[0]!, footer };
}

/** the local time type in effect at a UTC instant (seconds) */
export function localTimeTypeAt(rules: ZoneRules, utcSeconds: number): LocalTimeType {
  const ts = rules.transitions;
  const n = ts.length;
  if (n === 0 || utcSeconds < ts[0]!) {
    return n === 0 && rules.footer ? posixTypeAt(rules.footer, utcSeconds) : rules.initial;
  }
  if (utcSeconds >= ts[n - 1]! && rules.footer) return posixTypeAt(rules.footer, utcSeconds);
  let lo = 0, hi = n - 1; // largest i with ts[i] <= utcSeconds
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ts[mid]! <= utcSeconds) lo = mid;
    else hi = mid - 1;
  }
  return rules.typeAt[lo]!;
}

// ---------------------------------------------------------------- POSIX TZ strings

/** a day rule of a POSIX TZ string: Jn (1..365, no Feb 29), n (0..365), or Mm.w.d */
type DayRule = { kind: 'julian1' | 'julian0'; day: number } | { kind: 'month'; month: number; week: number; weekday: number };
interface Transition { day: DayRule; seconds: number }

/** std[offset][dst[offset][,start[/time],end[/time]]] */
export interface PosixRule {
  std: LocalTimeType;
  dst?: LocalTimeType;
  start?: Transition;
  end?: Transition;
}

/** tzcode's TZDEFRULESTRING: the US rules a DST zone without rules of its own takes */
const DEFAULT_RULES = ',M3.2.0,M11.1.0';

/** parse a POSIX TZ string; undefined when it is not one */
export function parsePosixTz(tz: string): PosixRule | undefined {
  let i = 0;
  const name = (): string | undefined => {
    if (tz[i] === '<') {
      const end = tz.indexOf('>', i);
      if (end < 0) return undefined;
      const n = tz.slice(i + 1, end);
      i = end + 1;
      return /^[A-Za-z0-9+-]{3,}$/.test(n) ? n : undefined;
    }
    const m = /^[A-Za-z]{3,}/.exec(tz.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };
  /** [+-]hh[:mm[:ss]], hours up to maxHours */
  const time = (maxHours: number): number | undefined => {
    const m = /^([+-]?)(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/.exec(tz.slice(i));
    if (!m) return undefined;
    const h = Number(m[2]), mi = Number(m[3] ?? 0), s = Number(m[4] ?? 0);
    if (h > maxHours || mi > 59 || s > 60) return undefined;
    i += m[0].length;
    const secs = h * 3600 + mi * 60 + s;
    return m[1] === '-' ? -secs : secs;
  };
  const stdName = name();
  if (stdName === undefined) return undefined;
  const stdWest = time(24);
  if (stdWest === undefined) return undefined;
  const std: LocalTimeType = { offset: -stdWest, isDst: false, abbrev: stdName };
  if (i === tz.length) return { std };
  const dstName = name();
  if (dstName === undefined) return undefined;
  let dstEast = std.offset + 3600;
  if (i < tz.length && tz[i] !== ',' && tz[i] !== ';') {
    const w = time(24);
    if (w === undefined) return undefined;
    dstEast = -w;
  }
  const dst: LocalTimeType = { offset: dstEast, isDst: true, abbrev: dstName };
  let rest = tz.slice(i);
  if (rest === '') rest = DEFAULT_RULES;
  i = 0;
  tz = rest;
  const transition = (): Transition | undefined => {
    if (tz[i] !== ',' && tz[i] !== ';') return undefined;
    i++;
    let day: DayRule;
    let m: RegExpExecArray | null;
    const s = tz.slice(i);
    if ((m = /^J(\d{1,3})/.exec(s))) {
      day = { kind: 'julian1', day: Number(m[1]) };
      if (day.day < 1 || day.day > 365) return undefined;
    } else if ((m = /^M(\d{1,2})\.(\d)\.(\d)/.exec(s))) {
      day = { kind: 'month', month: Number(m[1]), week: Number(m[2]), weekday: Number(m[3]) };
      if (day.month < 1 || day.month > 12 || day.week < 1 || day.week > 5 || day.weekday > 6) return undefined;
    } else if ((m = /^(\d{1,3})/.exec(s))) {
      day = { kind: 'julian0', day: Number(m[1]) };
      if (day.day > 365) return undefined;
    } else {
      return undefined;
    }
    i += m[0].length;
    let seconds = 7200;
    if (tz[i] === '/') {
      i++;
      const t = time(167);
      if (t === undefined) return undefined;
      seconds = t;
    }
    return { day, seconds };
  };
  const start = transition();
  const end = start && transition();
  if (!start || !end || i !== tz.length) return undefined;
  return { std, dst, start, end };
}

/** days from 1970-01-01 to January 1st of year y */
const yearStartDay = (y: number): number => daysFromCivil(y, 1, 1);

/** tzcode's transtime: the transition's day of the year (0-based) */
function ruleDayOfYear(rule: DayRule, y: number): number {
  const leap = isLeap(y);
  switch (rule.kind) {
    case 'julian1': return rule.day - 1 + (leap && rule.day >= 60 ? 1 : 0);
    case 'julian0': return rule.day;
    case 'month': {
      const doy = daysFromCivil(y, rule.month, 1) - yearStartDay(y);
      const firstWeekday = weekdayOfDays(yearStartDay(y) + doy);
      let d = (rule.weekday - firstWeekday + 7) % 7;
      const monthLen = daysInMonth(y, rule.month);
      for (let w = 1; w < rule.week && d + 7 < monthLen; w++) d += 7;
      return doy + d;
    }
  }
}

/** the type a POSIX rule gives at a UTC instant (seconds) */
export function posixTypeAt(rule: PosixRule, utcSeconds: number): LocalTimeType {
  if (!rule.dst || !rule.start || !rule.end) return rule.std;
  // the year of the instant in standard time; each transition in the clock time it is written in
  const y = yearOfSeconds(utcSeconds + rule.std.offset);
  const at = (t: Transition, offset: number, year: number): number =>
    (yearStartDay(year) + ruleDayOfYear(t.day, year)) * 86400 + t.seconds - offset;
  for (const year of [y - 1, y, y + 1]) {
    const start = at(rule.start, rule.std.offset, year);
    const end = at(rule.end, rule.dst.offset, year);
    if (start < end) {
      if (utcSeconds >= start && utcSeconds < end) return rule.dst;
    } else if (year === y) {
      // southern hemisphere: daylight time spans the new year
      return utcSeconds >= end && utcSeconds < start ? rule.std : rule.dst;
    }
  }
  return rule.std;
}

function yearOfSeconds(s: number): number {
  let y = 1970 + Math.floor(s / 31556952);
  while (yearStartDay(y) * 86400 > s) y--;
  while (yearStartDay(y + 1) * 86400 <= s) y++;
  return y;
}

// ---------------------------------------------------------------- abbreviations (timezone_abbreviations)

/** an abbreviation of the 'Default' set: a fixed offset, or a zone whose use of it decides */
export type TzAbbrev = { abbrev: string; offset: number; isDst: boolean; zone?: undefined } | { abbrev: string; zone: string };

let abbrevIndex: Map<string, TzAbbrev> | undefined;

/** the abbreviation's meaning in the 'Default' set (any case), or undefined */
export function tzAbbrev(name: string): TzAbbrev | undefined {
  if (!abbrevIndex) {
    abbrevIndex = new Map();
    for (const e of DEFAULT_TZ_ABBREVS) {
      abbrevIndex.set(e[0].toLowerCase(), typeof e[1] === 'number' ? { abbrev: e[0], offset: e[1], isDst: e[2] as boolean } : { abbrev: e[0], zone: e[1] });
    }
  }
  return abbrevIndex.get(name.toLowerCase());
}

/** every abbreviation of the set, in pg_timezone_abbrevs' order */
export function allTzAbbrevs(): TzAbbrev[] {
  tzAbbrev('');
  return [...abbrevIndex!.values()];
}

/**
 * What an abbreviation means at a UTC instant (seconds): a fixed one its offset; a dynamic one
 * the offset its zone last used under that name at or before the instant, else the first use
 * after (localtime.c's pg_interpret_timezone_abbrev), else the zone's offset then
 * (datetime.c's DetermineTimeZoneAbbrevOffsetTS).
 */
export function tzAbbrevTypeAt(a: TzAbbrev, utcSeconds: number): { offset: number; isDst: boolean } {
  if (a.zone === undefined) return a;
  const rules = zoneRules(a.zone);
  if (!rules) return { offset: 0, isDst: false };
  const ts = rules.transitions;
  const want = a.abbrev.toUpperCase();
  let cutoff = 0; // the first transition after the instant
  while (cutoff < ts.length && ts[cutoff]! <= utcSeconds) cutoff++;
  for (let i = cutoff - 1; i >= 0; i--) if (rules.typeAt[i]!.abbrev === want) return rules.typeAt[i]!;
  for (let i = cutoff; i < ts.length; i++) if (rules.typeAt[i]!.abbrev === want) return rules.typeAt[i]!;
  return localTimeTypeAt(rules, utcSeconds);
}
