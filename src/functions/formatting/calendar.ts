/** PostgreSQL's Julian-day and ISO-week helpers (datetime.c / timestamp.c) used by to_char and to_timestamp. */
import { civilFromDays, daysFromCivil } from '../../types/calendar.js';

/** Julian day number of 1970-01-01 */
const UNIX_EPOCH_JDATE = 2440588;

/** date2j: Julian day of a proleptic Gregorian date (year 0 is 1 BC) */
export const date2j = (y: number, m: number, d: number): number => daysFromCivil(y, m, d) + UNIX_EPOCH_JDATE;

export function j2date(j: number): { y: number; m: number; d: number } {
  return civilFromDays(j - UNIX_EPOCH_JDATE);
}

/** day of the week, Sunday = 0 */
export function j2day(j: number): number {
  const d = (j + 1) % 7;
  return d < 0 ? d + 7 : d;
}

export { isLeap as isLeapYear } from '../../types/calendar.js';

/** Julian day of the first day (Monday) of ISO week `week` of ISO year `year` */
export function isoweek2j(year: number, week: number): number {
  const day4 = date2j(year, 1, 4);
  const day0 = j2day(day4 - 1);
  return (week - 1) * 7 + (day4 - day0);
}

/** the ISO year holding a date and its ISO week number (date2isoweek / date2isoyear) */
function isoWeekOf(year: number, mon: number, mday: number): { year: number; week: number } {
  const dayn = date2j(year, mon, mday);
  let start = isoweek2j(year, 1);
  // before the first week with a Thursday: the previous year's last week
  if (dayn < start) start = isoweek2j(--year, 1);
  let week = Math.trunc((dayn - start) / 7) + 1;
  // the last days of December may be in the next year's first week
  if (week >= 52) {
    const next = isoweek2j(year + 1, 1);
    if (dayn >= next) { year++; week = Math.trunc((dayn - next) / 7) + 1; }
  }
  return { year, week };
}

export const date2isoweek = (year: number, mon: number, mday: number): number => isoWeekOf(year, mon, mday).week;
export const date2isoyear = (year: number, mon: number, mday: number): number => isoWeekOf(year, mon, mday).year;

export function date2isoyearday(year: number, mon: number, mday: number): number {
  return date2j(year, mon, mday) - isoweek2j(date2isoyear(year, mon, mday), 1) + 1;
}
