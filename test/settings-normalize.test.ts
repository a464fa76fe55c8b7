/**
 * Settings validation and normalisation (src/engine/settings.ts) against what PostgreSQL 15
 * answers for the same SET (values and messages checked by hand on the scratch server).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeSetting, checkSettable, settingMillis } from '../src/engine/settings.js';
import { SqlError } from '../src/errors.js';

function rejects(key: string, value: string, message: string, extra: { hint?: string; detail?: string; code?: string } = {}): void {
  assert.throws(() => normalizeSetting(key, value), (e: unknown) => {
    assert.ok(e instanceof SqlError);
    assert.equal(e.message, message);
    assert.equal(e.code, extra.code ?? '22023');
    if (extra.hint !== undefined) assert.equal(e.fields.hint, extra.hint);
    if (extra.detail !== undefined) assert.equal(e.fields.detail, extra.detail);
    return true;
  });
}

test('enum settings: case-insensitive, hidden aliases, PostgreSQL hint', () => {
  assert.equal(normalizeSetting('client_min_messages', 'WARNING'), 'warning');
  assert.equal(normalizeSetting('client_min_messages', 'debug'), 'debug2');
  assert.equal(normalizeSetting('synchronous_commit', 'true'), 'on');
  rejects('client_min_messages', 'bogus', 'invalid value for parameter "client_min_messages": "bogus"', {
    hint: 'Available values: debug5, debug4, debug3, debug2, debug1, log, notice, warning, error.',
  });
  rejects('intervalstyle', 'bad', 'invalid value for parameter "intervalstyle": "bad"', { hint: 'Available values: postgres, postgres_verbose, sql_standard, iso_8601.' });
});

test('integer settings: rounding, units, ranges', () => {
  assert.equal(normalizeSetting('extra_float_digits', '1.5'), '2');
  assert.equal(normalizeSetting('extra_float_digits', ' 2 '), '2');
  rejects('extra_float_digits', '4', '4 is outside the valid range for parameter "extra_float_digits" (-15 .. 3)');
  rejects('extra_float_digits', 'abc', 'invalid value for parameter "extra_float_digits": "abc"');
  assert.equal(normalizeSetting('statement_timeout', '1500'), '1500ms');
  assert.equal(normalizeSetting('statement_timeout', '5s'), '5s');
  assert.equal(normalizeSetting('statement_timeout', '60000'), '1min');
  assert.equal(normalizeSetting('statement_timeout', '1500us'), '2ms');
  assert.equal(normalizeSetting('statement_timeout', '0.5'), '0');
  assert.equal(normalizeSetting('statement_timeout', '0x10'), '16ms');
  rejects('statement_timeout', 'forever', 'invalid value for parameter "statement_timeout": "forever"');
  rejects('statement_timeout', '5S', 'invalid value for parameter "statement_timeout": "5S"', { hint: 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".' });
  rejects('statement_timeout', '-1', '-1 ms is outside the valid range for parameter "statement_timeout" (0 .. 2147483647)');
  rejects('statement_timeout', '2147483648', 'invalid value for parameter "statement_timeout": "2147483648"', { hint: 'Value exceeds integer range.' });
  assert.equal(normalizeSetting('work_mem', '1024'), '1MB');
  rejects('work_mem', '2048B', '2 kB is outside the valid range for parameter "work_mem" (64 .. 2147483647)');
  assert.equal(settingMillis('5s'), 5000);
});

test('boolean settings', () => {
  assert.equal(normalizeSetting('enable_seqscan', 'y'), 'on');
  assert.equal(normalizeSetting('enable_seqscan', '0'), 'off');
  assert.equal(normalizeSetting('enable_seqscan', 'OFF'), 'off');
  rejects('enable_seqscan', 'maybe', 'parameter "enable_seqscan" requires a Boolean value');
  rejects('enable_seqscan', 'o', 'parameter "enable_seqscan" requires a Boolean value');
});

test('DateStyle keeps the part a new value leaves out', () => {
  assert.equal(normalizeSetting('datestyle', 'ISO, DMY'), 'ISO, DMY');
  assert.equal(normalizeSetting('datestyle', 'ISO', 'ISO, DMY'), 'ISO, DMY');
  assert.equal(normalizeSetting('datestyle', 'German', 'ISO, MDY'), 'German, DMY');
  assert.equal(normalizeSetting('datestyle', 'postgres', 'German, DMY'), 'Postgres, DMY');
  assert.equal(normalizeSetting('datestyle', 'european', 'Postgres, MDY'), 'Postgres, DMY');
  assert.equal(normalizeSetting('datestyle', 'us', 'Postgres, YMD'), 'Postgres, MDY');
  rejects('datestyle', 'foo', 'invalid value for parameter "DateStyle": "foo"', { detail: 'Unrecognized key word: "foo".' });
  rejects('datestyle', 'iso, sql', 'invalid value for parameter "DateStyle": "iso, sql"', { detail: 'Conflicting "datestyle" specifications.' });
});

test('TimeZone: names, offsets, intervals, POSIX specs', () => {
  assert.equal(normalizeSetting('timezone', 'europe/paris'), 'Europe/Paris');
  assert.equal(normalizeSetting('timezone', 'utc'), 'UTC');
  assert.equal(normalizeSetting('timezone', 'zulu'), 'Zulu');
  assert.equal(normalizeSetting('timezone', '5'), '<+05>-05');
  assert.equal(normalizeSetting('timezone', '<-3.5>'), '<-03:30>+03:30');
  assert.equal(normalizeSetting('timezone', '0'), '<+00>-00');
  assert.equal(normalizeSetting('timezone', "INTERVAL '+00:00'"), '<+00>-00');
  assert.equal(normalizeSetting('timezone', "INTERVAL '-00:30'"), '<-00:30>+00:30');
  assert.equal(normalizeSetting('timezone', '+00:00'), '+00:00');
  assert.equal(normalizeSetting('timezone', 'UTC+3'), 'UTC+3');
  assert.equal(normalizeSetting('timezone', 'FOO-2'), 'FOO-2');
  rejects('timezone', 'Nowhere/Special', 'invalid value for parameter "TimeZone": "Nowhere/Special"');
  rejects('timezone', 'Z', 'invalid value for parameter "TimeZone": "Z"');
  rejects('timezone', "INTERVAL '1 day'", `invalid value for parameter "TimeZone": "INTERVAL '1 day'"`, { detail: 'Cannot specify days in time zone interval.' });
  rejects('timezone', 'right/UTC', 'time zone "right/UTC" appears to use leap seconds', { detail: 'PostgreSQL does not support leap seconds.' });
});

test('checkSettable: unknown and read-only parameters', () => {
  assert.equal(checkSettable('TimeZone'), 'timezone');
  assert.equal(checkSettable('myapp.flag'), 'myapp.flag');
  assert.throws(() => checkSettable('no_such_setting'), /unrecognized configuration parameter "no_such_setting"/);
  assert.throws(() => checkSettable('server_version'), /parameter "server_version" cannot be changed/);
});
