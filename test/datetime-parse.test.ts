/**
 * Date/time input through datetime-parse.ts (PostgreSQL 15's ParseDateTime / DecodeDateTime /
 * DecodeTimeOnly). The full comparison with PostgreSQL is sql-tests/datetime_input.sql; these
 * check the module's contract: the field order from DateStyle, zones, the clock words, errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlError } from '../src/errors.js';
import { parseDateTimeFields } from '../src/types/datetime-parse.js';
import { parseDate, parseTime, parseTimestamp, parseTimestamptz, type NowSource } from '../src/types/datetime.js';

const utc = (y: number, m: number, d: number, h = 0, mi = 0, s = 0): number => Date.UTC(y, m - 1, d, h, mi, s) * 1000;
const day = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / 86_400_000;
const NOW: NowSource = { nowMicros: utc(2024, 6, 1, 12, 30), timezone: 'UTC' };

function sqlError(f: () => unknown): SqlError {
  try { f(); } catch (e) { if (e instanceof SqlError) return e; throw e; }
  assert.fail('no error');
}

test('fields are split and typed as ParseDateTime does', () => {
  assert.deepEqual(parseDateTimeFields('Sat Jun 01 12:00:00.5 2024 PDT').map((f) => `${f.type}:${f.text}`),
    ['string:sat', 'string:jun', 'number:01', 'time:12:00:00.5', 'number:2024', 'string:pdt']);
  assert.deepEqual(parseDateTimeFields('1999.008 America/New_York -08:00').map((f) => `${f.type}:${f.text}`),
    ['number:1999.008', 'date:america/new_york', 'tz:-08:00']);
});

test("PostgreSQL's own output styles read back", () => {
  const want = utc(2024, 6, 1, 19, 0, 0) + 500_000;
  assert.equal(parseTimestamptz('Sat Jun 01 12:00:00.5 2024 PDT', NOW), want);
  assert.equal(parseTimestamptz('06/01/2024 19:00:00.5 UTC', NOW), want);
  assert.equal(parseTimestamptz('01.06.2024 21:00:00.5 CEST', { ...NOW, dateOrder: 'DMY' }), want); // German implies DMY
  assert.equal(parseTimestamptz('2024-06-01T12:00:00.5-07', NOW), want);
  assert.equal(parseTimestamptz('2024-06-01 15:00:00.5 America/New_York', NOW), want);
});

test('DateStyle decides the order of numeric fields; names and 4-digit years do not need it', () => {
  assert.equal(parseDate('01/02/03', { ...NOW, dateOrder: 'MDY' }), day(2003, 1, 2));
  assert.equal(parseDate('01/02/03', { ...NOW, dateOrder: 'DMY' }), day(2003, 2, 1));
  assert.equal(parseDate('01/02/03', { ...NOW, dateOrder: 'YMD' }), day(2001, 2, 3));
  for (const s of ['June 1, 2024', '1 June 2024', '2024-Jun-01', '01-Jun-2024', 'Jun-01-2024', '20240601', '240601', '2024.153', 'J2460463'])
    assert.equal(parseDate(s, NOW), day(2024, 6, 1), s);
});

test('times: AM/PM, compact, 24:00 and the leap second', () => {
  assert.equal(parseTime('12:15 AM'), 15 * 60_000_000);
  assert.equal(parseTime('040506'), ((4 * 60 + 5) * 60 + 6) * 1_000_000);
  assert.equal(parseTime('24:00'), 86_400_000_000);
  assert.equal(parseTime('23:59:60'), 86_400_000_000);
  assert.equal(sqlError(() => parseTime('23:59:60.5')).code, '22008');
  assert.equal(sqlError(() => parseTime('12:00 America/New_York')).code, '22007'); // a zone with DST needs a date
});

test('clock words read the NowSource in its zone', () => {
  const la: NowSource = { nowMicros: utc(2024, 6, 1, 3, 0), timezone: 'America/Los_Angeles' };
  assert.equal(parseDate('today', la), day(2024, 5, 31));
  assert.equal(parseTimestamp('tomorrow 10:00', la), utc(2024, 6, 1, 10, 0));
  assert.equal(parseTimestamptz('now', la), la.nowMicros);
  assert.equal(parseTimestamp('epoch', la), 0);
});

test('errors carry PostgreSQL SQLSTATEs, messages and the DateStyle hint', () => {
  const md = sqlError(() => parseDate('2024-13-01', NOW));
  assert.deepEqual([md.code, md.message, md.fields.hint], ['22008', 'date/time field value out of range: "2024-13-01"', 'Perhaps you need a different "datestyle" setting.']);
  const feb = sqlError(() => parseDate('2023-02-29', NOW));
  assert.deepEqual([feb.code, feb.fields.hint], ['22008', undefined]);
  assert.equal(sqlError(() => parseTimestamptz('2024-06-01 12:00+16', NOW)).code, '22009');
  assert.equal(sqlError(() => parseTimestamptz('2024-06-01 12:00 Foo/Bar', NOW)).message, 'time zone "foo/bar" not recognized');
  assert.equal(sqlError(() => parseTimestamp('294277-01-01', NOW)).message, 'timestamp out of range: "294277-01-01"');
  assert.equal(sqlError(() => parseDate('5874898-01-01', NOW)).message, 'date out of range: "5874898-01-01"');
  assert.equal(sqlError(() => parseTimestamp('garbage', NOW)).message, 'invalid input syntax for type timestamp: "garbage"');
});
