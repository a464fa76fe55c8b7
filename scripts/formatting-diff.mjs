#!/usr/bin/env node
// Differential check of to_char / to_number / to_timestamp / to_date: runs generated
// (value, template) pairs on the reference PostgreSQL and on a Quiver server and prints every
// difference. Usage: node scripts/formatting-diff.mjs QUIVER_PORT [--sql] (--sql prints the
// statements instead, for sql-tests). Reference: 127.0.0.1:55432 db bench (PGREF_PORT overrides).
import pg from 'pg';

const numValues = ['0', '-0', '1', '-1', '5', '12', '0.5', '-0.5', '0.001', '-0.001', '0.125', '2.5', '123.456', '-123.456',
  '1234567.891', '-1234567.891', '9.99', '99.995', '1e15', '1.5e-7', '12345678901', '3999', '4000', '21', '112', '1003'];
const numTemplates = ['9', '99', '999.99', '0000', '0099.9900', 'FM999.999', 'FM990.00%', '9,999.99', '9G999D99', 'S999', '999S',
  '999.99S', 'MI999', '999MI', 'PL999', '999PL', 'SG999', '999SG', '999PR', 'FM999PR', 'L999', '99V99', '9V9', '9.99EEEE', '9.9999EEEE',
  '99EEEE', 'RN', 'rn', 'FMRN', 'FMrn', '999TH', '999th', 'FM999th', 'B999', '"Value: "999', '\\"999', '9 9 9', 'FM0.999', '.99', 'S0.99',
  '999D99S', 'FM999.', '00.00', 'FMS999', 'FM9,999,999.999', '999,999,999.999', 'S9,999.99', '9.9', 'FM9.9', '0.0', 'FM0.0', 'SG9.99',
  'PL9.99', '9.99MI', 'FMPL999', '09', '90.9', '9990.0', 'FM9990.00', 'x9y9z', 'L9,999.99PR', '99.9PR', 'FM9.9PR', '9999999999999999.99', 'FM99999999999999999999.999999'];
const intValues = ['0', '1', '-1', '5', '12', '21', '112', '-45', '1234567', '-1234567', '3999', '4000', '2147483647', '-2147483648'];
const tsValues = ['2020-03-05 14:07:09.123456', '2021-01-01 00:00:00', '2020-12-31 23:59:59.999999', '0044-03-15 12:00:00 BC',
  '2008-12-29 08:00:00', '2010-01-03 12:01:02', '1999-12-31 12:30:00', '0001-01-01 00:00:00', '2024-02-29 06:05:04.5', '1900-07-04 18:45:00', '2005-01-02 03:04:05'];
const dchKeywords = ['HH', 'HH12', 'HH24', 'MI', 'SS', 'MS', 'US', 'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6', 'SSSS', 'SSSSS', 'AM', 'PM', 'am', 'pm',
  'A.M.', 'P.M.', 'a.m.', 'p.m.', 'Y,YYY', 'YYYY', 'YYY', 'YY', 'Y', 'IYYY', 'IYY', 'IY', 'I', 'MONTH', 'Month', 'month', 'MON', 'Mon', 'mon', 'MM',
  'DAY', 'Day', 'day', 'DY', 'Dy', 'dy', 'DDD', 'IDDD', 'DD', 'D', 'ID', 'W', 'WW', 'IW', 'CC', 'J', 'Q', 'RM', 'rm', 'TZ', 'tz', 'TZH', 'TZM', 'OF',
  'BC', 'AD', 'B.C.', 'A.D.', 'bc', 'ad', 'b.c.', 'a.d.'];
const dchTemplates = [...dchKeywords, ...dchKeywords.map((k) => 'FM' + k), ...dchKeywords.map((k) => k + 'TH'), ...dchKeywords.map((k) => 'FM' + k + 'th'),
  'TMMonth', 'TMDay', 'TMMON', 'TMdy', 'FX YYYY', 'YYYY-MM-DD HH24:MI:SS', 'Day, DD Month YYYY', '"Quarter "Q', 'YYYY"\\"quoted\\""', 'HH\\"MI',
  'WW IW', 'YYYY IYYY', 'DDDth "day"', 'FMDDth FMMonth', 'HH12:MI:SS AM', 'SP', 'DDSP', 'xyz', 'FMxyz', 'Y,YYYth', 'IDDD ID IW IYYY', 'J Q CC'];
const zones = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Europe/Berlin'];
const ivValues = ['1 year 2 months 3 days 04:05:06.789', '-13 months', '25 hours', '0', '100 years', '-1 day -02:03:04', '12 months', '3 mons -40 days 49:00:01'];
const ivTemplates = ['HH', 'HH12', 'HH24', 'MI', 'SS', 'MS', 'US', 'YYYY', 'Y,YYY', 'MM', 'DD', 'DDD', 'CC', 'J', 'RM', 'rm', 'W', 'WW', 'Q', 'SSSS',
  'FMHH24th', 'Mon', 'DAY', 'TZ', 'AM', 'IW', 'IYYY', 'D'];
const parsePairs = [
  ['2020-03-05 14:07:09', 'YYYY-MM-DD HH24:MI:SS'], ['05 Mar 2020', 'DD Mon YYYY'], ['2020 Mar', 'YYYY MON'], ['March 5, 2020', 'Month DD, YYYY'],
  ['2020-13-01', 'YYYY-MM-DD'], ['2020-02-30', 'YYYY-MM-DD'], ['20200305', 'YYYYMMDD'], ['2020-065', 'YYYY-DDD'], ['2020-W10-4', 'IYYY-"W"IW-ID'],
  ['12:30 PM', 'HH:MI AM'], ['13:30 PM', 'HH:MI AM'], ['xyz 2020', 'Mon YYYY'], ['05/03/20', 'DD/MM/YY'], ['2020-03-05 14:07:09.123456', 'YYYY-MM-DD HH24:MI:SS.US'],
  ['2020-03-05 14:07:09.12', 'YYYY-MM-DD HH24:MI:SS.MS'], ['2020-03-05 14:07:09.123456', 'YYYY-MM-DD HH24:MI:SS.FF3'], ['2020-03-05 10:00 +05:30', 'YYYY-MM-DD HH24:MI TZH:TZM'],
  ['2020-03-05 10:00 -03', 'YYYY-MM-DD HH24:MI TZH'], ['21 20', 'CC YY'], ['2020 BC', 'YYYY BC'], ['2451545', 'J'], ['1,999', 'Y,YYY'], ['  2020   03', 'YYYY MM'],
  ['2020-03-05', 'FXYYYY-MM-DD'], ['2020 03 05', 'FXYYYY-MM-DD'], ['2020-3-5', 'YYYY-MM-DD'], ['2020-03-05 March', 'YYYY-MM-DD Month'], ['2020-03-05 April', 'YYYY-MM-DD Month'],
  ['2020 10 4', 'IYYY IW MM'], ['99', 'YY'], ['100', 'YYY'], ['5th March 2020', 'DDth Month YYYY'], ['2020 EST', 'YYYY TZ'], ['2020 +05', 'YYYY OF'],
  ['2020-03-05 25:00', 'YYYY-MM-DD HH24:MI'], ['2020', 'YYYY'], ['03', 'MM'], ['', 'YYYY'], ['2020', ''], ['2020-03', 'YYYYMM'], ['202003', 'YYYY-MM'],
  ['2020-IV-05', 'YYYY-RM-DD'], ['Thursday 2020-03-05', 'Day YYYY-MM-DD'], ['Thu 5 Mar 2020', 'Dy DD Mon YYYY'], ['14:07', 'HH24:MI'], ['86399', 'SSSS'],
  ['2020 366', 'YYYY DDD'], ['2019 366', 'YYYY DDD'], ['150', 'DDD'], ['2020-03-05 12 A.M.', 'YYYY-MM-DD HH A.M.'], ['2020 2', 'YYYY Q'], ['20 3', 'CC YYY'],
  ['2020-10 1', 'YYYY-MM W'], ['2020 10', 'YYYY WW'], ['99999999999', 'YYYY'], ['2020-03-05 12:30:45 +16', 'YYYY-MM-DD HH24:MI:SS TZH'], ['-2020', 'YYYY'],
  ['2020 1 1', 'YYYY MM MM'], ['1 2020', 'DD YYYY'], ['2020x03x05', 'YYYY?MM?DD'], ['2020.03.05', 'YYYY MM DD'], ['2k20', 'YYYY'], ['4714-11-24 BC', 'YYYY-MM-DD BC'],
  ['4714-11-23 BC', 'YYYY-MM-DD BC'], ['5874897-12-31', 'YYYY-MM-DD'], ['5874898-01-01', 'YYYY-MM-DD'], ['12 pm', 'HH12 pm'], ['0 am', 'HH am'],
  ['2020-03-05 14:07:09.5', 'YYYY-MM-DD HH24:MI:SS.FF1'], ['2020-03-05 14:07:09.123456', 'YYYY-MM-DD HH24:MI:SS.FF6'],
];
const numberPairs = [
  ['12,454.8-', '99G999D9S'], ['-34,338,492', '99G999G999'], ['<564646.654564>', '999999.999999PR'], ['0.00001-', '9.999999S'], ['5.01-', 'FM9.999999S'],
  ['5.01-', 'FM9.999999MI'], ['$1,234.56', 'L9,999.99'], ['1234', '99V99'], ['123456', '999'], ['12.345', '99.9'], ['', '999'], ['abc', '999'], ['1e5', '9EEEE'],
  ['XII', 'RN'], ['42nd', '99th'], [' 1 2 3', '9 9 9'], ['1,234,567', '9G999G999'], ['1,234,567', 'FM9G999G999'], ['+123', 'S999'], ['123+', '999S'],
  ['-123', 'MI999'], ['123-', '999MI'], ['+12', 'PL99'], ['-12', 'SG99'], ['12', ''], ['0.5', '9.9'], ['.5', '.9'], ['12.', '99.'], ['1234.5678', '9999.99'],
  ['-0', '9'], ['00123', '99999'], ['1 234', '9 999'], ['12345', '99'], ['123.456', 'FM999.999'], ['12-', '99S'], ['  -5', '999'], ['5', '9D9'], ['1.2.3', '9.9.9'],
];

const ref = new pg.Client({ host: '127.0.0.1', port: Number(process.env.PGREF_PORT ?? 55432), user: 'postgres', database: 'bench' });
const quiver = new pg.Client({ host: '127.0.0.1', port: Number(process.argv[2] ?? 55991), user: 'postgres', database: 'postgres' });
for (const c of [ref, quiver]) c.setTypeParser(1114, (v) => v), c.setTypeParser(1184, (v) => v), c.setTypeParser(1082, (v) => v), c.setTypeParser(1700, (v) => v);
const lit = (s) => `'${s.replace(/'/g, "''")}'`;

async function run(client, sql) {
  try {
    const r = await client.query(sql);
    return r.rows.length ? String(Object.values(r.rows[0])[0]) : '(no rows)';
  } catch (e) {
    return `ERROR ${e.code}: ${e.message}${e.detail ? ' DETAIL: ' + e.detail : ''}${e.hint ? ' HINT: ' + e.hint : ''}`;
  }
}

const statements = [];
for (const v of numValues) for (const t of numTemplates) {
  for (const type of ['numeric', 'float8', 'float4']) statements.push([null, `select to_char(${lit(v)}::${type}, ${lit(t)})`]);
}
for (const v of intValues) for (const t of numTemplates) for (const type of ['int4', 'int8']) statements.push([null, `select to_char(${lit(v)}::${type}, ${lit(t)})`]);
for (const v of ['NaN', 'Infinity', '-Infinity']) for (const t of ['999.99', '9.99EEEE', 'RN', 'FM999']) {
  for (const type of ['numeric', 'float8', 'float4']) statements.push([null, `select to_char(${lit(v)}::${type}, ${lit(t)})`]);
}
for (const v of tsValues) for (const t of dchTemplates) statements.push([null, `select to_char(${lit(v)}::timestamp, ${lit(t)})`]);
for (const z of zones) for (const v of tsValues.filter((t) => !t.includes('BC')).slice(0, 6)) for (const t of ['TZ', 'tz', 'TZH:TZM', 'OF', 'FMOF', 'YYYY-MM-DD HH24:MI:SS TZ OF']) {
  statements.push([z, `select to_char(${lit(v + '+00')}::timestamptz, ${lit(t)})`]);
}
for (const v of ivValues) for (const t of ivTemplates) statements.push([null, `select to_char(${lit(v)}::interval, ${lit(t)})`]);
for (const [s, f] of parsePairs) {
  statements.push([null, `select to_timestamp(${lit(s)}, ${lit(f)})`]);
  statements.push([null, `select to_date(${lit(s)}, ${lit(f)})`]);
}
for (const [s, f] of numberPairs) statements.push([null, `select to_number(${lit(s)}, ${lit(f)})`]);

// Seeded random pairs: number pictures built from tokens, date/time pictures, and to_timestamp
// round trips (the text comes from the reference server's to_char of the same picture).
let seed = Number(process.env.SEED ?? 12345);
/** mulberry32 */
const rnd = (n) => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return (((t ^ (t >>> 14)) >>> 0) % n);
};
const pick = (a) => a[rnd(a.length)];
const numTokens = ['9', '9', '9', '0', '0', '.', 'D', ',', 'G', 'S', 'MI', 'PL', 'SG', 'PR', 'L', 'V', 'EEEE', 'RN', 'rn', 'TH', 'th', 'B', 'FM', 'x', ' ', '"a"', '%', '9', '0'];
const randomNumber = () => {
  const int = String(rnd(10) < 3 ? 0 : rnd(10 ** (1 + rnd(8))));
  const frac = rnd(3) === 0 ? '' : '.' + String(rnd(10 ** (1 + rnd(6)))).padStart(1 + rnd(4), '0');
  return (rnd(3) === 0 ? '-' : '') + int + frac;
};
const randomCount = Number(process.argv[process.argv.indexOf('--random') + 1] ?? 0);
const roundTrips = [];
if (process.argv.includes('--random')) {
  for (let i = 0; i < randomCount; i++) {
    const t = Array.from({ length: 1 + rnd(7) }, () => pick(numTokens)).join('');
    const v = randomNumber();
    for (const type of ['numeric', 'float8', 'float4']) statements.push([null, `select to_char(${lit(v)}::${type}, ${lit(t)})`]);
    const iv = v.split('.')[0];
    for (const type of ['int4', 'int8']) statements.push([null, `select to_char(${lit(iv)}::${type}, ${lit(t)})`]);
    const out = Array.from({ length: 1 + rnd(6) }, () => pick(['9', '9', '0', ',', '.', '-', ' ', '<', '>', '+', 'x', '5', '1'])).join('');
    statements.push([null, `select to_number(${lit(out)}, ${lit(t)})`]);
    // Quiver keeps timestamps as float64 microseconds, exact within ~285 years of 1970: far dates get whole seconds
    const year = 1 + rnd(2999), bc = rnd(8) === 0;
    const frac = !bc && year > 1700 && year < 2250 ? `.${rnd(1000000)}` : '';
    const ts = `${String(year).padStart(4, '0')}-${String(1 + rnd(12)).padStart(2, '0')}-${String(1 + rnd(28)).padStart(2, '0')} ${rnd(24)}:${rnd(60)}:${rnd(60)}${frac}${bc ? ' BC' : ''}`;
    const d = Array.from({ length: 1 + rnd(5) }, () => (rnd(4) === 0 ? 'FM' : '') + pick(dchKeywords) + (rnd(5) === 0 ? pick(['TH', 'th']) : '') + pick(['', ' ', '-', ':', '/', '"x"'])).join('');
    statements.push([null, `select to_char(${lit(ts)}::timestamp, ${lit(d)})`]);
    const p = Array.from({ length: 1 + rnd(5) }, () => (rnd(5) === 0 ? 'FM' : '') + pick(['YYYY', 'MM', 'DD', 'HH24', 'MI', 'SS', 'Mon', 'Month', 'DDD', 'HH12 AM', 'US', 'MS', 'FF3', 'CC YY', 'Y,YYY', 'RM', 'Q', 'Day', 'Dy', 'J', 'YY', 'W', 'WW', 'BC', 'a.m.', 'SSSS', 'TZH:TZM', 'IYYY-IW-ID', 'IDDD IYYY']) + pick([' ', '-', ':', '/', ''])).join('');
    roundTrips.push([ts, p]);
  }
}

await ref.connect();
await quiver.connect();
if (process.argv.includes('--sql')) {
  for (const [z, sql] of statements) console.log(z ? `SET timezone = ${lit(z)}; ${sql}; RESET timezone;` : sql + ';');
  process.exit(0);
}
for (const [ts, p] of roundTrips) {
  const text = await run(ref, `select to_char(${lit(ts)}::timestamp, ${lit(p)})`);
  if (text.startsWith('ERROR')) continue;
  statements.push([null, `select to_timestamp(${lit(text)}, ${lit(p)})`]);
  statements.push([null, `select to_date(${lit(text)}, ${lit(p)})`]);
  // and a damaged copy: a character dropped, doubled or replaced, or FX / FM added, for the error paths
  const at = rnd(text.length + 1);
  const damaged = [text.slice(0, at) + text.slice(at + 1), text.slice(0, at) + pick([' ', '-', 'x', '1', '  ']) + text.slice(at), text.slice(0, at) + pick(['9', 'A', ':']) + text.slice(at + 1)][rnd(3)];
  statements.push([null, `select to_timestamp(${lit(damaged)}, ${lit(rnd(4) === 0 ? 'FX' + p : p)})`]);
}
let zone = null, diffs = 0;
for (const [z, sql] of statements) {
  if (z !== zone) {
    zone = z;
    for (const c of [ref, quiver]) await c.query(`SET timezone = ${lit(z ?? 'UTC')}`);
  }
  const [a, b] = [await run(ref, sql), await run(quiver, sql)];
  if (a !== b) { diffs++; console.log(`${z ? `[${z}] ` : ''}${sql}\n  pg:     ${JSON.stringify(a)}\n  quiver: ${JSON.stringify(b)}`); }
}
console.log(`${statements.length} statements, ${diffs} differences`);
await ref.end();
await quiver.end();
