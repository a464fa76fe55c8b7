/**
 * to_char for timestamp, timestamptz and interval: a port of PostgreSQL 15's DCH_to_char with
 * timestamp_to_char / timestamptz_to_char / interval_to_char building its broken-down time.
 * TM (translation mode) uses the C locale's English names, as the reference server does.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { Interval } from '../../types/types.js';
import { USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC, civilFromDays } from '../../types/datetime.js';
import { S_FM, S_TH, S_TM, S_th, dchFormat, type FormatNode } from './format-nodes.js';
import { date2isoweek, date2isoyear, date2isoyearday, date2j } from './calendar.js';

/** struct fmt_tm plus fsec and the zone abbreviation: what DCH_to_char reads */
export interface TmToChar {
  year: number; mon: number; mday: number; hour: number; min: number; sec: number;
  wday: number; yday: number; gmtoff: number; fsec: number; tzn: string | null;
}

export const MONTHS_FULL = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const MONTHS_ABBREV = MONTHS_FULL.map((m) => m.slice(0, 3));
export const DAYS_FULL = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const DAYS_SHORT = DAYS_FULL.map((d) => d.slice(0, 3));
/** Roman-numeral months, December first (seq_search needs 'VIII' before 'V') */
export const RM_MONTHS_UPPER = ['XII', 'XI', 'X', 'IX', 'VIII', 'VII', 'VI', 'V', 'IV', 'III', 'II', 'I'];

/** sprintf("%0*d", width, n): zeros go after the sign */
export function zpad(n: number, width: number): string {
  const a = String(Math.abs(n));
  return n < 0 ? '-' + a.padStart(width - 1, '0') : a.padStart(width, '0');
}

/** get_th: the English ordinal suffix of a digit string */
export function ordinalSuffix(num: string, upper: boolean): string {
  const last = num[num.length - 1];
  if (last === undefined || !/[0-9]/.test(last)) throw new SqlError(SqlState.invalidTextRepresentation, `"${num}" is not a number`);
  const teen = num.length > 1 && num[num.length - 2] === '1';
  const sfx = teen ? 'th' : last === '1' ? 'st' : last === '2' ? 'nd' : last === '3' ? 'rd' : 'th';
  return upper ? sfx.toUpperCase() : sfx;
}

const adjustYear = (year: number, isInterval: boolean): number => (isInterval ? year : year <= 0 ? -(year - 1) : year);
const initcap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();

function invalidForInterval(): SqlError {
  return new SqlError(SqlState.invalidDatetimeFormat, 'invalid format specification for an interval value', { hint: 'Intervals are not tied to specific calendar dates.' });
}

/** a name keyword: MONTH / Month / month …; TM gives the (C-locale) name unpadded */
function nameField(name: string, n: FormatNode, padTo: number): string {
  const id = n.key!.id;
  const cased = /^[A-Z_]+$/.test(id) ? name.toUpperCase() : /^[a-z_]+$/.test(id) ? name.toLowerCase() : initcap(name);
  if (n.suffix & S_TM || padTo === 0 || n.suffix & S_FM) return cased;
  return cased.padEnd(padTo);
}

/** DCH_to_char */
function dchToChar(nodes: readonly FormatNode[], isInterval: boolean, tm: TmToChar): string {
  let out = '';
  for (const n of nodes) {
    if (n.type !== 'action') { out += n.chr; continue; }
    const fm = (n.suffix & S_FM) !== 0;
    const noInterval = (): void => { if (isInterval) throw invalidForInterval(); };
    /** a numeric field, with TH / th appended when asked */
    const num = (s: string): void => {
      out += n.suffix & (S_TH | S_th) ? s + ordinalSuffix(s, (n.suffix & S_TH) !== 0) : s;
    };
    const isoYear = (): number => adjustYear(date2isoyear(tm.year, tm.mon, tm.mday), isInterval);
    switch (n.key!.id) {
      case 'A_M': case 'P_M': out += tm.hour % 24 >= 12 ? 'P.M.' : 'A.M.'; break;
      case 'AM': case 'PM': out += tm.hour % 24 >= 12 ? 'PM' : 'AM'; break;
      case 'a_m': case 'p_m': out += tm.hour % 24 >= 12 ? 'p.m.' : 'a.m.'; break;
      case 'am': case 'pm': out += tm.hour % 24 >= 12 ? 'pm' : 'am'; break;
      case 'HH': case 'HH12': num(zpad(tm.hour % 12 === 0 ? 12 : tm.hour % 12, fm ? 0 : tm.hour >= 0 ? 2 : 3)); break;
      case 'HH24': num(zpad(tm.hour, fm ? 0 : tm.hour >= 0 ? 2 : 3)); break;
      case 'MI': num(zpad(tm.min, fm ? 0 : tm.min >= 0 ? 2 : 3)); break;
      case 'SS': num(zpad(tm.sec, fm ? 0 : tm.sec >= 0 ? 2 : 3)); break;
      case 'FF1': num(zpad(Math.trunc(tm.fsec / 100000), 1)); break;
      case 'FF2': num(zpad(Math.trunc(tm.fsec / 10000), 2)); break;
      case 'FF3': case 'MS': num(zpad(Math.trunc(tm.fsec / 1000), 3)); break;
      case 'FF4': num(zpad(Math.trunc(tm.fsec / 100), 4)); break;
      case 'FF5': num(zpad(Math.trunc(tm.fsec / 10), 5)); break;
      case 'FF6': case 'US': num(zpad(tm.fsec, 6)); break;
      case 'SSSS': num(String(tm.hour * 3600 + tm.min * 60 + tm.sec)); break;
      case 'tz': noInterval(); if (tm.tzn !== null) out += tm.tzn.toLowerCase(); break;
      case 'TZ': noInterval(); if (tm.tzn !== null) out += tm.tzn; break;
      case 'TZH': noInterval(); out += (tm.gmtoff >= 0 ? '+' : '-') + zpad(Math.trunc(Math.abs(tm.gmtoff) / 3600), 2); break;
      case 'TZM': noInterval(); out += zpad(Math.trunc((Math.abs(tm.gmtoff) % 3600) / 60), 2); break;
      case 'OF': {
        noInterval();
        const a = Math.abs(tm.gmtoff);
        out += (tm.gmtoff >= 0 ? '+' : '-') + zpad(Math.trunc(a / 3600), fm ? 0 : 2);
        if (a % 3600 !== 0) out += ':' + zpad(Math.trunc((a % 3600) / 60), 2);
        break;
      }
      case 'A_D': case 'B_C': noInterval(); out += tm.year <= 0 ? 'B.C.' : 'A.D.'; break;
      case 'AD': case 'BC': noInterval(); out += tm.year <= 0 ? 'BC' : 'AD'; break;
      case 'a_d': case 'b_c': noInterval(); out += tm.year <= 0 ? 'b.c.' : 'a.d.'; break;
      case 'ad': case 'bc': noInterval(); out += tm.year <= 0 ? 'bc' : 'ad'; break;
      case 'MONTH': case 'Month': case 'month':
        noInterval();
        if (tm.mon) out += nameField(MONTHS_FULL[tm.mon - 1]!, n, 9);
        break;
      case 'MON': case 'Mon': case 'mon':
        noInterval();
        if (tm.mon) out += nameField(MONTHS_ABBREV[tm.mon - 1]!, n, 0);
        break;
      case 'MM': num(zpad(tm.mon, fm ? 0 : tm.mon >= 0 ? 2 : 3)); break;
      case 'DAY': case 'Day': case 'day': noInterval(); out += nameField(DAYS_FULL[tm.wday]!, n, 9); break;
      case 'DY': case 'Dy': case 'dy': noInterval(); out += nameField(DAYS_SHORT[tm.wday]!, n, 0); break;
      case 'DDD': num(zpad(tm.yday, fm ? 0 : 3)); break;
      case 'IDDD': num(zpad(date2isoyearday(tm.year, tm.mon, tm.mday), fm ? 0 : 3)); break;
      case 'DD': num(zpad(tm.mday, fm ? 0 : 2)); break;
      case 'D': noInterval(); num(String(tm.wday + 1)); break;
      case 'ID': noInterval(); num(String(tm.wday === 0 ? 7 : tm.wday)); break;
      case 'WW': num(zpad(Math.trunc((tm.yday - 1) / 7) + 1, fm ? 0 : 2)); break;
      case 'IW': num(zpad(date2isoweek(tm.year, tm.mon, tm.mday), fm ? 0 : 2)); break;
      case 'Q': if (tm.mon) num(String(Math.trunc((tm.mon - 1) / 3) + 1)); break;
      case 'CC': {
        const c = isInterval ? Math.trunc(tm.year / 100) : tm.year > 0 ? Math.trunc((tm.year - 1) / 100) + 1 : Math.trunc(tm.year / 100) - 1;
        num(c <= 99 && c >= -99 ? zpad(c, fm ? 0 : c >= 0 ? 2 : 3) : String(c));
        break;
      }
      case 'Y_YYY': {
        const y = adjustYear(tm.year, isInterval);
        const i = Math.trunc(y / 1000);
        num(`${i},${zpad(y - i * 1000, 3)}`);
        break;
      }
      case 'YYYY': case 'IYYY': {
        const y = n.key!.id === 'YYYY' ? adjustYear(tm.year, isInterval) : isoYear();
        num(zpad(y, fm ? 0 : adjustYear(tm.year, isInterval) >= 0 ? 4 : 5));
        break;
      }
      case 'YYY': case 'IYY': {
        const y = n.key!.id === 'YYY' ? adjustYear(tm.year, isInterval) : isoYear();
        num(zpad(y % 1000, fm ? 0 : adjustYear(tm.year, isInterval) >= 0 ? 3 : 4));
        break;
      }
      case 'YY': case 'IY': {
        const y = n.key!.id === 'YY' ? adjustYear(tm.year, isInterval) : isoYear();
        num(zpad(y % 100, fm ? 0 : adjustYear(tm.year, isInterval) >= 0 ? 2 : 3));
        break;
      }
      case 'Y': case 'I': num(String((n.key!.id === 'Y' ? adjustYear(tm.year, isInterval) : isoYear()) % 10)); break;
      case 'RM': case 'rm': {
        if (!tm.mon && !tm.year) break;
        // intervals: a whole number of years shows as month 0, negative months count back from December
        const idx = tm.mon === 0 ? (tm.year >= 0 ? 0 : 11) : tm.mon < 0 ? -(tm.mon + 1) : 12 - tm.mon;
        const rm = n.key!.id === 'RM' ? RM_MONTHS_UPPER[idx]! : RM_MONTHS_UPPER[idx]!.toLowerCase();
        out += fm ? rm : rm.padEnd(4);
        break;
      }
      case 'W': num(String(Math.trunc((tm.mday - 1) / 7) + 1)); break;
      case 'J': num(String(date2j(tm.year, tm.mon, tm.mday))); break;
      default: break; // FX: no output
    }
  }
  return out;
}

/** the broken-down local time of a timestamp (micros since 1970) */
export function timestampTm(local: number, gmtoff: number, tzn: string | null): TmToChar {
  const days = Math.floor(local / USECS_PER_DAY);
  const tod = local - days * USECS_PER_DAY;
  const { y, m, d } = civilFromDays(days);
  const j = date2j(y, m, d);
  return {
    year: y, mon: m, mday: d,
    hour: Math.floor(tod / USECS_PER_HOUR), min: Math.floor(tod / USECS_PER_MINUTE) % 60, sec: Math.floor(tod / USECS_PER_SEC) % 60,
    fsec: tod % USECS_PER_SEC, wday: (j + 1) % 7, yday: j - date2j(y, 1, 1) + 1, gmtoff, tzn,
  };
}

/** interval2itm: fields truncate toward zero; yday approximates the span in days */
export function intervalTm(iv: Interval): TmToChar {
  const year = Math.trunc(iv.months / 12), mon = iv.months % 12;
  const hour = Math.trunc(iv.micros / USECS_PER_HOUR);
  let rest = iv.micros - hour * USECS_PER_HOUR;
  const min = Math.trunc(rest / USECS_PER_MINUTE);
  rest -= min * USECS_PER_MINUTE;
  const sec = Math.trunc(rest / USECS_PER_SEC);
  return {
    year, mon, mday: iv.days, hour, min, sec, fsec: rest - sec * USECS_PER_SEC,
    wday: 0, yday: (year * 12 + mon) * 30 + iv.days, gmtoff: 0, tzn: null,
  };
}

/** datetime_to_char_body; an empty picture gives NULL */
export function datetimeToChar(tm: TmToChar, fmt: string, isInterval: boolean): string | null {
  if (fmt === '') return null;
  return dchToChar(dchFormat(fmt), isInterval, tm);
}
